// reward:code-execution in mode 'io' (stdin/stdout cases) and other languages in output mode: levels, fraction,
// early stop, case shapes, feedback; Python and Node.js on the process and docker backends, every other language
// on the multi-language image (npm run test:languages).
import assert from 'node:assert/strict';
import { createRewardEngine, RewardTester, type RewardTesterValidCase } from '@molrl/core';
import { createSandbox, DEFAULT_DOCKER_IMAGE, type RunOptions, type RunRequest, type Sandbox } from '@molrl/sandbox';
import plugin from '../src/index.ts';
import { dockerMissing, languagesImageMissing, skipUnless, skipUnlessLanguages } from '../../../test/helpers/requirements.ts';

const fence = (tag: string, code: string): string => `My solution:\n\`\`\`${tag}\n${code}\n\`\`\`\n`;
const levels = (p: number, e: number, c: number, fraction: number) => ({ parses: p, executes: e, correct: c, fraction });
const io = { mode: 'io' } as const;

const DOUBLE_PY = 'print(int(input()) * 2)';
const DOUBLE_JS = "console.log(Number(require('fs').readFileSync(0, 'utf8')) * 2)";
const cases = (...pairs: [string, string][]) => pairs.map(([stdin, expected]) => ({ stdin, expected }));
const three = cases(['1\n', '2\n'], ['2\n', '4\n'], ['3\n', '6\n']);
/** Case 2 of 3 expects a wrong answer, so a correct program fails exactly there. */
const secondWrong = cases(['1\n', '2\n'], ['2\n', '5\n'], ['3\n', '6\n']);

