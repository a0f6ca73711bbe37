// `molrl train` of the quickstart config (shortened) with `logging: { wandb, tensorboard }`, in a real
// pseudo-terminal (util-linux `script`): the live status block is drawn and redrawn in place; every metrics line
// reaches W&B (offline; read back with wandb's own `wandb leet inspect --json`) and TensorBoard (read back with
// tensorboard's EventAccumulator); `molrl report` of the run works. Then a W&B that fails (bad key) warns once,
// the run still finishes (exit 0), and --json progress is plain lines.
import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { defaultPython } from '@molrl/policy-client';
import { DEFAULT_DOCKER_IMAGE } from '@molrl/sandbox';
import { dockerMissing, pythonModulesMissing, skipUnless, torchMissing } from '../../../../test/helpers/requirements.ts';
import { runCli } from '../../../../test/helpers/run-cli.ts';
import { screen } from '../../../../test/helpers/terminal-screen.ts';

const example = fileURLToPath(new URL('../../../../examples/quickstart/', import.meta.url));
const cliIndex = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
const jsonl = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

/** The quickstart's config with few steps, into `dir`, with `logging`. */
function shortQuickstart(dir: string, name: string, logging: object): string {
  const config = JSON.parse(readFileSync(join(example, 'config.json'), 'utf8'));
  delete config.$schema;
  Object.assign(config, { name, runsDir: dir, logging });
  config.dataset = { train: join(example, 'train.jsonl'), eval: join(example, 'eval.jsonl') };
  config.phases[0] = { ...config.phases[0], data: join(example, 'sft.jsonl'), steps: 20, warmupSteps: 5, logEvery: 10 };
  config.phases[1] = { ...config.phases[1], steps: 3, warmupSteps: 1, promptsPerStep: 4 };
  config.eval = { ...config.eval, every: 0, samples: 8, runs: 1 };
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** Runs `molrl <args>` inside a pseudo-terminal; resolves with the terminal transcript and the exit code. */
function runInPty(dir: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; transcript: string }> {
  const launcher = join(dir, 'molrl-pty.mjs');
  writeFileSync(launcher, `const m = await import(${JSON.stringify(pathToFileURL(cliIndex).href)});\nprocess.exitCode = await m.main(['node', 'molrl', ...process.argv.slice(2)]);\n`);
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, '--no-node-snapshot', '--conditions=molrl-src', '--disable-warning=ExperimentalWarning', launcher, ...args].map(quote).join(' ');
  const child = spawn('script', ['-q', '-e', '-c', `stty cols 120; ${command}`, '/dev/null'], { cwd: dirname(cliIndex), env, stdio: ['pipe', 'pipe', 'pipe'] });
  let transcript = '';
  child.stdout.on('data', (d: Buffer) => (transcript += d.toString()));
  child.stderr.on('data', (d: Buffer) => (transcript += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, transcript })));
}

/** History rows (step -> values) of the one W&B offline run under `runDir`, through wandb's own reader. */
function wandbHistory(runDir: string): Map<number, Record<string, number>> {
  const wandbDir = join(runDir, 'wandb');
  const runs = readdirSync(wandbDir).filter((d) => d.startsWith('offline-run-'));
  strictEqual(runs.length, 1, `offline runs: ${runs.join(', ')}`);
  const cli = join(dirname(defaultPython()), 'wandb');
  const out = execFileSync(cli, ['leet', 'inspect', join(wandbDir, runs[0]), '--json'], { encoding: 'utf8', timeout: 120_000 });
  const rows = new Map<number, Record<string, number>>();
  for (const line of out.split('\n').filter((l) => l.startsWith('{'))) {
    const r = JSON.parse(line);
    if (r.type === 'history') rows.set(Number(r.history.step.num), r.history.item);
    if (r.type === 'run') rows.set(-1, r.run.config.update);
  }
  return rows;
}

/** Scalars per tag of a TensorBoard log directory, through tensorboard's EventAccumulator. */
function tensorboardScalars(logdir: string): Record<string, Array<[number, number]>> {
  const code = 'import json,sys\nfrom tensorboard.backend.event_processing.event_accumulator import EventAccumulator\na=EventAccumulator(sys.argv[1]); a.Reload()\nprint(json.dumps({t: [[e.step, e.value] for e in a.Scalars(t)] for t in a.Tags()["scalars"]}))';
  return JSON.parse(execFileSync(defaultPython(), ['-c', code, logdir], { encoding: 'utf8', timeout: 120_000 }));
}

