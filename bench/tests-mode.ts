// npm run bench -- tests-mode: the cost per sample of reward:code-execution in mode 'tests' on HumanEval-like
// programs (a function, then `def check(candidate)` asserts and `check(fn)`), against baselines measured in the
// same run: the same programs with their checks appended in output mode (one plain run each), and sequential
// host `python3 -c` of program + checks.
import { execFile } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { promisify } from 'node:util';
import { createRewardEngine, type RewardSample } from '@molrl/core';
import { builtinPlugins } from '@molrl/plugins';
import { createSandbox, type BackendName, type Sandbox } from '@molrl/sandbox';

const exec = promisify(execFile);
const COPIES = Number(process.env.MOLRL_BENCH_COPIES ?? 4);
const CONCURRENCY = 4;

/** HumanEval-shaped problems: a correct and a wrong body, and the checks (7 or 8 asserts each). */
const PROBLEMS: Array<{ fn: string; args: string; good: string; bad: string; cases: Array<[string, string]> }> = [
  { fn: 'add', args: 'a: int, b: int', good: 'return a + b', bad: 'return a - b', cases: [['1, 2', '3'], ['0, 0', '0'], ['-5, 5', '0'], ['10, 7', '17'], ['100, 1', '101'], ['2, 2', '4'], ['7, -3', '4']] },
  { fn: 'reverse_words', args: 's: str', good: "return ' '.join(s.split()[::-1])", bad: 'return s[::-1]', cases: [["'a b c'", "'c b a'"], ["'hello world'", "'world hello'"], ["''", "''"], ["'one'", "'one'"], ["'x  y'", "'y x'"], ["'1 2 3 4'", "'4 3 2 1'"], ["'ab cd'", "'cd ab'"]] },
  { fn: 'running_max', args: 'xs: List[int]', good: 'out, m = [], None\n    for x in xs:\n        m = x if m is None else max(m, x)\n        out.append(m)\n    return out', bad: 'return sorted(xs)', cases: [['[1, 3, 2]', '[1, 3, 3]'], ['[]', '[]'], ['[5, 4, 3]', '[5, 5, 5]'], ['[1, 2, 3]', '[1, 2, 3]'], ['[2, 2]', '[2, 2]'], ['[-1, -2, 0]', '[-1, -1, 0]'], ['[9]', '[9]']] },
  { fn: 'count_vowels', args: 's: str', good: "return sum(c in 'aeiouAEIOU' for c in s)", bad: "return s.count('a')", cases: [["'hello'", '2'], ["''", '0'], ["'AEIOU'", '5'], ["'xyz'", '0'], ["'banana'", '3'], ["'Queue'", '4'], ["'rhythm'", '0']] },
  { fn: 'is_palindrome', args: 'text: str', good: 'return text == text[::-1]', bad: 'return len(text) % 2 == 0', cases: [["''", 'True'], ["'aba'", 'True'], ["'aaaaa'", 'True'], ["'zbcd'", 'False'], ["'xywyx'", 'True'], ["'xywyz'", 'False'], ["'xywzx'", 'False']] },
  { fn: 'word_freq', args: 's: str', good: 'd = {}\n    for w in s.split():\n        d[w] = d.get(w, 0) + 1\n    return d', bad: 'return {w: 1 for w in s.split()}', cases: [["'a b a'", "{'a': 2, 'b': 1}"], ["''", '{}'], ["'x'", "{'x': 1}"], ["'c c c'", "{'c': 3}"], ["'a b'", "{'a': 1, 'b': 1}"], ["'b a b a'", "{'b': 2, 'a': 2}"], ["'z z y'", "{'z': 2, 'y': 1}"]] },
  { fn: 'mean_absolute_deviation', args: 'numbers: List[float]', good: 'mean = sum(numbers) / len(numbers)\n    return sum(abs(x - mean) for x in numbers) / len(numbers)', bad: 'return max(numbers) - min(numbers)', cases: [['[1.0, 2.0, 3.0]', '2.0 / 3.0'], ['[1.0, 2.0, 3.0, 4.0]', '1.0'], ['[1.0, 2.0, 3.0, 4.0, 5.0]', '6.0 / 5.0'], ['[5.0]', '0.0'], ['[2.0, 2.0]', '0.0'], ['[0.0, 4.0]', '2.0'], ['[-1.0, 1.0]', '1.0']] },
  { fn: 'unique_sorted', args: 'xs: List[int]', good: 'return sorted(set(xs))', bad: 'return xs', cases: [['[3, 1, 3]', '[1, 3]'], ['[]', '[]'], ['[5, 3, 5, 2, 3, 3, 9, 0, 123]', '[0, 2, 3, 5, 9, 123]'], ['[1]', '[1]'], ['[2, 1]', '[1, 2]'], ['[4, 4, 4]', '[4]'], ['[-1, 1]', '[-1, 1]']] },
];

