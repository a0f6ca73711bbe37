// npm run bench -- <name...>: runs bench/<name>.ts and writes its section into BENCHMARKS.md, stamped with
// the machine and the date. Each section holds its own baseline measured in the same run.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const file = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));
const available = readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'run.ts').map((f) => f.slice(0, -3)).sort();

function machine(): string {
  const docker = (() => {
    try {
      return execFileSync('docker', ['version', '-f', '{{.Server.Version}}'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    } catch {
      return 'unavailable';
    }
  })();
  return `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, Docker ${docker}`;
}

function upsert(doc: string, name: string, body: string): string {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${start}\n${body.trim()}\n${end}`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i >= 0 && j > i) return doc.slice(0, i) + block + doc.slice(j + end.length);
  return `${doc.trimEnd()}\n\n${block}\n`;
}

// Names are the arguments that are neither flags nor a flag's numeric value (`soak --minutes 20`).
const names = process.argv.slice(2).filter((a) => !a.startsWith('-') && !/^\d+(\.\d+)?$/.test(a));
if (names.length === 0 || names.some((n) => !available.includes(n))) {
  process.stderr.write(`usage: npm run bench -- <name...> [--minutes N (soak)]\n  available: ${available.join(', ')}\n`);
  process.exit(2);
}
let doc = existsSync(file)
  ? readFileSync(file, 'utf8')
  : '# Benchmarks\n\nWritten by `npm run bench -- <name>`; each section says the machine and the date it was measured on, and compares against a baseline measured in the same run.\n';
for (const name of names) {
  process.stderr.write(`== bench ${name}\n`);
  const mod = (await import(`./${name}.ts`)) as { default: () => Promise<string> };
  const body = await mod.default();
  const stamp = `_Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine()}._`;
  doc = upsert(doc, name, `## ${name}\n\n${stamp}\n\n${body.trim()}`);
  writeFileSync(file, doc);
  process.stdout.write(`${body.trim()}\n\n(written to BENCHMARKS.md)\n`);
}
