// Policy-server faults seen from the trainer, injected for real into a real server behind a fault proxy:
// a 500 on a generation (retried, the run goes on), SIGKILL mid-generate, SIGKILL mid-train, a 500 on a
// training step (never retried), a server stopped with SIGSTOP past the client's timeout. Each stops the
// run with a coded error naming the resume command; resuming after each, the run ends with exactly the
// metrics and samples of an uninterrupted run of the same seed: no line lost or duplicated, the same batches.
import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTrainJob, validateJobConfig, type TrainJobResult } from '@molrl/core';
import { launchPolicyServer, type PolicyServerHandle } from '@molrl/policy-client';
import { startFaultProxy, type FaultProxy, type ProxyAction } from '../../../../test/helpers/fault-proxy.ts';
import { skipUnless, torchMissing } from '../../../../test/helpers/requirements.ts';

const jsonl = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
/** A metrics line without its wall-clock fields (times and rates: the only ones that may differ between two runs). */
const comparable = (m: Record<string, unknown>) => Object.fromEntries(Object.entries(m).filter(([k]) => !/^time|^throughput\/|^score\/hidden_fraction$/.test(k)));
const quiet = { info() {}, warn() {} };
const MODEL = { n_layer: 1, n_head: 2, d_model: 32, context: 64 };
const SERVER_TIMEOUT_MS = 20_000;

