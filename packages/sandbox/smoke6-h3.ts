import ivm from 'isolated-vm';
const iso = new ivm.Isolate({ memoryLimit: 64 });
const ctx = await iso.createContext();
const code = process.argv[2]!;
const tick = setInterval(() => console.log('main alive'), 200);
setTimeout(() => { console.log('disposing'); iso.dispose(); console.log('disposed'); }, 600);
try { await ctx.eval(code, { timeout: 300 }); console.log('ok'); } catch (e) { console.log('err', (e as Error).message); }
clearInterval(tick);
process.exit(0);