describe('molrl train: live view and trackers (quickstart config, shortened)', function () {
  this.timeout(400_000);
  let dir: string;
  before(async function () {
    skipUnless(this, await torchMissing(), 'molrl train drives the policy server, which needs PyTorch');
    skipUnless(this, await pythonModulesMissing('wandb', 'tensorboard'), 'the trackers need the molrl-policy[trackers] extra');
    skipUnless(this, await dockerMissing(DEFAULT_DOCKER_IMAGE), 'the quickstart scores code in the Docker sandbox');
    dir = mkdtempSync(join(tmpdir(), 'molrl-train-live-'));
  });

  it('draws the live view in a terminal and sends every metrics line to W&B and TensorBoard', async () => {
    const config = shortQuickstart(dir, 'tracked', { wandb: { project: 'molrl-test' }, tensorboard: { dir: join(dir, 'tb') } });
    const env: NodeJS.ProcessEnv = { ...process.env, WANDB_MODE: 'offline', WANDB_SILENT: 'true' };
    delete env.WANDB_DIR; // the default: <run dir>/wandb
    const { code, transcript } = await runInPty(dir, ['train', '--config', config], env);
    strictEqual(code, 0, transcript);
    // The live block: phase, step/total, ETA, reward, sandbox use, server tokens/s; redrawn by moving up and clearing.
    ok(transcript.includes('\x1b[J') && /\x1b\[\dA/.test(transcript), 'redraw sequences');
    ok(/grpo\S* · phase 2\/2 .*step 3\/3/.test(transcript.replace(/\x1b\[[0-9;]*m/g, '')), 'grpo step 3/3 drawn');
    ok(/sandbox \d+ in flight on \d+ slots \(run peak \d+, [\d,]+ runs\)/.test(transcript), 'sandbox use shown');
    ok(/server [\d,]+ tokens\/s/.test(transcript), 'server tokens/s shown');
    ok(transcript.includes('wandb: logging metrics') && transcript.includes('tensorboard: logging metrics'), transcript);
    ok(!transcript.includes('TRACKER_FAILED'), transcript);
    const rows = screen(transcript.replace(/\r\n/g, '\n'));
    ok(rows.some((r) => r.includes('eval reward (T=1)')), 'the summary table follows the erased block');

    const runDir = join(dir, 'tracked');
    const lines = jsonl(join(runDir, 'metrics.jsonl'));
    const history = wandbHistory(runDir);
    const tb = tensorboardScalars(join(dir, 'tb', 'tracked'));
    let checked = 0;
    for (const line of lines) {
      for (const [key, value] of Object.entries(line)) {
        if (['step', 'phase'].includes(key) || typeof value !== 'number') continue;
        const step = line.step as number;
        const logged = history.get(step)?.[key];
        ok(logged !== undefined && Math.abs(logged - value) < 1e-6, `W&B ${key} at step ${step}: ${logged} != ${value}`);
        const point = tb[key]?.find(([s]) => s === step);
        ok(point && Math.abs(point[1] - value) <= 1e-6 * Math.max(1, Math.abs(value)), `TensorBoard ${key} at step ${step}: ${point?.[1]} != ${value}`);
        checked++;
      }
    }
    ok(checked > 50, `only ${checked} values checked`);
    deepStrictEqual([...history.keys()].filter((s) => s >= 0).sort((a, b) => a - b), [...new Set(lines.map((l) => l.step as number))].sort((a, b) => a - b));
    strictEqual((history.get(-1) as unknown as { name: string }).name, 'tracked', 'the config is the W&B run config');

    const report = await runCli(['report', runDir, '--json']);
    strictEqual(report.code, 0, report.stderr);
    const written = JSON.parse(report.stdout);
    ok(existsSync(written.out) && written.runs[0].status === 'finished' && written.runs[0].samples.total === 3 * 4 * 8, report.stdout);
  });

  it('a W&B that fails (bad key) warns once; training finishes; --json progress is plain lines', async () => {
    const config = shortQuickstart(dir, 'badkey', { wandb: { project: 'molrl-test', mode: 'online' }, tensorboard: {} });
    // The W&B "server" is a closed loopback port: nothing leaves the machine.
    const env = { ...process.env, WANDB_API_KEY: 'bad', WANDB_BASE_URL: 'http://127.0.0.1:9', WANDB_INIT_TIMEOUT: '20', WANDB_SILENT: 'true' };
    const run = await runCli(['train', '--config', config, '--json'], { env });
    strictEqual(run.code, 0, run.stderr);
    strictEqual(run.stderr.split('TRACKER_FAILED').length - 1, 1, run.stderr);
    ok(/warning: TRACKER_FAILED: wandb: starting failed/.test(run.stderr), run.stderr);
    ok(!run.stderr.includes('\x1b['), 'no escape sequences with --json');
    ok(run.stderr.includes('grpo 3/3  (phase 2/2)'), run.stderr);
    strictEqual(JSON.parse(run.stdout).status, 'finished');
    // TensorBoard (default dir: <run dir>/tensorboard) still got the run.
    const tb = tensorboardScalars(join(dir, 'badkey', 'tensorboard', 'badkey'));
    strictEqual(tb['reward/mean'].length, 3);
  });
});
