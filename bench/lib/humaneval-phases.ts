// Child process of the HumanEval bench (bench/lib/humaneval-score.ts): what `molrl score` does (packages/cli/src/
// commands/score.ts: read the config, createRewardEngine with the built-in plugins and default options, score every
// sample in order, close), from the built packages as the command loads them, with the time of each phase since
// this process started. Usage: node humaneval-phases.ts CONFIG SAMPLES; prints one JSON line of Phases.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Milliseconds since this process started, at the end of each phase. */
export interface Phases {
  /** @molrl/core and @molrl/plugins imported (the command's modules). */
  imported: number;
  /** createRewardEngine returned: plugins loaded (in worker threads by default); the sandbox starts meanwhile. */
  engine: number;
  /** The first sample's result. */
  first: number;
  /** The last sample's result. */
  last: number;
  /** engine.close() returned (containers removed). */
  closed: number;
  samples: number;
  /** Samples whose score is not 1. */
  wrong: number;
}

async function main(configFile: string, samplesFile: string): Promise<Phases> {
  const { createRewardEngine, readScoreConfig } = await import('@molrl/core');
  const { builtinPlugins } = await import('@molrl/plugins');
  const imported = performance.now();
  const config = readScoreConfig(configFile);
  const samples = readFileSync(samplesFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const engine = await createRewardEngine(config, { builtins: builtinPlugins, baseDir: dirname(resolve(configFile)) });
  const started = performance.now();
  let first = NaN;
  let n = 0;
  let wrong = 0;
  for await (const r of engine.scoreAll((async function* () { yield* samples; })())) {
    if (n++ === 0) first = performance.now();
    if (r.score !== 1) wrong++;
  }
  const last = performance.now();
  await engine.close();
  return { imported, engine: started, first, last, closed: performance.now(), samples: n, wrong };
}

const [configFile, samplesFile] = process.argv.slice(2);
process.stdout.write(JSON.stringify(await main(configFile!, samplesFile!)) + '\n');
