// The HumanEval target of the sandbox bench: the 164 HumanEval-shaped canonical solutions scored in mode 'tests'
// through the real `molrl score` command (packages/cli/bin/molrl.js, built; docker backend, default settings), in
// alternating rounds with the baseline measured in the same run: sequential host `python3 -c` of program + tests.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { humanEvalShaped, programOf, testsOf } from './humaneval-shaped.ts';

const exec = promisify(execFile);
const MOLRL = fileURLToPath(new URL('../../packages/cli/bin/molrl.js', import.meta.url));

/** One round of one path. */
export interface ScoreRound {
  seconds: number;
  /** Samples whose score is not 1 (every canonical solution passes its tests). */
  wrong: number;
}

/** Runs `molrl score --json` on the set; the whole command's wall time (process start and pool start included). */
async function molrlScore(dir: string, n: number): Promise<ScoreRound> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--no-node-snapshot', '--disable-warning=ExperimentalWarning', MOLRL, 'score', '--config', join(dir, 'config.json'), '--samples', join(dir, 'samples.jsonl'), '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const seconds = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`molrl score exited with ${code}: ${stderr.slice(-2000)}`);
  const results = stdout.trim().split('\n').map((l) => JSON.parse(l) as { score: number | null });
  if (results.length !== n) throw new Error(`molrl score printed ${results.length} results for ${n} samples`);
  return { seconds, wrong: results.filter((r) => r.score !== 1).length };
}

/** Sequential host `python3 -c` of program + tests, one process per sample (exit 0 = passed). */
async function hostPython(programs: string[]): Promise<ScoreRound> {
  let wrong = 0;
  const t0 = performance.now();
  for (const p of programs) await exec('/usr/bin/python3', ['-c', p]).catch(() => (wrong += 1));
  return { seconds: (performance.now() - t0) / 1000, wrong };
}

/** Markdown lines: the table and the target verdict (≥ 3× the host baseline). */
export async function humanEvalScoreSection(rounds = 3): Promise<string[]> {
  const problems = humanEvalShaped();
  const dir = mkdtempSync(join(tmpdir(), 'molrl-bench-humaneval-'));
  try {
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ rewards: [{ plugin: 'reward:code-execution', options: { mode: 'tests' } }], sandbox: { backend: 'docker' } }));
    writeFileSync(
      join(dir, 'samples.jsonl'),
      problems.map((p) => JSON.stringify({ id: p.taskId, completion: `\`\`\`python\n${programOf(p)}\`\`\`\n`, metadata: { tests: testsOf(p) } })).join('\n') + '\n',
    );
    const host = problems.map((p) => `${programOf(p)}\n${testsOf(p)}`);
    const score: ScoreRound[] = [];
    const python: ScoreRound[] = [];
    for (let round = 0; round < rounds; round++) {
      score.push(await molrlScore(dir, problems.length));
      python.push(await hostPython(host));
      process.stderr.write(`  humaneval round ${round + 1}: molrl score ${(problems.length / score.at(-1)!.seconds).toFixed(1)}/s, host python3 -c ${(problems.length / python.at(-1)!.seconds).toFixed(1)}/s\n`);
    }
    const med = (xs: ScoreRound[]) => [...xs].sort((a, b) => a.seconds - b.seconds)[Math.floor((xs.length - 1) / 2)]!;
    const s = med(score);
    const h = med(python);
    const ratio = h.seconds / s.seconds;
    const wrong = score.reduce((n, r) => n + r.wrong, 0);
    const hostWrong = python.reduce((n, r) => n + r.wrong, 0);
    return [
      `**HumanEval canonical in mode 'tests'** (${problems.length} HumanEval-shaped problems from bench/lib/humaneval-shaped.ts: prompt + canonical body, \`def check(candidate)\` + \`check(entry_point)\`). ` +
        `\`molrl score --json\` is the whole command (Node start, docker pool start, scoring, close) with \`{ rewards: [{ plugin: 'reward:code-execution', options: { mode: 'tests' } }], sandbox: { backend: 'docker' } }\` (default settings); ` +
        `the baseline runs each program + tests with \`python3 -c\` on the host, one after another. Median of ${rounds} alternating rounds.`,
      '',
      '| Path | n | seconds | samples/s | samples not passing |',
      '|---|---:|---:|---:|---:|',
      `| \`molrl score\`, mode 'tests', docker | ${problems.length} | ${s.seconds.toFixed(2)} | ${(problems.length / s.seconds).toFixed(1)} | ${wrong} of ${problems.length * rounds} |`,
      `| host \`python3 -c\`, sequential | ${problems.length} | ${h.seconds.toFixed(2)} | ${(problems.length / h.seconds).toFixed(1)} | ${hostWrong} of ${problems.length * rounds} |`,
      '',
      '| Target | Measured | Verdict |',
      '|---|---:|---|',
      `| HumanEval canonical, mode 'tests', \`molrl score\` >= 3x sequential host \`python3 -c\` | ${ratio.toFixed(2)}x | ${ratio >= 3 && wrong === 0 ? '**pass**' : '**miss**'} |`,
      '',
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
