// `molrl score` on the docker pool, stopped by Ctrl-C, SIGTERM, or Ctrl-C twice: exit 130, the samples
// still running are not printed (never as infra_error), and no container of the process is left.
import { deepStrictEqual, ok } from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DOCKER_IMAGE } from '@molrl/sandbox';
import { dockerMissing, skipUnless } from '../../../../test/helpers/requirements.ts';
import { runCli } from '../../../../test/helpers/run-cli.ts';

const containersOf = (pid: number) => execFileSync('docker', ['ps', '-aq', '--filter', `label=molrl.pid=${pid}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
const FENCE = '```';

describe('molrl score: signals on the docker pool', function () {
  this.timeout(180_000);
  let dir: string;
  let config: string;
  let samples: string;
  before(async function () {
    skipUnless(this, await dockerMissing(DEFAULT_DOCKER_IMAGE), 'the signal tests run programs in the Docker sandbox pool');
    dir = mkdtempSync(join(tmpdir(), 'molrl-score-signals-'));
    config = join(dir, 'c.json');
    writeFileSync(config, JSON.stringify({ rewards: [{ plugin: 'reward:code-execution', options: { timeoutMs: 60_000 } }], sandbox: { backend: 'docker' } }));
    samples = join(dir, 's.jsonl');
    const program = (code: string) => `${FENCE}python\n${code}\n${FENCE}`;
    const lines = [{ id: 'quick', completion: program('print(1)'), groundTruth: '1' }, ...Array.from({ length: 4 }, (_, i) => ({ id: `slow${i}`, completion: program('import time\ntime.sleep(50)\nprint(1)'), groundTruth: '1' }))];
    writeFileSync(samples, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  for (const [what, signals] of [['Ctrl-C', ['SIGINT']], ['SIGTERM', ['SIGTERM']], ['Ctrl-C twice', ['SIGINT', 'SIGINT']]] as const) {
    it(`${what}: exit 130, only finished samples printed, no container left`, async () => {
      let pid = 0;
      let sent = false;
      // --concurrency 1: 'quick' runs first and alone, then one slow sample holds a container when the signal comes
      // (with more at once, two slow samples could take both pool containers before 'quick')
      const run = await runCli(['score', '--config', config, '--samples', samples, '--json', '--concurrency', '1', '--timeout-ms', '120000'], {
        onStart: (child) => (pid = child.pid!),
        onStdout: (chunk) => {
          if (sent || !chunk.includes('"quick"')) return;
          sent = true;
          // the slow samples (50 s each) are running in the pool's containers now
          signals.forEach((s, i) =>
            setTimeout(() => {
              try {
                process.kill(pid, s);
              } catch (error) {
                if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error; // already ended by the first signal
              }
            }, 300 * i),
          );
        },
      });
      // A second Ctrl-C that lands while the process is already ending (after its clean stop) finds no
      // handler left and ends it by SIGINT: a shell reports 130 either way.
      ok(run.code === 130 || (signals.length === 2 && run.signal === 'SIGINT'), `${run.code} ${run.signal} ${run.stderr}`);
      deepStrictEqual(run.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id), ['quick']);
      deepStrictEqual(containersOf(pid), [], 'containers of the stopped process');
    });
  }
});
