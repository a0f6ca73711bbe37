// Tests of the format predicates: think-then-answer, answer tags, code blocks.
import { strictEqual } from 'node:assert/strict';
import { hasCodeBlock, oneTag, thinkThenAnswer } from '../src/format-checks.ts';

describe('thinkThenAnswer', () => {
  it('accepts one reasoning block at the start followed by an answer', () => {
    strictEqual(thinkThenAnswer('<think>2+2 is 4</think>\nThe answer is 4.', 'think'), true);
  });
  it('refuses two blocks, a missing answer, an empty block, or text before the block', () => {
    strictEqual(thinkThenAnswer('<think>a</think><think>b</think> 4', 'think'), false);
    strictEqual(thinkThenAnswer('<think>a</think>   ', 'think'), false);
    strictEqual(thinkThenAnswer('<think> </think> 4', 'think'), false);
    strictEqual(thinkThenAnswer('So: <think>a</think> 4', 'think'), false);
    strictEqual(thinkThenAnswer('<think>never closed', 'think'), false);
  });
});

describe('oneTag', () => {
  it('accepts exactly one non-empty tag after the reasoning block', () => {
    strictEqual(oneTag('<think>x</think><answer>4</answer>', 'answer', 'think'), true);
    strictEqual(oneTag('<think><answer>4</answer></think> done', 'answer', 'think'), false);
    strictEqual(oneTag('<answer>4</answer><answer>5</answer>', 'answer', null), false);
    strictEqual(oneTag('<answer> </answer>', 'answer', null), false);
  });
});

describe('hasCodeBlock', () => {
  it('finds a closed fenced block, of a language when asked', () => {
    strictEqual(hasCodeBlock('```python\nprint(1)\n```', null), true);
    strictEqual(hasCodeBlock('```python\nprint(1)\n```', 'python'), true);
    strictEqual(hasCodeBlock('```js\nx\n```', 'python'), false);
    strictEqual(hasCodeBlock('```python\nprint(1)\n', null), false);
  });
});

describe('buildChecks', () => {
  it('refuses an invalid regex with CONFIG_INVALID naming its path', async () => {
    const { buildChecks } = await import('../src/format-checks.ts');
    const { defaultOptions } = await import('../src/options-schema.ts');
    try {
      buildChecks({ ...defaultOptions, patterns: [{ name: 'bad', regex: '(' }] });
    } catch (error) {
      strictEqual((error as { code: string }).code, 'CONFIG_INVALID');
      strictEqual((error as { path: string }).path, 'options.patterns[0].regex');
      return;
    }
    throw new Error('an invalid regex was accepted');
  });
});
