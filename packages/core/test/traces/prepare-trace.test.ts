import assert from 'node:assert/strict';
import { EMPTY_THINK, prepareTrace, type Trace } from '../../src/traces/index.ts';

const cotTrace: Trace = {
  id: 't1',
  messages: [
    { role: 'system', content: 'You are a code agent.' },
    { role: 'user', content: 'What is 2+3?' },
    { role: 'assistant', content: '<think>I should add them.</think>\n\nCode:\n```py\nprint(2+3)\n```' },
    { role: 'user', content: 'Observation: Execution logs:\n5\n' },
    { role: 'assistant', content: '<think>done</think>final_answer(5)' },
  ],
};

describe('prepareTrace', () => {
  it('clears the content of think blocks for CoT models and keeps the empty block', () => {
    const p = prepareTrace(cotTrace, { modelType: 'cot' })!;
    const decisions = p.segments.filter((s) => s.role === 'assistant');
    assert.deepEqual(decisions.map((s) => s.text), [`${EMPTY_THINK}Code:\n\`\`\`py\nprint(2+3)\n\`\`\``, `${EMPTY_THINK}final_answer(5)`]);
  });

  it('inserts one empty think block at the start of each assistant turn for non-CoT models', () => {
    const trace: Trace = { id: 'n', messages: [{ role: 'user', content: 'task' }, { role: 'assistant', content: 'print(1)' }, { role: 'assistant', content: `${EMPTY_THINK}x` }] };
    const p = prepareTrace(trace, { modelType: 'non-cot' })!;
    assert.deepEqual(p.segments.slice(1).map((s) => s.text), [`${EMPTY_THINK}print(1)`, `${EMPTY_THINK}x`]);
  });

  it('tags feedback ce, decisions kl and system/task none under the mol variant', () => {
    const p = prepareTrace(cotTrace, { modelType: 'cot' })!;
    assert.deepEqual(p.segments.map((s) => [s.role, s.loss]), [
      ['system', 'none'], ['user', 'none'], ['assistant', 'kl'], ['user', 'ce'], ['assistant', 'kl'],
    ]);
  });

  it('tags decisions ce under ce and none under ce_nokl', () => {
    assert.deepEqual(prepareTrace(cotTrace, { modelType: 'cot', variant: 'ce' })!.segments.map((s) => s.loss), ['none', 'none', 'ce', 'ce', 'ce']);
    assert.deepEqual(prepareTrace(cotTrace, { modelType: 'cot', variant: 'ce_nokl' })!.segments.map((s) => s.loss), ['none', 'none', 'none', 'ce', 'none']);
  });

  it('leaves the empty think blocks out of the loss under ce_eetb, continuing the same turn', () => {
    const p = prepareTrace(cotTrace, { modelType: 'cot', variant: 'ce_eetb' })!;
    assert.deepEqual(p.segments.slice(2, 4), [
      { role: 'assistant', text: EMPTY_THINK, loss: 'none' },
      { role: 'assistant', text: 'Code:\n```py\nprint(2+3)\n```', loss: 'ce', continues: true },
    ]);
  });

  it('treats tool and tool-response turns and OpenAI tool messages as feedback', () => {
    const trace: Trace = {
      id: 'o',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'task' }] },
        { role: 'assistant', content: 'call' },
        { role: 'tool', tool_call_id: 'c1', content: 'result 42' },
        { role: 'tool-response', content: 'Observation: ok' },
        { role: 'user', content: 'please continue' },
      ],
    };
    const p = prepareTrace(trace, { modelType: 'non-cot' })!;
    assert.deepEqual(p.segments.map((s) => s.loss), ['none', 'kl', 'ce', 'ce', 'none']);
    assert.equal(p.segments[0].text, 'task');
  });

  it('truncates at a turn boundary to fit maxTokens and counts the tokens kept', () => {
    const p = prepareTrace(cotTrace, { modelType: 'cot', maxTokens: 80 })!;
    assert.equal(p.truncated, true);
    assert.equal(p.segments.length, 3);
    assert.equal(p.tokens, p.segments.reduce((n, s) => n + Buffer.byteLength(s.text), 0));
    assert.ok(p.tokens <= 80);
  });

  it('drops a trace over budget when truncate is drop, and one with nothing to train', () => {
    assert.equal(prepareTrace(cotTrace, { modelType: 'cot', maxTokens: 80, truncate: 'drop' }), null);
    assert.equal(prepareTrace(cotTrace, { modelType: 'cot', maxTokens: 30 }), null);
  });
});