describe('runTrainJob: policy-server faults and resume (real server behind a fault proxy)', function () {
  this.timeout(900_000);
  let dir: string;
  let proxy: FaultProxy;
  const servers: PolicyServerHandle[] = [];
  const launch = async () => {
    const s = await launchPolicyServer({ model: 'tiny', modelConfig: MODEL, seed: 5, threads: 1, checkpointRoot: dir, onLog: () => {} });
    servers.push(s);
    return s;
  };
  before(async function () {
    skipUnless(this, await torchMissing(), 'the fault tests drive the real policy server, which needs PyTorch');
    dir = mkdtempSync(join(tmpdir(), 'molrl-train-faults-'));
    writeFileSync(join(dir, 'has-digit.mjs'), "export default { name: 'reward:has-digit', version: '1.0.0', apiVersion: '^1', description: 'digit present', optionsSchema: false, score: (s) => ({ score: /[0-9]/.test(s.completion) ? 1 : 0 }) };\n");
    writeFileSync(join(dir, 'data.jsonl'), Array.from({ length: 12 }, (_, i) => JSON.stringify({ id: `q${i}`, prompt: `Q: ${i}+1\nA:`, groundTruth: String(i + 1) })).join('\n'));
    writeFileSync(join(dir, 'demos.jsonl'), Array.from({ length: 8 }, (_, i) => JSON.stringify({ prompt: `Q: ${i}+1\nA:`, completion: ` ${i + 1}` })).join('\n'));
    proxy = await startFaultProxy('http://127.0.0.1:1');
  });
  after(async () => {
    for (const s of servers) {
      try {
        process.kill(s.pid, 'SIGCONT');
      } catch {
        // gone already
      }
      await s.stop();
    }
    await proxy?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const config = (name: string) =>
    validateJobConfig(
      {
        name,
        runsDir: 'runs',
        model: 'tiny',
        modelConfig: MODEL,
        server: { url: proxy.url, timeoutMs: SERVER_TIMEOUT_MS },
        dataset: { train: 'data.jsonl', evalFraction: 0.34 },
        rewards: [{ plugin: './has-digit.mjs' }],
        sandbox: { backend: 'process' },
        phases: [
          { type: 'sft', data: 'demos.jsonl', steps: 2, batchSize: 4, learningRate: 1e-3, logEvery: 1 },
          { type: 'grpo', estimator: 'dr_grpo', steps: 6, promptsPerStep: 2, groupSize: 3, sampling: { maxTokens: 6 }, checkpointEvery: 1 },
        ],
        eval: { every: 3, samples: 4, sampling: { maxTokens: 6 } },
        seed: 5,
      },
      dir,
    );

  /** Counts requests per path and asks `decide` (path, how many of that path came before) what to do. */
  const inject = (decide: (path: string, seen: number) => ProxyAction | null) => {
    const seen = new Map<string, number>();
    proxy.setHook((_method, path) => {
      const n = seen.get(path) ?? 0;
      seen.set(path, n + 1);
      return decide(path, n) ?? { kind: 'forward' };
    });
  };
  const fail = async (run: Promise<TrainJobResult>) => run.then(() => null, (e: { code: string; message: string }) => e);

  it('every fault stops the run with a coded error and the resume command; the resumed run equals an uninterrupted one', async () => {
    // Five servers of the same model and seed, started together (their interpreters import torch at the same
    // time); each is fresh when its part begins: the reference run, then one per fault that kills or replaces one.
    const fresh = await Promise.all(Array.from({ length: 5 }, launch));
    // Reference: the same seed, no fault.
    proxy.setUpstream(fresh[0]!.url);
    inject(() => null);
    const reference = await runTrainJob({ config: config('reference'), logger: quiet });
    strictEqual(reference.status, 'finished');

    const kill = (s: PolicyServerHandle, signal: NodeJS.Signals) => () => process.kill(s.pid, signal);
    let server = fresh[1]!;
    proxy.setUpstream(server.url);
    // 1. a 500 on a generation after the first training step: retried, the run goes on;
    //    then SIGKILL while the generation after the second training step is streaming.
    let trained = 0;
    let failedOnce = false;
    const s1 = server;
    inject((path) => {
      if (path === '/v1/train/policy') trained++;
      if (path !== '/v1/generate') return null;
      if (trained === 1 && !failedOnce) {
        failedOnce = true;
        return { kind: 'answer', status: 500, body: { error: { code: 'INJECTED', message: 'injected fault', path: '' } } };
      }
      return trained === 2 ? { kind: 'forward-then', when: 'first-byte', run: kill(s1, 'SIGKILL') } : null;
    });
    const died = await fail(runTrainJob({ config: config('faulted'), logger: quiet }));
    strictEqual(died?.code, 'TRAIN_SERVER_DIED', died?.message);
    const runDir = join(dir, 'runs', 'faulted');
    ok(died.message.includes(`molrl train --resume ${runDir}`), died.message);
    ok(failedOnce, 'the 500 was injected');

    // 2. SIGKILL while a training step runs.
    server = fresh[2]!;
    proxy.setUpstream(server.url);
    const s2 = server;
    inject((path, n) => (path === '/v1/train/policy' && n === 0 ? { kind: 'forward-then', when: 'sent', run: () => setTimeout(kill(s2, 'SIGKILL'), 20) } : null));
    strictEqual((await fail(runTrainJob({ resume: runDir, logger: quiet })))?.code, 'TRAIN_SERVER_DIED');

    // 3. a 500 on a training step: never retried (the server may have applied it).
    server = fresh[3]!;
    proxy.setUpstream(server.url);
    let trainCalls = 0;
    inject((path) => {
      if (path !== '/v1/train/policy') return null;
      trainCalls++;
      return trainCalls === 1 ? { kind: 'answer', status: 500, body: { error: { code: 'INJECTED', message: 'injected fault', path: '' } } } : null;
    });
    const failed = await fail(runTrainJob({ resume: runDir, logger: quiet }));
    strictEqual(failed?.code, 'TRAIN_SERVER_FAILED', failed?.message);
    strictEqual(trainCalls, 1, 'the failed training step was not sent again');

    // 4. the server hangs (SIGSTOP) during a training step, past server.timeoutMs.
    const s4 = server;
    inject((path, n) => (path === '/v1/train/policy' && n === 0 ? { kind: 'forward-then', when: 'sent', run: kill(s4, 'SIGSTOP') } : null));
    const hung = await fail(runTrainJob({ resume: runDir, logger: quiet }));
    strictEqual(hung?.code, 'TRAIN_SERVER_UNRESPONSIVE', hung?.message);
    ok(hung.message.includes(`molrl train --resume ${runDir}`));
    process.kill(s4.pid, 'SIGKILL');

    // 5. resume to the end.
    proxy.setUpstream(fresh[4]!.url);
    inject(() => null);
    strictEqual((await runTrainJob({ resume: runDir, logger: quiet })).status, 'finished');

    const want = jsonl(join(reference.runDir, 'metrics.jsonl'));
    const got = jsonl(join(runDir, 'metrics.jsonl'));
    deepStrictEqual(got.map((m) => [m.step, m.phaseType]), want.map((m) => [m.step, m.phaseType]), 'the same metric lines, none lost or duplicated');
    deepStrictEqual(got.map(comparable), want.map(comparable), 'identical metrics');
    const samples = (file: string) => jsonl(file).map((s) => [s.step, s.promptId, s.index, s.completion, s.score]);
    deepStrictEqual(samples(join(runDir, 'samples.jsonl')), samples(join(reference.runDir, 'samples.jsonl')), 'the same batches and completions');
  });
});
