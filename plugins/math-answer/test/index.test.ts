// reward:math-answer end to end: option tables, exact / numeric comparison, and sympy equivalence in the sandbox.
import { RewardTester, type RewardTesterValidCase } from '@molrl/core';
import plugin from '../src/index.ts';
import { dockerMissing, skipUnless } from '../../../test/helpers/requirements.ts';

const FACTORIAL_300 = Array.from({ length: 300 }, (_, i) => BigInt(i + 1)).reduce((a, b) => a * b, 1n);

const offline: RewardTesterValidCase[] = [
  { name: 'scores a matching boxed answer 1', sample: { completion: 'so \\boxed{42}', groundTruth: '42' }, expected: { score: 1, components: { answered: 1, correct: 1 } } },
  { name: 'scores a wrong answer 0', sample: { completion: '\\boxed{41}', groundTruth: '42' }, expected: { score: 0, components: { answered: 1, correct: 0 } } },
  { name: 'compares numbers: fraction against decimal', sample: { completion: '\\boxed{\\frac{3}{4}}', groundTruth: '0.75' }, expected: { score: 1 } },
  { name: 'compares numbers: thousands separators', sample: { completion: '\\boxed{1,000}', groundTruth: 1000 }, expected: { score: 1 } },
  { name: 'compares numbers: percentages', sample: { completion: '\\boxed{25\\%}', groundTruth: '0.25' }, expected: { score: 1 } },
  { name: 'reads the ground truth from a boxed solution', sample: { completion: '\\boxed{7}', groundTruth: 'since 3+4=7, \\boxed{7}' }, expected: { score: 1 } },
  { name: 'scores 0 without an answer by default', sample: { completion: 'I do not know', groundTruth: '1' }, expected: { score: 0, components: { answered: 0, correct: 0 } } },
  { name: 'abstains without an answer when configured', sample: { completion: 'I do not know', groundTruth: '1' }, options: { noAnswer: 'abstain' }, expected: { score: null, status: 'abstain' } },
  { name: 'uses configured scores', sample: { completion: '\\boxed{2}', groundTruth: '3' }, options: { correctScore: 2, incorrectScore: -1 }, expected: { score: -1 } },
  { name: 'uses a configured pattern', sample: { completion: 'Final answer: 12', groundTruth: '12' }, options: { pattern: 'Final answer:\\s*(\\S+)' }, expected: { score: 1 } },
  { name: 'compares exact strings in exact mode', sample: { completion: '\\boxed{0.50}', groundTruth: '0.5' }, options: { compare: 'exact' }, expected: { score: 0 } },
  { name: 'does not call different expressions equal in numeric mode', sample: { completion: '\\boxed{x+1}', groundTruth: '1+x' }, expected: { score: 0 } },
  { name: 'does not accept 0 for 300! (no float overflow)', sample: { completion: '\\boxed{0}', groundTruth: String(FACTORIAL_300) }, expected: { score: 0 } },
  { name: 'accepts 300! written out in full', sample: { completion: `\\boxed{${FACTORIAL_300}}`, groundTruth: String(FACTORIAL_300) }, expected: { score: 1 } },
  { name: 'compares 20-digit integers exactly', sample: { completion: '\\boxed{12345670000000000000}', groundTruth: '12345678901234567890' }, expected: { score: 0 } },
  { name: 'does not accept any number for 1e400', sample: { completion: '\\boxed{7}', groundTruth: '1e400' }, expected: { score: 0 } },
  { name: 'abstains without a ground truth', sample: { completion: '\\boxed{1}' }, expected: { score: null, status: 'abstain' } },
];

// a generous time limit: sympy's import alone can take seconds on a loaded machine, and these cases test equivalence, not speed
const SYMBOLIC = { compare: 'symbolic', timeoutMs: 60_000 };
const symbolic: RewardTesterValidCase[] = [
  { name: 'finds reordered expressions equal with sympy', sample: { completion: '\\boxed{x+1}', groundTruth: '1+x' }, options: SYMBOLIC, expected: { score: 1, reason: 'symbolic comparison: equal' } },
  { name: 'finds sqrt(2)/2 equal to 1/sqrt(2)', sample: { completion: '\\boxed{\\frac{\\sqrt{2}}{2}}', groundTruth: '\\frac{1}{\\sqrt{2}}' }, options: SYMBOLIC, expected: { score: 1 } },
  { name: 'finds (x+1)^2 equal to x^2+2x+1', sample: { completion: '\\boxed{(x+1)^2}', groundTruth: 'x^2+2x+1' }, options: SYMBOLIC, expected: { score: 1 } },
  { name: 'finds different expressions different', sample: { completion: '\\boxed{x+2}', groundTruth: 'x+1' }, options: SYMBOLIC, expected: { score: 0, reason: 'symbolic comparison: different' } },
  { name: 'reports an unparsable answer as wrong', sample: { completion: '\\boxed{)(}', groundTruth: 'x' }, options: SYMBOLIC, expected: { score: 0, reason: 'symbolic comparison: unparsable' } },
  { name: 'refuses answers that would run code in parse_expr', sample: { completion: '\\boxed{__import__("os").system("echo EQUAL")}', groundTruth: 'x' }, options: SYMBOLIC, expected: { score: 0, reason: 'symbolic comparison: unparsable' } },
  { name: 'does not let an answer print the verdict', sample: { completion: '\\boxed{print(EQUAL) + exit(0)}', groundTruth: 'x' }, options: SYMBOLIC, expected: { score: 0 } },
];

const invalid = [
  { options: { compare: 'fuzzy' }, errors: [{ code: 'PLUGIN_OPTIONS_INVALID', path: 'options.compare' }] },
  { options: { noAnswer: 'zero' }, errors: [{ code: 'PLUGIN_OPTIONS_INVALID', path: 'options.noAnswer' }] },
  { options: { timeoutMs: 1 }, errors: [{ code: 'PLUGIN_OPTIONS_INVALID', path: 'options.timeoutMs' }] },
  { options: { boxed: true }, errors: [{ code: 'PLUGIN_OPTIONS_INVALID', path: 'options.boxed' }] },
];

RewardTester.run('reward:math-answer', plugin, { valid: offline, invalid }, { sandbox: { backend: 'process' } });
RewardTester.run('reward:math-answer symbolic (process backend)', plugin, { valid: symbolic, invalid: [] }, { sandbox: { backend: 'process' } });

describe('reward:math-answer symbolic (docker backend)', function () {
  before(async function () {
    skipUnless(this, await dockerMissing('molrl/sandbox-python:0.1.0'), 'sympy equivalence on the docker backend');
  });
  RewardTester.run('sympy in the sandbox image', plugin, { valid: symbolic, invalid: [] }, { sandbox: { backend: 'docker' } });
});
