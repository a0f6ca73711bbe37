// reward:code-execution end to end on the process sandbox (and the docker image when present): options tables, levels, feedback.
import { RewardTester } from '@molrl/core';
import plugin from '../src/index.ts';
import { dockerMissing, skipUnless } from '../../../test/helpers/requirements.ts';
import type { RewardTesterValidCase } from '@molrl/core';
import type { Sandbox } from '@molrl/sandbox';

const py = (code: string): string => `Here is my solution.\n\`\`\`python\n${code}\n\`\`\`\n`;
const all = (p: number, e: number, c: number) => ({ parses: p, executes: e, correct: c });

/** The level table, run on each backend. */
export const levelCases: RewardTesterValidCase[] = [
  { name: 'scores 0 without a code block', sample: { completion: 'I think the answer is 4.', groundTruth: '4' }, expected: { score: 0, components: all(0, 0, 0), reason: 'no code block' } },
  { name: 'scores 0 for a syntax error', sample: { completion: py('def f(:\n  pass'), groundTruth: '4' }, expected: { score: 0, components: all(0, 0, 0) } },
  { name: 'scores 0.1 for a runtime error', sample: { completion: py('print(1/0)'), groundTruth: '4' }, expected: { score: 0.1, components: all(1, 0, 0) } },
  { name: 'scores 0.1 for a timeout', sample: { completion: py('while True: pass'), groundTruth: '4' }, options: { timeoutMs: 1000 }, expected: { score: 0.1, components: all(1, 0, 0), reason: 'timeout' } },
  { name: 'scores 0.1 for a non-zero sys.exit', sample: { completion: py('import sys\nsys.exit(3)'), groundTruth: '4' }, expected: { score: 0.1, components: all(1, 0, 0) } },
  { name: 'scores 0.4 for a wrong output', sample: { completion: py('print(5)'), groundTruth: '4' }, expected: { score: 0.4, components: all(1, 1, 0), reason: 'wrong output' } },
  { name: 'scores 1.0 for the right output', sample: { completion: py('print(sum(range(5)))'), groundTruth: '10' }, expected: { score: 1, components: all(1, 1, 1), reason: 'output matches' } },
  { name: 'compares numbers within the tolerance', sample: { completion: py('print(0.1 + 0.2)'), groundTruth: 0.3 }, expected: { score: 1 } },
  { name: 'reads metadata.stdin as the program input', sample: { completion: py('print(int(input()) * 2)'), groundTruth: '42', metadata: { stdin: '21\n' } }, expected: { score: 1 } },
  { name: 'runs the program as __main__', sample: { completion: py('if __name__ == "__main__":\n    print("main")'), groundTruth: 'main' }, expected: { score: 1 } },
  { name: 'accepts a clean sys.exit(0) after the output', sample: { completion: py('print(4)\nimport sys\nsys.exit(0)'), groundTruth: '4' }, expected: { score: 1 } },
  { name: 'keeps $ patterns and unicode in the program intact', sample: { completion: py('print("$&$\' \\u00e9 é")'), groundTruth: "$&$' é é" }, expected: { score: 1 } },
  { name: 'scores only the last block', sample: { completion: `${py('print(1)')}\nbetter:\n${py('print(4)')}`, groundTruth: '4' }, expected: { score: 1 } },
  { name: 'gives 0 below correct in the binary scheme', sample: { completion: py('print(5)'), groundTruth: '4' }, options: { scheme: 'binary' }, expected: { score: 0, components: all(1, 1, 0) } },
  { name: 'gives 1 when correct in the binary scheme', sample: { completion: py('print(4)'), groundTruth: '4' }, options: { scheme: 'binary' }, expected: { score: 1 } },
  { name: 'uses configured values', sample: { completion: py('print(5)'), groundTruth: '4' }, options: { values: { parses: 0.2, executes: 0.5, correct: 2 } }, expected: { score: 0.5 } },
  { name: 'abstains without a groundTruth in output mode', sample: { completion: py('print(4)') }, expected: { score: null, status: 'abstain' } },
  { name: 'passes tests that hold (tests mode)', sample: { completion: py('def add(a, b):\n    return a + b'), metadata: { tests: 'assert add(1, 2) == 3\nassert add(-1, 1) == 0' } }, options: { mode: 'tests' }, expected: { score: 1, components: all(1, 1, 1) } },
  { name: 'takes tests from groundTruth when metadata.tests is absent', sample: { completion: py('def add(a, b):\n    return a + b'), groundTruth: 'assert add(2, 2) == 4' }, options: { mode: 'tests' }, expected: { score: 1 } },
  { name: 'scores 0.4 when a test fails', sample: { completion: py('def add(a, b):\n    return a - b'), metadata: { tests: ['assert add(1, 2) == 3'] } }, options: { mode: 'tests' }, expected: { score: 0.4, components: all(1, 1, 0), reason: 'tests failed' } },
  { name: 'scores 0.1 when the program raises before its tests', sample: { completion: py('raise ValueError("boom")'), metadata: { tests: 'assert True' } }, options: { mode: 'tests' }, expected: { score: 0.1, components: all(1, 0, 0) } },
  { name: 'abstains when a sample has no tests', sample: { completion: py('x = 1') }, options: { mode: 'tests' }, expected: { score: null, status: 'abstain' } },
];

