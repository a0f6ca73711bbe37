// "A new user who pulls the plug at any moment of the quickstart can resume it": a quickstart-like run
// (SFT -> Dr.GRPO, reward:code-execution in the Docker sandbox, `molrl train` as a user runs it) is killed
// with kill -9 of its whole process tree mid-SFT and mid-GRPO, stopped by SIGTERM, by Ctrl-C twice, by a
// full disk (its runs directory is a small tmpfs), and resumed a second time while a resume holds the run;
// each time it resumes, and it ends with exactly the metrics and samples of an uninterrupted run. After
// every stop no child process of it is left, and no container of it survives the next start.
import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DOCKER_IMAGE } from '@molrl/sandbox';
import { dockerMissing, skipUnless, torchMissing } from './helpers/requirements.ts';
import { runCli, type CliRun } from './helpers/run-cli.ts';
import { mountTmpfs, type Tmpfs } from './helpers/tmpfs.ts';

const example = fileURLToPath(new URL('../examples/quickstart/', import.meta.url));
const jsonl = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : []);
const comparable = (m: Record<string, unknown>) => Object.fromEntries(Object.entries(m).filter(([k]) => !/^time|^throughput\/|^score\/hidden_fraction$/.test(k)));
const containersOf = (pid: number) => execFileSync('docker', ['ps', '-aq', '--filter', `label=molrl.pid=${pid}`], { encoding: 'utf8' }).split('\n').filter(Boolean);

/** True while `pid` runs (a zombie that no one reaped does not run). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Every descendant of `pid` (children first found by /proc), deepest last. */
function descendants(pid: number): number[] {
  let out: number[] = [];
  try {
    const kids = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
    for (const k of kids) out = [...out, k, ...descendants(k)];
  } catch {
    // no children
  }
  return out;
}