/** The io table, run on each backend (Python and Node.js programs). */
export const ioCases: RewardTesterValidCase[] = [
  { name: 'scores 1.0 when every case passes', sample: { completion: fence('python', DOUBLE_PY), groundTruth: three }, options: io, expected: { score: 1, components: levels(1, 1, 1, 1), reason: 'all 3 cases passed' } },
  { name: 'scores 0.4 for a wrong output and stops there (fraction: cases before it)', sample: { completion: fence('python', DOUBLE_PY), groundTruth: secondWrong }, options: io, expected: { score: 0.4, components: levels(1, 1, 0, 1 / 3), reason: 'wrong output on case 2 of 3' } },
  { name: 'runs every case without stopOnFirstFailure (fraction: cases passed)', sample: { completion: fence('python', DOUBLE_PY), groundTruth: secondWrong }, options: { ...io, stopOnFirstFailure: false }, expected: { score: 0.4, components: levels(1, 1, 0, 2 / 3) } },
  { name: 'scores 0.1 for a crash on a case', sample: { completion: fence('python', 'n = int(input())\nassert n != 2\nprint(n * 2)'), groundTruth: three }, options: io, expected: { score: 0.1, components: levels(1, 0, 0, 1 / 3), reason: 'runtime error on case 2 of 3' } },
  { name: 'scores 0.1 when a later case crashes, without early stop', sample: { completion: fence('python', 'n = int(input())\nassert n != 3\nprint(n * 2)'), groundTruth: secondWrong }, options: { ...io, stopOnFirstFailure: false }, expected: { score: 0.1, components: levels(1, 0, 0, 1 / 3) } },
  { name: 'scores 0.1 for a timeout on a case', sample: { completion: fence('python', 'n = int(input())\nwhile n == 3: pass\nprint(n * 2)'), groundTruth: three }, options: { ...io, timeoutMs: 500 }, expected: { score: 0.1, components: levels(1, 0, 0, 2 / 3), reason: 'timeout on case 3 of 3' } },
  { name: 'scores 0 for a syntax error', sample: { completion: fence('python', 'def f(:\n  pass'), groundTruth: three }, options: io, expected: { score: 0, components: levels(0, 0, 0, 0), reason: 'syntax error' } },
  { name: 'scores 0 without a code block', sample: { completion: 'the answer is 4', groundTruth: three }, options: io, expected: { score: 0, reason: 'no code block' } },
  { name: 'counts a SyntaxError raised at run time as parsing', sample: { completion: fence('python', 'eval("1 +")'), groundTruth: three }, options: io, expected: { score: 0.1, components: levels(1, 0, 0, 0) } },
  { name: 'gives 1 or 0 in the binary scheme, with the fraction', sample: { completion: fence('python', DOUBLE_PY), groundTruth: secondWrong }, options: { ...io, scheme: 'binary', stopOnFirstFailure: false }, expected: { score: 0, components: levels(1, 1, 0, 2 / 3) } },
  { name: 'reads cases from metadata.tests as { input, output }', sample: { completion: fence('py', DOUBLE_PY), metadata: { tests: [{ input: '5\n', output: '10\n' }] } }, options: io, expected: { score: 1 } },
  { name: 'reads APPS-style { inputs, outputs } from a JSON string groundTruth', sample: { completion: fence('python3', DOUBLE_PY), groundTruth: JSON.stringify({ inputs: ['4\n', '5\n'], outputs: ['8\n', '10\n'] }) }, options: io, expected: { score: 1, components: levels(1, 1, 1, 1) } },
  { name: 'reads CodeContests-style { input, output } lists', sample: { completion: fence('python', DOUBLE_PY), groundTruth: { input: ['7\n'], output: ['14\n'] } }, options: io, expected: { score: 1 } },
  { name: 'compares token by token with compare.tokens', sample: { completion: fence('python', 'print(1.0000000001, "  ", 2)'), groundTruth: cases(['', '1.0\n2\n']) }, options: { ...io, compare: { tokens: true } }, expected: { score: 1 } },
  { name: 'compares whole outputs by default', sample: { completion: fence('python', 'print(1, 2)'), groundTruth: cases(['', '1\n2\n']) }, options: io, expected: { score: 0.4 } },
  { name: 'abstains without cases', sample: { completion: fence('python', DOUBLE_PY) }, options: io, expected: { score: null, status: 'abstain' } },
  { name: 'abstains on malformed cases', sample: { completion: fence('python', DOUBLE_PY), groundTruth: 'print(1)' }, options: io, expected: { score: null, status: 'abstain' } },
  { name: 'abstains on an unknown metadata.language', sample: { completion: fence('cobol', 'DISPLAY 1'), groundTruth: three, metadata: { language: 'cobol' } }, options: io, expected: { score: null, status: 'abstain' } },
  { name: 'runs JavaScript from metadata.language with a ```js fence', sample: { completion: fence('js', DOUBLE_JS), groundTruth: three, metadata: { language: 'javascript' } }, options: io, expected: { score: 1, components: levels(1, 1, 1, 1) } },
  { name: 'scores 0 for a JavaScript syntax error', sample: { completion: fence('javascript', 'console.log(1 +'), groundTruth: three, metadata: { language: 'nodejs' } }, options: io, expected: { score: 0, reason: 'syntax error' } },
  { name: 'runs the option language (JavaScript) without metadata', sample: { completion: fence('javascript', DOUBLE_JS), groundTruth: three }, options: { ...io, language: 'nodejs' }, expected: { score: 1 } },
  { name: 'scores JavaScript in output mode against groundTruth', sample: { completion: fence('js', 'console.log(6 * 7)'), groundTruth: '42', metadata: { language: 'js' } }, expected: { score: 1, components: { parses: 1, executes: 1, correct: 1 }, reason: 'output matches' } },
  { name: 'abstains on a JavaScript sample in tests mode', sample: { completion: fence('js', 'function f() {}'), groundTruth: 'assert f() is None', metadata: { language: 'js' } }, options: { mode: 'tests' }, expected: { score: null, status: 'abstain' } },
];

const invalid = [
  { options: { mode: 'stdio' }, errors: [{ code: 'PLUGIN_OPTIONS_INVALID', path: 'options.mode' }] },
  { options: { language: 'cobol' }, errors: [{ code: 'PLUGIN_OPTIONS_INVALID', path: 'options.language' }] },
  { options: { caseConcurrency: 0 }, errors: [{ code: 'PLUGIN_OPTIONS_INVALID', path: 'options.caseConcurrency' }] },
  { options: { compileTimeoutMs: 10 }, errors: [{ code: 'PLUGIN_OPTIONS_INVALID', path: 'options.compileTimeoutMs' }] },
  { options: { compare: { tokens: 'yes' } }, errors: [{ code: 'PLUGIN_OPTIONS_INVALID', path: 'options.compare.tokens' }] },
];

RewardTester.run('reward:code-execution mode io (process backend)', plugin, { valid: ioCases, invalid }, { sandbox: { backend: 'process' } });

describe('reward:code-execution mode io (docker backend)', function () {
  before(async function () {
    skipUnless(this, await dockerMissing(DEFAULT_DOCKER_IMAGE), 'reward:code-execution mode io on the docker backend');
  });
  // JavaScript needs the multi-language image: only the Python cases here
  RewardTester.run('io levels', plugin, { valid: ioCases.filter((c) => !/JavaScript/.test(c.name ?? '')), invalid: [] }, { sandbox: { backend: 'docker' } });
});

