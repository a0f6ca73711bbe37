// npm run bench -- languages: what the multi-language sandbox image costs. Its build from scratch (debootstrap of
// the Debian packages from the mirror + docker build, into throwaway image names), its size, `npm run
// test:languages`, and per language the first run of a new program (compile included) and a cached rerun. The
// numbers behind the CI decision (README: the image is not built on CI).
import { execFile, spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createDockerSandbox, DEFAULT_LANGUAGES_IMAGE, type Language } from '@molrl/sandbox';

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SKIP_BUILD = process.env.MOLRL_BENCH_SKIP_BUILD === '1';

/** One small stdin/stdout program per language; `{k}` makes each source new (a cold compile). */
const PROGRAMS: [Language, string][] = [
  ['python', 'a, b = map(int, input().split())\nprint(a + b + {k})'],
  ['c', '#include <stdio.h>\nint main() { long a, b; if (scanf("%ld %ld", &a, &b) != 2) return 1; printf("%ld\\n", a + b + {k}); return 0; }'],
  ['cpp', '#include <bits/stdc++.h>\nusing namespace std;\nint main() { long a, b; cin >> a >> b; cout << a + b + {k} << endl; }'],
  ['java', 'import java.util.*;\npublic class Main { public static void main(String[] x) { Scanner s = new Scanner(System.in); System.out.println(s.nextLong() + s.nextLong() + {k}); } }'],
  ['go', 'package main\nimport "fmt"\nfunc main() { var a, b int64; fmt.Scan(&a, &b); fmt.Println(a + b + {k}) }'],
  ['rust', 'use std::io::Read;\nfn main() { let mut s = String::new(); std::io::stdin().read_to_string(&mut s).unwrap(); let v: Vec<i64> = s.split_whitespace().map(|x| x.parse().unwrap()).collect(); println!("{}", v[0] + v[1] + {k}); }'],
  ['nodejs', "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\nconsole.log(a + b + {k});"],
  ['typescript', "const [a, b]: number[] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\nconsole.log(a + b + {k});"],
  ['bash', 'read a b\necho $((a + b + {k}))'],
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const fmt = (x: number, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Builds the image from scratch under throwaway names; seconds and bytes. */
async function buildFromScratch(): Promise<{ seconds: number; bytes: number; log: string }> {
  const tag = `bench-${process.pid}`;
  const env = { ...process.env, MOLRL_LANGUAGES_IMAGE: `molrl/sandbox-languages:${tag}`, MOLRL_LANGUAGES_BASE_IMAGE: `molrl/sandbox-languages-base:${tag}`, MOLRL_FORCE_IMAGE_BUILD: '1' };
  const t0 = performance.now();
  const r = spawnSync('bash', ['sandbox-images/languages/build.sh'], { cwd: ROOT, env, encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  try {
    if (r.status !== 0) throw new Error(`build.sh failed: ${r.stderr || r.stdout}`);
    const bytes = Number((await exec('docker', ['image', 'inspect', '-f', '{{ .Size }}', env.MOLRL_LANGUAGES_IMAGE])).stdout.trim());
    return { seconds, bytes, log: r.stdout.trim().split('\n').filter((l) => /debootstrap done|built/.test(l)).join('; ') };
  } finally {
    await exec('docker', ['image', 'rm', '-f', env.MOLRL_LANGUAGES_IMAGE, env.MOLRL_LANGUAGES_BASE_IMAGE]).catch(() => undefined);
  }
}

export default async function languagesBench(): Promise<string> {
  const loadBefore = loadavg()[0]!;
  const lines: string[] = [];
  try {
    await exec('docker', ['image', 'inspect', DEFAULT_LANGUAGES_IMAGE]);
  } catch {
    throw new Error(`${DEFAULT_LANGUAGES_IMAGE} is missing: run 'npm run setup -- --languages all'`);
  }
  const size = Number((await exec('docker', ['image', 'inspect', '-f', '{{ .Size }}', DEFAULT_LANGUAGES_IMAGE])).stdout.trim());

  // Per language: three new programs (cold: compile + run), then three reruns of the last one (binary cached).
  const pool = await createDockerSandbox({ poolSize: 1 });
  const rows: string[] = [];
  try {
    await pool.run({ language: 'bash', code: 'true', timeoutMs: 5000, memoryMb: 64, outputLimitBytes: 1024 }); // start the multi-language pool
    for (const [language, template] of PROGRAMS) {
      const cold: number[] = [];
      const compile: number[] = [];
      const warm: number[] = [];
      const base = Date.now() % 1_000_000; // new sources on every bench run: the first three are cold compiles
      for (let i = 0; i < 6; i++) {
        const k = base + Math.min(i, 2);
        const t0 = performance.now();
        const r = await pool.run({ language, code: template.replace('{k}', String(k)), stdin: '2 40', timeoutMs: 10_000, compileTimeoutMs: 60_000, memoryMb: 256, outputLimitBytes: 4096 });
        const ms = performance.now() - t0;
        if (r.status !== 'ok' || r.stdout.trim() !== String(42 + k)) throw new Error(`${language}: ${r.status} ${r.stdout} ${r.stderr.slice(0, 300)}`);
        if (i < 3) {
          cold.push(ms);
          if (r.compile) compile.push(r.compile.durationMs);
        } else warm.push(ms);
      }
      rows.push(`| ${language} | ${compile.length ? fmt(median(compile)) : '—'} | ${fmt(median(cold))} | ${fmt(median(warm))} |`);
      process.stderr.write(`  ${language}: cold ${fmt(median(cold))} ms, warm ${fmt(median(warm))} ms\n`);
    }
  } finally {
    await pool.close();
  }

  const t0 = performance.now();
  const tests = spawnSync('npm', ['run', '--silent', 'test:languages', '--', '--reporter', 'dot'], { cwd: ROOT, encoding: 'utf8' });
  const testSeconds = (performance.now() - t0) / 1000;
  const passing = /(\d+) passing/.exec(`${tests.stdout}`)?.[1];
  const failing = /(\d+) failing/.exec(`${tests.stdout}`)?.[1];
  process.stderr.write(`  npm run test:languages: ${fmt(testSeconds)} s, exit ${tests.status}\n`);

  const build = SKIP_BUILD ? null : await buildFromScratch();
  if (build) process.stderr.write(`  build from scratch: ${fmt(build.seconds)} s\n`);

  lines.push(
    `Image \`${DEFAULT_LANGUAGES_IMAGE}\`: ${fmt(size / 1e6)} MB (Debian 12: gcc/g++ 12, OpenJDK 17, Go 1.19, Rust 1.63, Node.js 18, TypeScript 4.8, Python 3.11, Bash 5.2).`,
    build
      ? `Build from scratch (\`sandbox-images/languages/build.sh\`, debootstrap from the Debian mirror apt uses, then docker build; throwaway names): **${fmt(build.seconds)} s** (${build.log}).`
      : 'Build from scratch not measured (MOLRL_BENCH_SKIP_BUILD=1).',
    `\`npm run test:languages\` (every language's statuses and hostile programs, mode io in every language, the CLI): **${fmt(testSeconds)} s**, exit ${tests.status}${passing ? `, ${passing} passing` : ''}${failing ? `, ${failing} failing` : ''}.`,
    '',
    'Per language, one docker pool (1 container of each image), a program reading two numbers: median of 3 new programs (cold: compile in the sandbox + run; `compile ms` is the compiler alone) and of 3 reruns of the last one (its binary from the compile cache).',
    '',
    '| language | compile ms | first run ms (cold) | rerun ms (cached) |',
    '|---|---:|---:|---:|',
    ...rows,
    '',
    '**CI decision:** CI runs `npm run setup` (the Python image only) and `npm test` on a fresh 2-core machine within a 15-minute budget; the image build above plus its tests would add about their sum to every CI run, too much of that budget. So the multi-language image is opt-in (`npm run setup -- --languages all`), its tests skip loudly in `npm test` (also on CI) naming `npm run test:languages`, which runs them.',
    '',
    `1-minute load average ${loadBefore.toFixed(2)} before and ${loadavg()[0]!.toFixed(2)} after, on ${availableParallelism()} cores (other processes share this machine).`,
  );
  return lines.join('\n');
}
