import { createIsolatedVmSandbox } from './src/isolated-vm/isolated-vm-sandbox.ts';
const sb = await createIsolatedVmSandbox({ isolates: 2 });
const base = { language: 'javascript' as const, timeoutMs: 300, memoryMb: 64, outputLimitBytes: 1000 };
for (const code of [
  'throw {a:1}',
  'throw null',
  'throw {get message(){for(;;){}}, get stack(){for(;;){}}}',
  'class E extends Error { get stack() { for(;;){} } }; throw new E("x")',
  'const e = new Error("x"); Object.defineProperty(e, "stack", {get(){ for(;;){} }}); throw e',
  'const p = new Proxy({}, {get(){ for(;;){} }}); throw p',
  'console.log(new Proxy({}, {get(){ for(;;){} }}))',
  'Error.prepareStackTrace = () => { for(;;){} }; throw new Error("x")',
  'const big = "x".repeat(50e6); console.log(big.length)',
  'Object.defineProperty(Object.prototype, "stdout", { set(v) { throw 1 }, get() { return 1 } }); console.log("z")',
  "Promise.reject({get message(){for(;;){}}})", "(async()=>{ await null; throw {get message(){for(;;){}}, get stack(){for(;;){}}} })()", "throw new Error(\"boom\")", "console.log(1);\nnull.x", "syntax error", "Promise.reject(new Error(\"rej\"))",
]) {
  const t = performance.now();
  const r = await sb.run({ ...base, code });
  console.log(JSON.stringify(code.slice(0, 50)), r.status, JSON.stringify(r.stdout.slice(0, 80)), JSON.stringify(r.stderr.slice(0, 200)), Math.round(performance.now() - t));
}
await sb.close();
