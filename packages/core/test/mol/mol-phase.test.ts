// The token masks that reach the policy server: prepared segments sent to a real tiny server, counted by hand.
import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict';
import { launchPolicyServer, type PolicyServerHandle } from '@molrl/policy-client';
import { molExample, molValidationLoss, prepareTrace, serverMode, type MolVariant, type PreparedTrace, type Trace } from '@molrl/core';
import { skipUnless, torchMissing } from '../../../../test/helpers/requirements.ts';

const TRACE: Trace = {
  id: 't1',
  messages: [
    { role: 'system', content: 'You are a code agent.' },
    { role: 'user', content: 'What is 17 * 3?' },
    { role: 'assistant', content: '<think>multiply</think>\nThought: compute.\n```py\nprint(17*3)\n```' },
    { role: 'user', content: 'Observation: Execution logs:\n51\n' },
    { role: 'assistant', content: 'final_answer(51)' },
    { role: 'tool', content: 'Observation: 51' },
  ],
};

/** Tokens per loss tag as the server should count them: content bytes + the turn's EOS (none for a piece followed by a continuation). */
function expectedCounts(t: PreparedTrace, variant: MolVariant): { ceTokens: number; klTokens: number } {
  const tags = { ce: 0, kl: 0, none: 0 };
  t.segments.forEach((s, i) => {
    const closes = !t.segments[i + 1]?.continues;
    tags[s.loss] += Buffer.byteLength(s.text, 'utf8') + (closes ? 1 : 0);
  });
  return serverMode(variant) === 'mol' ? { ceTokens: tags.ce, klTokens: tags.kl } : { ceTokens: tags.ce + tags.kl, klTokens: 0 };
}

describe('molExample (masks at the server)', function () {
  let server: PolicyServerHandle;
  before(async function () {
    skipUnless(this, await torchMissing(), 'a real tiny policy server');
    server = await launchPolicyServer({ model: 'tiny', modelConfig: { context: 512 }, port: 0, seed: 0, threads: 1 });
  });
  after(async () => server?.stop());

  for (const variant of ['mol', 'ce', 'ce_nokl', 'ce_eetb'] as const) {
    for (const modelType of ['cot', 'non-cot'] as const) {
      it(`sends ${variant} / ${modelType} segments whose ce and kl token counts match the rendered bytes`, async () => {
        const t = prepareTrace(TRACE, { modelType, variant })!;
        const got = await server.client.trainMol({ examples: [molExample(t)], mode: serverMode(variant), evalOnly: true });
        const want = expectedCounts(t, variant);
        deepStrictEqual({ ceTokens: got.ceTokens, klTokens: got.klTokens }, want);
        strictEqual(got.step, 0); // evalOnly: no optimizer step
        if (variant === 'mol') ok(want.klTokens > 0 && want.ceTokens > 0);
        if (variant === 'ce_eetb') ok(t.segments.some((s) => s.continues), 'the empty think block is split off');
      });
    }
  }

  it('weights the validation loss by tokens across batches and takes no step', async () => {
    const a = prepareTrace(TRACE, { modelType: 'non-cot', variant: 'mol' })!;
    const b = prepareTrace({ ...TRACE, id: 't2', messages: TRACE.messages.slice(0, 4) }, { modelType: 'non-cot', variant: 'mol' })!;
    const whole = await server.client.trainMol({ examples: [molExample(a), molExample(b)], mode: 'mol', evalOnly: true });
    const split = await molValidationLoss(server.client, [a, b], { variant: 'mol', batchSize: 1, microBatchSize: 1 });
    strictEqual(split.ceTokens, whole.ceTokens);
    strictEqual(split.klTokens, whole.klTokens);
    ok(Math.abs(split.ce - whole.ce) < 1e-4 && Math.abs(split.kl - whole.kl) < 1e-4);
    strictEqual((await server.client.health()).step, 0);
  });
});