/** A real sandbox that records every request it runs (to count runs and see their order). */
function recording(inner: Sandbox): Sandbox & { requests: RunRequest[] } {
  const requests: RunRequest[] = [];
  return { backend: inner.backend, requests, run: (req: RunRequest, opts?: RunOptions) => (requests.push(req), inner.run(req, opts)), close: () => inner.close() };
}

async function scoreOne(sandbox: Sandbox, sample: Record<string, unknown>, options: Record<string, unknown>) {
  const engine = await createRewardEngine({ rewards: [{ plugin, options }], sandbox }, { workers: false, retries: 0 });
  try {
    const scored = await engine.score({ id: 's', metadata: {}, completion: '', ...sample });
    return scored.rewards[engine.plugins[0]!.name]!;
  } finally {
    await engine.close();
  }
}

describe('reward:code-execution mode io: early stop and feedback (process backend)', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await createSandbox({ backend: 'process', process: { quiet: true } });
  });
  after(async () => sandbox?.close());

  it('starts no case after the first failure is seen: one at a time, only the failing first case runs', async () => {
    const r = recording(sandbox);
    const ten = Array.from({ length: 10 }, (_, i) => ({ stdin: `${i}\n`, expected: i === 0 ? 'wrong' : `${i * 2}\n` }));
    const result = await scoreOne(r, { completion: fence('python', DOUBLE_PY), groundTruth: ten }, { ...io, caseConcurrency: 1 });
    assert.deepEqual([result.score, result.components.fraction], [0.4, 0]);
    assert.deepEqual(r.requests.filter((q) => q.code === DOUBLE_PY).map((q) => q.stdin), ['0\n']);
  });

  it('with cases in parallel, scores the first failing case in case order, whichever cases finished first', async () => {
    const r = recording(sandbox);
    const ten = Array.from({ length: 10 }, (_, i) => ({ stdin: `${i}\n`, expected: i === 1 ? 'wrong' : `${i * 2}\n` }));
    const result = await scoreOne(r, { completion: fence('python', DOUBLE_PY), groundTruth: ten }, { ...io, caseConcurrency: 3 });
    assert.deepEqual([result.score, result.components.fraction, result.reason], [0.4, 0.1, 'wrong output on case 2 of 10']);
    const ran = r.requests.filter((q) => q.code === DOUBLE_PY).map((q) => q.stdin);
    assert.deepEqual(ran.slice(0, 3), ['0\n', '1\n', '2\n'], 'cases start in order');
  });

  it('names the first failing case with its input, expected and got, and the first differing line', async () => {
    const result = await scoreOne(sandbox, { completion: fence('python', 'print("a")\nprint(int(input()) * 2)'), groundTruth: cases(['1\n', 'a\n2\n'], ['2\n', 'a\n5\n']) }, io);
    assert.equal(
      result.feedback,
      'Observation: Execution logs:\nTest case 2 of 2: wrong output.\nInput:\n2\nExpected:\na\n5\nGot:\na\n4\nFirst difference at line 2: expected "5", got "4"',
    );
  });

  it('truncates long inputs and outputs in the feedback', async () => {
    const big = 'x'.repeat(5000);
    const result = await scoreOne(sandbox, { completion: fence('python', 'print(input()[::-1] + "y")'), groundTruth: cases([`${big}\n`, `${big}\n`]) }, { ...io, feedbackMaxChars: 400 });
    assert.ok(result.feedback!.length <= 400 + 40, `${result.feedback!.length} characters`);
    assert.match(result.feedback!, /Test case 1 of 1: wrong output\.\nInput:\nx+\.\.\.\[\d+ more characters\]/);
  });

  it('shows the error of the case that crashed, and the parser\'s message for a syntax error', async () => {
    const crash = await scoreOne(sandbox, { completion: fence('python', 'n = int(input())\nif n == 2: raise ValueError("bad n")\nprint(n * 2)'), groundTruth: three }, io);
    assert.match(crash.feedback!, /^Observation: Error: Test case 2 of 3: runtime error \(exit code 1\)\.\nInput:\n2\n[\s\S]*ValueError: bad n$/);
    const syntax = await scoreOne(sandbox, { completion: fence('python', 'def f(:\n  pass'), groundTruth: three }, io);
    assert.match(syntax.feedback!, /^Observation: Error: [\s\S]*SyntaxError/);
  });

  it('says that every case passed', async () => {
    const result = await scoreOne(sandbox, { completion: fence('python', DOUBLE_PY), groundTruth: three }, io);
    assert.equal(result.feedback, 'Observation: Execution logs:\nAll 3 test cases passed.');
  });
});