function sample(i: number): RewardSample & { correct: boolean; full: string; plain: string } {
  const p = PROBLEMS[i % PROBLEMS.length]!;
  const correct = Math.floor(i / PROBLEMS.length) % 2 === 0;
  const program = `from typing import List\n\n\ndef ${p.fn}(${p.args}):\n    ${correct ? p.good : p.bad}\n`;
  const isFloat = p.fn === 'mean_absolute_deviation';
  const asserts = p.cases.map(([a, e]) => (isFloat ? `    assert abs(candidate(${a}) - (${e})) < 1e-6` : `    assert candidate(${a}) == ${e}`));
  const tests = `METADATA = {'author': 'bench', 'dataset': 'test'}\n\n\ndef check(candidate):\n${asserts.join('\n')}\n\ncheck(${p.fn})\n`;
  const completion = `Here is the function.\n\n\`\`\`python\n${program}\`\`\`\n`;
  return {
    id: `h${i}`,
    completion,
    metadata: { tests },
    correct,
    full: `${program}\n${tests}`,
    plain: `Here is the function.\n\n\`\`\`python\n${program}\n${tests}\nprint("ok")\n\`\`\`\n`,
  };
}

interface Row {
  path: string;
  n: number;
  seconds: number;
  medianMs: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2 : NaN;
};

async function throughEngine(sandbox: Sandbox, samples: RewardSample[], mode: 'tests' | 'output', expect: (i: number, score: number | null) => boolean): Promise<Row & { wrong: number }> {
  const engine = await createRewardEngine({ rewards: [{ plugin: 'reward:code-execution', options: { mode, timeoutMs: 10_000 } }], sandbox }, { workers: false, concurrency: CONCURRENCY, builtins: builtinPlugins });
  try {
    for await (const _ of engine.scoreAll(samples.slice(0, 8))) void _; // warm-up
    const latencies: number[] = [];
    let wrong = 0;
    const t0 = performance.now();
    let i = 0;
    for await (const r of engine.scoreAll(samples)) {
      latencies.push(r.durationMs);
      if (!expect(i++, r.score)) wrong += 1;
    }
    return { path: '', n: samples.length, seconds: (performance.now() - t0) / 1000, medianMs: median(latencies), wrong };
  } finally {
    await engine.close();
  }
}

export default async function bench(): Promise<string> {
  const backend = (process.env.MOLRL_BENCH_BACKEND ?? 'docker') as BackendName;
  const loadBefore = loadavg()[0]!;
  const all = Array.from({ length: PROBLEMS.length * 2 * COPIES }, (_, i) => sample(i));
  const sandbox = await createSandbox({ backend });
  const rows: Row[] = [];
  const notes: string[] = [];
  try {
    const tests = await throughEngine(sandbox, all, 'tests', (i, s) => s === (all[i]!.correct ? 1 : 0.4));
    rows.push({ ...tests, path: `reward:code-execution mode 'tests' (${backend}, c=${CONCURRENCY})` });
    if (tests.wrong) notes.push(`**${tests.wrong} of ${tests.n} samples in mode 'tests' were scored against expectation** (correct 1.0, wrong 0.4).`);
    const plain = all.map((s) => ({ ...s, completion: s.plain, groundTruth: 'ok', metadata: {} }));
    const output = await throughEngine(sandbox, plain, 'output', (i, s) => s === (all[i]!.correct ? 1 : 0.1));
    rows.push({ ...output, path: `same programs + checks in mode 'output' (${backend}, c=${CONCURRENCY})` });
    if (output.wrong) notes.push(`**${output.wrong} of ${output.n} samples in mode 'output' were scored against expectation**.`);
  } finally {
    await sandbox.close();
  }
  const latencies: number[] = [];
  const t0 = performance.now();
  for (const s of all) {
    const t = performance.now();
    await exec('/usr/bin/python3', ['-c', s.full]).catch(() => undefined);
    latencies.push(performance.now() - t);
  }
  rows.push({ path: 'host `python3 -c` program + checks, sequential', n: all.length, seconds: (performance.now() - t0) / 1000, medianMs: median(latencies) });
  const perSample = (r: Row) => (r.seconds * 1000) / r.n;
  const lines = [
    `${all.length} HumanEval-shaped samples (${PROBLEMS.length} problems, a correct and a wrong body each, ×${COPIES}): \`from typing import List\`, one function,`,
    "then `def check(candidate)` with 7 asserts and `check(fn)`. Every score is checked (correct 1.0, wrong 0.4 in mode 'tests').",
    '',
    '| path | n | samples/s | wall ms per sample | median latency ms | vs. mode \'output\' |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.path} | ${r.n} | ${(r.n / r.seconds).toFixed(1)} | ${perSample(r).toFixed(2)} | ${r.medianMs.toFixed(2)} | ${(perSample(r) / perSample(rows[1]!)).toFixed(2)}× |`),
    '',
    `- 1-minute load average ${loadBefore.toFixed(2)} before and ${loadavg()[0]!.toFixed(2)} after, on ${availableParallelism()} cores.`,
    ...notes.map((n) => `- ${n}`),
  ];
  return lines.join('\n');
}
