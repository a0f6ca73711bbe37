#!/usr/bin/env node
// npm run quickstart [-- --hf]: builds if needed, then runs the CPU quickstart (examples/quickstart/config.json: SFT
// on demonstrations with a systematic fault, then Dr.GRPO with reward:code-execution in the Docker sandbox) and
// checks the goal from the run's own metrics. --hf runs the same task on a random-initialised Qwen3-architecture
// Hugging Face model (examples/quickstart-hf, 10-minute budget). Plain JavaScript so that it runs before anything
// is built.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const hf = process.argv.includes('--hf');
const example = join(root, 'examples', hf ? 'quickstart-hf' : 'quickstart');
const budgetMinutes = hf ? 10 : 5;
const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const red = (s) => (process.stderr.isTTY ? `\x1b[1;31m${s}\x1b[0m` : s);

// 1. Build (incremental: a no-op when dist/ is up to date).
process.stdout.write('building (tsc -b)...\n');
const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b'], { cwd: root, stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

// 2. The sandbox: Docker with the sandbox image; the process backend only as a loudly announced fallback.
let configFile = join(example, 'config.json');
const config = JSON.parse(readFileSync(configFile, 'utf8'));
const { DEFAULT_DOCKER_IMAGE } = await import(join(root, 'packages', 'sandbox', 'dist', 'index.js'));
const image = config.sandbox?.docker?.image ?? DEFAULT_DOCKER_IMAGE;
let dockerProblem = null;
try {
  execFileSync('docker', ['image', 'inspect', image], { stdio: 'ignore' });
} catch {
  dockerProblem = `Docker or the sandbox image ${image} is not available (run 'npm run setup')`;
}
if (dockerProblem) {
  process.stderr.write(red(`\n!!! WARNING: ${dockerProblem}.\n!!! Falling back to the 'process' sandbox backend: model-written code runs as a plain subprocess\n!!! on this machine, NOT isolated. Acceptable only for this quickstart's generated arithmetic.\n\n`));
  const abs = (p) => (isAbsolute(p) ? p : join(example, p));
  config.sandbox = { backend: 'process' };
  config.runsDir = abs(config.runsDir ?? 'runs');
  config.dataset.train = abs(config.dataset.train);
  if (config.dataset.eval) config.dataset.eval = abs(config.dataset.eval);
  for (const phase of config.phases) if (phase.data) phase.data = abs(phase.data);
  delete config.$schema;
  configFile = join(mkdtempSync(join(tmpdir(), 'molrl-quickstart-')), 'config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
}

// 3. Train: SFT, then Dr.GRPO with evals before, during and after RL (the train command prints its summary table).
const started = Date.now();
const train = spawnSync(process.execPath, ['--no-node-snapshot', '--disable-warning=ExperimentalWarning', join(root, 'packages', 'cli', 'bin', 'molrl.js'), 'train', '--config', configFile], { cwd: root, stdio: 'inherit' });
const seconds = (Date.now() - started) / 1000;
if (train.status !== 0) process.exit(train.status ?? 1);

// 4. The goal, from the run's own metrics.jsonl.
const runsDir = isAbsolute(config.runsDir ?? 'runs') ? config.runsDir : join(example, config.runsDir ?? 'runs');
const runDir = readdirSync(runsDir)
  .filter((d) => d.startsWith(config.name ?? 'quickstart'))
  .map((d) => join(runsDir, d))
  .filter((d) => existsSync(join(d, 'metrics.jsonl')))
  .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
const evals = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l))
  .filter((m) => m['eval/reward/mean'] !== undefined);
const before = evals[0];
const after = evals.at(-1);
const checks = [
  ['greedy accuracy on the faulted class after SFT < 0.5', before['eval/greedy/accuracy/faulted'] < 0.5, before['eval/greedy/accuracy/faulted']],
  ['greedy accuracy on the faulted class after RL >= 0.8', after['eval/greedy/accuracy/faulted'] >= 0.8, after['eval/greedy/accuracy/faulted']],
  [`eval reward (T=${after['eval/temperature']}) after RL >= 0.85`, after['eval/reward/mean'] >= 0.85, after['eval/reward/mean']],
  [`whole run <= ${budgetMinutes} minutes`, seconds <= budgetMinutes * 60, `${seconds.toFixed(0)} s`],
];
process.stdout.write(`\n${bold('quickstart goal')} (from ${join(runDir, 'metrics.jsonl')}):\n`);
for (const [what, ok, value] of checks) process.stdout.write(`  ${ok ? 'PASS' : 'FAIL'}  ${what}: ${typeof value === 'number' ? value.toFixed(3) : value}\n`);
process.exitCode = checks.every((c) => c[1]) ? 0 : 1;