const invalid = [
  { options: { scheme: 'ternary' }, errors: [{ code: 'PLUGIN_OPTIONS_INVALID', path: 'options.scheme' }] },
  { options: { timeoutMs: 120000 }, errors: [{ code: 'PLUGIN_OPTIONS_INVALID', path: 'options.timeoutMs' }] },
  { options: { timout: 1000 }, errors: [{ code: 'PLUGIN_OPTIONS_INVALID', path: 'options.timout' }] },
  { options: { values: { parses: 'a lot' } }, errors: [{ code: 'PLUGIN_OPTIONS_INVALID', path: 'options.values.parses' }] },
  { options: { compare: { numericTolerance: -1 } }, errors: [{ code: 'PLUGIN_OPTIONS_INVALID', path: 'options.compare.numericTolerance' }] },
  { options: { mode: 'exam', memoryMb: 1 }, errors: [{ code: 'PLUGIN_OPTIONS_INVALID', path: 'options.memoryMb' }, { code: 'PLUGIN_OPTIONS_INVALID', path: 'options.mode' }] },
];

RewardTester.run('reward:code-execution (process backend)', plugin, { valid: levelCases, invalid }, { sandbox: { backend: 'process' } });

describe('reward:code-execution (docker backend)', function () {
  before(async function () {
    skipUnless(this, await dockerMissing('molrl/sandbox-python:0.1.0'), 'reward:code-execution on the docker backend');
  });
  RewardTester.run('levels', plugin, { valid: levelCases, invalid: [] }, { sandbox: { backend: 'docker' } });
});

/** A sandbox whose infrastructure is down: every run comes back `sandbox_error` (what the docker backend returns when its daemon dies). */
const brokenSandbox: Sandbox = {
  backend: 'docker',
  run: async () => ({ status: 'sandbox_error', exitCode: null, signal: null, stdout: '', stderr: '', truncated: false, durationMs: 0, error: { code: 'SANDBOX_DOCKER_UNREACHABLE', message: 'daemon down' } }),
  close: async () => {},
};

RewardTester.run('reward:code-execution on a failing sandbox', plugin, {
  valid: [
    { name: 'reports infra_error with score null, never 0', sample: { completion: py('print(4)'), groundTruth: '4' }, sandbox: brokenSandbox, expected: { score: null, status: 'infra_error' } },
    { name: 'still scores a completion without code 0 (no run needed)', sample: { completion: 'no code', groundTruth: '4' }, sandbox: brokenSandbox, expected: { score: 0, status: 'ok' } },
  ],
  invalid: [],
});
