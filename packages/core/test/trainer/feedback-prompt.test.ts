// Tests of extendPrompt: the failed completion and its feedback join the prompt exactly as a MoL trace's turns.
import { deepStrictEqual, strictEqual } from 'node:assert/strict';
import { extendPrompt, observationTurn } from '@molrl/core';

describe('extendPrompt', () => {
  it('a text prompt gets <completion>\\n<Observation: ...>\\n', () => {
    const got = extendPrompt('Q: 72-4\nA:', '\n```python\nprint(4-72)\n```', 'Observation: Execution logs:\n-68');
    strictEqual(got, 'Q: 72-4\nA:\n```python\nprint(4-72)\n```\nObservation: Execution logs:\n-68\n');
  });

  it('a chat prompt gets the assistant turn and the Observation user turn (the form of examples/mol-drgrpo/traces.jsonl)', () => {
    const got = extendPrompt([{ role: 'user', content: 'Q: 28+40' }], '```python\nprint(28+40\n```', "Observation: Error: SyntaxError: '(' was never closed\n");
    deepStrictEqual(got, [
      { role: 'user', content: 'Q: 28+40' },
      { role: 'assistant', content: '```python\nprint(28+40\n```' },
      { role: 'user', content: "Observation: Error: SyntaxError: '(' was never closed" },
    ]);
  });

  it('feedback that is not an observation yet gets the prefix; the prompt given is not changed', () => {
    strictEqual(observationTurn('  tests failed: assert f(2) == 4 '), 'Observation: tests failed: assert f(2) == 4');
    const prompt = [{ role: 'user' as const, content: 'Q' }];
    extendPrompt(prompt, 'y', 'o');
    strictEqual(prompt.length, 1);
  });
});
