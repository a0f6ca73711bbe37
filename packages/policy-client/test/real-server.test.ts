// The client and launcher against the real Python policy server (tiny model, CPU); needs torch.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MolrlError } from '@molrl/common';
import { launchPolicyServer, PolicyClient, type PolicyServerHandle } from '@molrl/policy-client';
import { skipUnless, torchMissing } from '../../../test/helpers/requirements.ts';
import { rejection } from '../../../test/helpers/assertions.ts';

const modelConfig = { n_layer: 2, n_head: 2, d_model: 64 };
const prompts = [
  { id: 'a', text: 'abc' },
  { id: 'b', messages: [{ role: 'user' as const, content: 'hi' }] },
];


describe('PolicyClient against the real policy server', function () {
  this.timeout(120_000);
  let server: PolicyServerHandle;
  let guarded: PolicyServerHandle; // started with a token; the last test stops it
  let dir: string;

  before(async function () {
    skipUnless(this, await torchMissing(), 'policy-client tests against the real server');
    dir = mkdtempSync(join(tmpdir(), 'molrl-ckpt-'));
    // both interpreters import torch at the same time; the guarded one's stop waits for exit 0 however loaded the machine
    [server, guarded] = await Promise.all([
      launchPolicyServer({ model: 'tiny', modelConfig, seed: 1, checkpointRoot: dir, onLog: () => {} }),
      launchPolicyServer({ model: 'tiny', modelConfig, token: 'tok', onLog: () => {}, stopGraceMs: 120_000 }),
    ]);
  });

  after(async () => {
    await Promise.all([server?.stop(), guarded?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports health in protocol version 1', async () => {
    const health = await server.client.health();
    assert.equal(health.status, 'ok');
    assert.equal(health.model, 'tiny');
    assert.match(health.protocolVersion, /^1/);
  });

  it('generates n completions per prompt in canonical order', async () => {
    const out = await server.client.generate({ prompts, n: 2, sampling: { maxTokens: 6 }, seed: 3 });
    assert.deepEqual(out.completions.map((c) => `${c.promptId}${c.index}`), ['a0', 'a1', 'b0', 'b1']);
    for (const c of out.completions) assert.ok(c.tokenCount <= 6);
  });

  it('gives the same greedy completions with and without the KV cache', async () => {
    const request = { prompts, sampling: { temperature: 0, maxTokens: 8 } };
    const cached = await server.client.generate(request);
    const uncached = await server.client.generate({ ...request, kvCache: false });
    assert.deepEqual(uncached.completions.map((c) => c.text), cached.completions.map((c) => c.text));
  });

  it('streams rollout, every completion and done, and trains on the streamed rollout', async () => {
    const events = [];
    for await (const event of server.client.generateStream({ prompts, n: 2, sampling: { maxTokens: 6 } })) events.push(event);
    assert.equal(events[0]?.type, 'rollout');
    assert.equal(events.at(-1)?.type, 'done');
    assert.equal(events.filter((e) => e.type === 'completion').length, 4);
    const rolloutId = (events[0] as { rolloutId: string }).rolloutId;
    const before = (await server.client.health()).step;
    const step = await server.client.trainPolicy({ rolloutId, advantages: [1, -1, null, 0.5], lossType: 'dr_grpo', beta: 0.04 });
    assert.equal(step.step, before + 1);
    assert.ok(step.tokens > 0);
  });

  it('stays usable after a consumer abandons a stream early', async () => {
    for await (const event of server.client.generateStream({ prompts, n: 4, sampling: { maxTokens: 32 } })) {
      if (event.type === 'completion') break;
    }
    const out = await server.client.generate({ prompts, sampling: { maxTokens: 4 } });
    assert.equal(out.completions.length, 2);
  });

  it('takes a MoL step on role-tagged segments', async () => {
    const out = await server.client.trainMol({
      examples: [{ segments: [{ text: 'q?', loss: 'none', role: 'user' }, { text: 'a.', loss: 'kl', role: 'assistant' }, { text: 'ok', loss: 'ce', role: 'tool' }] }],
      mode: 'mol',
    });
    assert.ok(out.ceTokens > 0 && out.klTokens > 0);
  });

  it("maps the server's coded errors to POLICY_SERVER_ERROR", async () => {
    const error = await rejection<MolrlError>(server.client.trainPolicy({ rolloutId: 'r-nope', advantages: [1] }));
    assert.equal(error.code, 'POLICY_SERVER_ERROR');
    assert.equal(error.details?.serverCode, 'ROLLOUT_NOT_FOUND');
    assert.equal(error.details?.status, 404);
  });

  it('saves and loads a checkpoint', async () => {
    const saved = await server.client.saveCheckpoint({ path: join(dir, 'c1') });
    const loaded = await server.client.loadCheckpoint({ path: 'c1' });
    assert.equal(loaded.step, saved.step);
    assert.equal(loaded.path, saved.path);
  });

  it('refuses a checkpoint path outside its checkpoint root with a coded error naming the root', async () => {
    const error = await rejection<MolrlError>(server.client.loadCheckpoint({ path: join(dir, '..', 'elsewhere') }));
    assert.equal(error.code, 'POLICY_SERVER_ERROR');
    assert.equal(error.details?.serverCode, 'CHECKPOINT_PATH_FORBIDDEN');
    assert.equal(error.details?.status, 403);
    assert.match(error.message, /--checkpoint-root/);
  });

  it('requires the token when started with one', async () => {
    assert.equal((await guarded.client.health()).status, 'ok');
    const error = await rejection<MolrlError>(new PolicyClient({ url: guarded.url }).health());
    assert.equal(error.details?.serverCode, 'UNAUTHORIZED');
  });

  it('stops cleanly on stop(): SIGTERM, exit code 0', async () => {
    await guarded.client.generate({ prompts, sampling: { maxTokens: 4 } });
    await guarded.stop();
    assert.deepEqual(await guarded.exited, { code: 0, signal: null });
  });
});
