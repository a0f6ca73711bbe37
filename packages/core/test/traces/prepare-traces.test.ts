import assert from 'node:assert/strict';
import { prepareTraces } from '../../src/traces/index.ts';

describe('prepareTraces', () => {
  it('reports bad lines with their numbers and keeps the good ones', () => {
    const text = [
      JSON.stringify({ id: 'a', messages: [{ role: 'user', content: 't' }, { role: 'assistant', content: 'x' }] }),
      '{not json',
      '',
      JSON.stringify({ id: 'b', messages: [] }),
      JSON.stringify({ id: 'c', messages: [{ role: 'robot', content: 'x' }] }),
    ].join('\n');
    const { traces, summary } = prepareTraces(text, { modelType: 'non-cot' });
    assert.deepEqual(traces.map((t) => t.id), ['a']);
    assert.deepEqual(summary.bad.map((b) => b.line), [2, 4, 5]);
    assert.match(summary.bad[2].error, /messages\[0\]\.role/);
    assert.equal(summary.input, 4);
    assert.equal(summary.kept, 1);
  });

  it('sums ce and kl tokens and fills the histogram', () => {
    const text = JSON.stringify({ id: 'a', messages: [{ role: 'user', content: 'task' }, { role: 'assistant', content: 'ab' }, { role: 'user', content: 'Observation: 5' }] });
    const { summary } = prepareTraces(text, { modelType: 'cot' });
    assert.deepEqual(summary.tokens, { total: 4 + 2 + 14, ce: 14, kl: 2 });
    assert.deepEqual(summary.tokenHistogram, { '<=64': 1 });
  });
});