/** One io problem per language of the multi-language image: each reads n and prints 2n. */
const DOUBLE: Record<string, [string, string]> = {
  cpp: ['cpp', '#include <iostream>\nint main() { long n; std::cin >> n; std::cout << 2 * n << "\\n"; }'],
  c: ['c', '#include <stdio.h>\nint main() { long n; if (scanf("%ld", &n) != 1) return 1; printf("%ld\\n", 2 * n); return 0; }'],
  java: ['java', 'import java.util.*;\npublic class Solution { public static void main(String[] a) { System.out.println(2 * new Scanner(System.in).nextLong()); } }'],
  go: ['go', 'package main\nimport "fmt"\nfunc main() { var n int64; fmt.Scan(&n); fmt.Println(2 * n) }'],
  rust: ['rust', 'fn main() { let mut s = String::new(); std::io::stdin().read_line(&mut s).unwrap(); let n: i64 = s.trim().parse().unwrap(); println!("{}", 2 * n); }'],
  typescript: ['ts', "const n: number = Number(require('fs').readFileSync(0, 'utf8'));\nconsole.log(2 * n);"],
  javascript: ['js', DOUBLE_JS],
  bash: ['bash', 'read n\necho $((2 * n))'],
};

describe('reward:code-execution mode io in every language (multi-language image)', function () {
  let sandbox: Sandbox;
  before(async function () {
    skipUnlessLanguages(this, await languagesImageMissing(), 'reward:code-execution in every language');
    sandbox = await createSandbox({ backend: 'docker', docker: { poolSize: 2 } });
  });
  after(async () => sandbox?.close());

  for (const [language, [tag, code]] of Object.entries(DOUBLE)) {
    it(`scores a ${language} solution 1.0 on its cases, and a wrong one 0.4`, async () => {
      const ok = await scoreOne(sandbox, { completion: fence(tag, code), groundTruth: three, metadata: { language } }, io);
      assert.deepEqual([ok.score, ok.components, ok.reason], [1, levels(1, 1, 1, 1), 'all 3 cases passed'], JSON.stringify(ok));
      const wrong = await scoreOne(sandbox, { completion: fence(tag, code), groundTruth: secondWrong, metadata: { language } }, io);
      assert.deepEqual([wrong.score, wrong.components.fraction], [0.4, 1 / 3], JSON.stringify(wrong));
    });
  }

  it('compiles once per sample, not once per case', async () => {
    const docker = sandbox as unknown as { compiles: number };
    const before = docker.compiles;
    const ten = Array.from({ length: 10 }, (_, i) => ({ stdin: `${i}\n`, expected: `${2 * i}\n` }));
    const result = await scoreOne(sandbox, { completion: fence('cpp', `${DOUBLE.cpp![1]}\n// once`), groundTruth: ten, metadata: { language: 'cpp' } }, { ...io, caseConcurrency: 8 });
    assert.equal(result.score, 1);
    assert.equal(docker.compiles - before, 1);
  });

  it('scores a compile error 0 and shows the compiler\'s first message', async () => {
    const result = await scoreOne(sandbox, { completion: fence('c++', 'int main() { return x; }'), groundTruth: three, metadata: { language: 'C++' } }, io);
    assert.deepEqual([result.score, result.components, result.reason], [0, levels(0, 0, 0, 0), 'compile error']);
    assert.match(result.feedback!, /^Observation: Error: Compilation failed:\nmain\.cpp: In function .int main\(\).:\nmain\.cpp:1:21: error: .x. was not declared/);
  });

  it('scores a C++ program in output mode, and a timeout on a case as 0.1', async () => {
    const out = await scoreOne(sandbox, { completion: fence('cpp', '#include <cstdio>\nint main() { puts("42"); }'), groundTruth: 42, metadata: { language: 'cpp' } }, {});
    assert.deepEqual([out.score, out.reason], [1, 'output matches']);
    const slow = await scoreOne(sandbox, { completion: fence('cpp', 'int main() { volatile int x = 0; for (;;) x++; }'), groundTruth: three, metadata: { language: 'cpp' } }, { ...io, timeoutMs: 500 });
    assert.deepEqual([slow.score, slow.reason], [0.1, 'timeout on case 1 of 3']);
  });
});
