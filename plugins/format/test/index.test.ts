// reward:format through RewardTester: scores, components per check, scoring modes, and refused options.
import { RewardTester } from '@molrl/core';
import plugin from '../src/index.ts';

const good = '<think>4 is 2+2</think>\n<answer>4</answer>';

RewardTester.run('reward:format', plugin, {
  valid: [
    { name: 'scores a think block followed by text 1', sample: { completion: '<think>hm</think> 4' }, expected: { score: 1, components: { think: 1 } } },
    { name: 'scores a missing think block 0', sample: { completion: 'just 4' }, expected: { score: 0, components: { think: 0 }, reason: 'failed: think' } },
    { name: 'checks an answer tag', sample: { completion: good }, options: { answerTag: 'answer' }, expected: { score: 1, components: { think: 1, answer: 1 } } },
    { name: 'fails a duplicated answer tag', sample: { completion: `${good}<answer>5</answer>` }, options: { answerTag: 'answer' }, expected: { score: 0, components: { think: 1, answer: 0 } } },
    { name: 'checks a code block', sample: { completion: '<think>x</think>\n```python\nprint(1)\n```' }, options: { requireCodeBlock: true, codeLanguage: 'python' }, expected: { score: 1, components: { think: 1, codeBlock: 1 } } },
    { name: 'gives partial credit in fraction scoring', sample: { completion: '<think>x</think> no code' }, options: { requireCodeBlock: true, scoring: 'fraction', score: 0.5 }, expected: { score: 0.25, components: { think: 1, codeBlock: 0 } } },
    {
      name: 'runs user regexes, each its own component',
      sample: { completion: 'The answer is 12. As an AI, I' },
      options: { requireThink: false, patterns: [{ name: 'hasNumber', regex: '\\d+' }, { name: 'noDisclaimer', regex: 'as an ai', flags: 'i', mustMatch: false }] },
      expected: { score: 0, components: { hasNumber: 1, noDisclaimer: 0 } },
    },
    { name: 'uses a custom think tag', sample: { completion: '<reasoning>r</reasoning> 4' }, options: { thinkTag: 'reasoning' }, expected: { score: 1 } },
    { name: 'uses configured scores', sample: { completion: 'no think' }, options: { score: 0.2, failScore: -0.2 }, expected: { score: -0.2 } },
  ],
  invalid: [
    { options: { scoring: 'some' }, errors: [{ code: 'PLUGIN_OPTIONS_INVALID', path: 'options.scoring' }] },
    { options: { thinkTag: '<think>' }, errors: [{ code: 'PLUGIN_OPTIONS_INVALID', path: 'options.thinkTag' }] },
    { options: { patterns: [{ regex: 'x' }] }, errors: [{ code: 'PLUGIN_OPTIONS_INVALID', path: 'options.patterns[0]' }] },
    { options: { patterns: [{ name: 'a', regex: 'x', flags: 'q' }] }, errors: [{ code: 'PLUGIN_OPTIONS_INVALID', path: 'options.patterns[0].flags' }] },
    { options: { requireThinking: true }, errors: [{ code: 'PLUGIN_OPTIONS_INVALID', path: 'options.requireThinking' }] },
  ],
});