describe('quickstart-like run: pull the plug anywhere, resume to the same end', function () {
  this.timeout(1_200_000);
  let dir: string;
  let disk: Tmpfs | string;
  before(async function () {
    skipUnless(this, await torchMissing(), 'the run trains the tiny model in the policy server, which needs PyTorch');
    skipUnless(this, await dockerMissing(DEFAULT_DOCKER_IMAGE), 'the run scores code in the Docker sandbox');
    disk = mountTmpfs(6 * 1024);
    skipUnless(this, typeof disk === 'string' ? disk : null, 'the run fills its runs directory (a tmpfs) to test a full disk');
    dir = mkdtempSync(join(tmpdir(), 'molrl-train-resume-'));
    // A length reward the test can hold: while <dir>/hold holds a regular expression matching a sample id, scoring
    // that sample waits (and says so in <dir>/waiting), so each stop lands in a known step, however fast the machine.
    // The reference run, which runs beside the held one, scores with the same reward held by a file never written.
    const lengthReward = (file: string, hold: string) =>
      writeFileSync(
        join(dir, file),
        [
          "import { existsSync, readFileSync, writeFileSync } from 'node:fs';",
          `const HOLD = ${JSON.stringify(join(dir, hold))}, WAITING = ${JSON.stringify(join(dir, 'waiting'))};`,
          'const held = (id) => { try { return new RegExp(readFileSync(HOLD, "utf8")).test(id); } catch { return false; } };',
          "export default { name: 'test:length', version: '1.0.0', apiVersion: '^1', description: 'length mod 5, held by a file', optionsSchema: false,",
          '  async score(s) { while (held(s.id)) { writeFileSync(WAITING, s.id); await new Promise((r) => setTimeout(r, 50)); } return (s.completion.length % 5) / 4; } };',
        ].join('\n') + '\n',
      );
    lengthReward('length.mjs', 'hold');
    lengthReward('length-never-held.mjs', 'never-held');
  });
  after(() => {
    if (typeof disk === 'object') disk.unmount();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const writeConfig = (name: string, runsDir: string, lengthPlugin = 'length.mjs') => {
    const config = JSON.parse(readFileSync(join(example, 'config.json'), 'utf8'));
    delete config.$schema;
    Object.assign(config, {
      name,
      runsDir,
      // code-execution alone scores this tiny, barely trained model 0 everywhere: a length reward gives the groups variance, so steps train
      rewards: [...config.rewards, { plugin: join(dir, lengthPlugin), weight: 0.1 }],
      modelConfig: { n_layer: 1, n_head: 2, d_model: 32, context: 64 },
      dataset: { train: join(example, 'train.jsonl'), eval: join(example, 'eval.jsonl') },
      eval: { ...config.eval, every: 2, samples: 8, runs: 1 },
      scoring: { sampleTimeoutMs: 600_000 }, // a held sample may wait long
    });
    config.phases[0] = { ...config.phases[0], data: join(example, 'sft.jsonl'), steps: 6, warmupSteps: 2, logEvery: 1, batchSize: 8, microBatchSize: 8 };
    config.phases[1] = { ...config.phases[1], steps: 4, warmupSteps: 1, promptsPerStep: 2, groupSize: 4, sampling: { ...config.phases[1].sampling, maxTokens: 24 }, checkpointEvery: 1 };
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(config));
    return file;
  };

  it('kill -9 mid-SFT and mid-GRPO, SIGTERM, Ctrl-C twice, a second resume, a full disk: every stop resumes, and the run ends as an uninterrupted one', async () => {
    // the uninterrupted run of the same seed, beside the faulted one (checked at the end)
    const referenceRun = runCli(['train', '--config', writeConfig('reference', join(dir, 'runs'), 'length-never-held.mjs')]);
    const refDir = join(dir, 'runs', 'reference');

    const mount = (disk as Tmpfs).dir;
    const runDir = join(mount, 'faulted');
    const metrics = () => jsonl(join(runDir, 'metrics.jsonl'));
    const pids: number[] = [];
    /** Runs `molrl train` and calls `act(child)` once `when(stderr so far)` holds (polled). */
    const until = (args: string[], when: (stderr: string) => boolean, act: (child: ChildProcess) => void): Promise<CliRun> => {
      let stderr = '';
      return runCli(['train', ...args], {
        onStderr: (chunk) => (stderr += chunk),
        onStart: (child) => {
          pids.push(child.pid!);
          const timer = setInterval(() => {
            if (!when(stderr)) return;
            clearInterval(timer);
            act(child);
          }, 100);
          child.on('exit', () => clearInterval(timer));
        },
      });
    };
    const killTree = (child: ChildProcess) => {
      for (const p of [child.pid!, ...descendants(child.pid!)]) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    };
    const resume = ['--resume', runDir];
    const hold = (ids: string | null) => {
      rmSync(join(dir, 'waiting'), { force: true });
      if (ids === null) rmSync(join(dir, 'hold'), { force: true });
      else writeFileSync(join(dir, 'hold'), ids);
    };
    const waiting = () => existsSync(join(dir, 'waiting'));
    let children: number[] = [];
    const noChildrenLeft = async (what: string) => {
      for (let i = 0; i < 100 && children.some(running); i++) await new Promise((r) => setTimeout(r, 100)); // a killed process takes a moment to go
      ok(!children.some(running), `${what}: child processes left: ${children.filter(running).join(' ')}`);
    };
    // GRPO steps are global steps 7-10 (after 6 SFT steps); their samples are named step-<n>/...

    // 1. kill -9 of the whole tree early (in SFT, at the latest while step 7 is held).
    hold('^step-7/');
    const first = await until(['--config', writeConfig('faulted', mount)], () => metrics().some((m) => m.phaseType === 'sft') || waiting(), killTree);
    strictEqual(first.signal, 'SIGKILL', `${first.code} ${first.stderr}`);
    // 2. kill -9 of the whole tree while GRPO step 7 is being scored.
    hold('^step-7/');
    const second = await until(resume, waiting, killTree);
    strictEqual(second.signal, 'SIGKILL', second.stderr);
    // 3. SIGTERM while step 8 is being scored: step 7 is done and checkpointed, exit 130, nothing left running.
    hold('^step-8/');
    const third = await until(resume, waiting, (child) => {
      children = descendants(child.pid!);
      child.kill('SIGTERM');
    });
    hold(null);
    strictEqual(third.code, 130, third.stderr);
    ok(third.stderr.includes(`molrl train --resume ${runDir}`), third.stderr);
    strictEqual(JSON.parse(readFileSync(join(runDir, 'state.json'), 'utf8')).globalStep, 7);
    await noChildrenLeft('after SIGTERM');
    deepStrictEqual(containersOf(pids.at(-1)!), [], 'containers after SIGTERM');
    // 4. Ctrl-C twice while step 8 is being scored: out at once, the checkpoint of step 7 kept.
    hold('^step-8/');
    const fourth = await until(resume, waiting, (child) => {
      children = descendants(child.pid!);
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGINT'), 200);
    });
    hold(null);
    ok(fourth.code === 130 || fourth.signal === 'SIGINT', `${fourth.code} ${fourth.signal} ${fourth.stderr}`);
    strictEqual(JSON.parse(readFileSync(join(runDir, 'state.json'), 'utf8')).globalStep, 7);
    await noChildrenLeft('after Ctrl-C twice');
    deepStrictEqual(containersOf(pids.at(-1)!), [], 'containers after Ctrl-C twice');
    // 5. while a resume holds the run (step 8 held), a second resume is refused (RUN_LOCKED, exit 2); then the
    //    disk fills up, step 8 is released, and writing its lines fails: RUN_STORE_WRITE_FAILED, exit 3.
    hold('^step-8/');
    let secondResume: CliRun | null = null;
    const filler = join(mount, 'filler');
    const fifth = await until(resume, waiting, () => {
      void runCli(['train', ...resume]).then((r) => {
        secondResume = r;
        try {
          for (;;) appendFileSync(filler, 'f'.repeat(64 * 1024));
        } catch {
          // the disk is full
        }
        hold(null);
      });
    });
    const refused = secondResume as CliRun | null;
    strictEqual(refused?.code, 2, refused?.stderr);
    ok(refused.stderr.includes('RUN_LOCKED'), refused.stderr);
    strictEqual(fifth.code, 3, fifth.stderr);
    ok(fifth.stderr.includes('RUN_STORE_WRITE_FAILED') && fifth.stderr.includes(`molrl train --resume ${runDir}`), fifth.stderr);
    unlinkSync(filler);
    // 6. to the end.
    const last = await runCli(['train', ...resume]);
    strictEqual(last.code, 0, last.stderr);

    const reference = await referenceRun;
    strictEqual(reference.code, 0, reference.stderr);
    const want = jsonl(join(refDir, 'metrics.jsonl'));
    const got = metrics();
    deepStrictEqual(got.map((m) => [m.step, m.phaseType]), want.map((m) => [m.step, m.phaseType]), 'the same metric lines, none lost or duplicated');
    deepStrictEqual(got.map(comparable), want.map(comparable), 'identical metrics');
    const samples = (d: string) => jsonl(join(d, 'samples.jsonl')).map((s) => [s.step, s.promptId, s.index, s.completion, s.score]);
    deepStrictEqual(samples(runDir), samples(refDir), 'the same batches and completions');
    strictEqual(JSON.parse(readFileSync(join(runDir, 'state.json'), 'utf8')).finished, true);
    for (const pid of pids) deepStrictEqual(containersOf(pid), [], `containers of process ${pid}`);
  });
});
