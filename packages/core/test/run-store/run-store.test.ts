// Tests of RunStore: layout, unique names, atomic and durable state, resume truncating to the checkpoint,
// and every fault resume must refuse or repair without changing what it cannot trust; a full disk.
import { deepStrictEqual, ok, strictEqual, throws } from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '@molrl/core';
import { skipUnless } from '../../../../test/helpers/requirements.ts';
import { mountTmpfs, type Tmpfs } from '../../../../test/helpers/tmpfs.ts';

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const snapshot = (dir: string) => Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith('.jsonl') || f === 'state.json').map((f) => [f, readFileSync(join(dir, f), 'utf8')]));

describe('RunStore', () => {
  let runs: string;
  const open: RunStore[] = [];
  const track = <T extends { store: RunStore } | RunStore>(x: T): T => {
    open.push('store' in x ? x.store : x);
    return x;
  };
  beforeEach(() => {
    runs = mkdtempSync(join(tmpdir(), 'molrl-runs-'));
  });
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
  });

  /** A run with 2 checkpointed metric/sample lines, then 1 more of each after the checkpoint; closed. */
  const checkpointed = () => {
    const s = RunStore.create(runs, 'job', { seed: 3 });
    s.appendMetrics([{ step: 1 }, { step: 2 }]);
    s.appendSamples([{ s: 1 }, { s: 2 }]);
    const ck = s.checkpointDir(2);
    mkdirSync(ck);
    writeFileSync(join(ck, 'state.json'), '{}');
    s.writeState({ phase: 1, stepInPhase: 2, globalStep: 2, checkpoint: ck, finished: false });
    s.appendMetrics([{ step: 3 }]);
    s.appendSamples([{ s: 3 }]);
    s.close();
    return s;
  };

  it('creates the layout and freezes the config', () => {
    const s = track(RunStore.create(runs, 'job', { model: 'tiny' }));
    strictEqual(s.dir, join(runs, 'job'));
    deepStrictEqual(JSON.parse(readFileSync(s.configFile, 'utf8')), { model: 'tiny' });
    ok(existsSync(s.checkpointsDir) && existsSync(s.metricsFile) && existsSync(s.samplesFile));
  });

  it('never reuses a run directory', () => {
    track(RunStore.create(runs, 'job', {}));
    strictEqual(track(RunStore.create(runs, 'job', {})).dir, join(runs, 'job-2'));
    strictEqual(track(RunStore.create(runs, 'job', {})).dir, join(runs, 'job-3'));
  });

  it('writes state.json atomically with the line counts', () => {
    const s = track(RunStore.create(runs, 'job', {}));
    s.appendMetrics([{ step: 1 }, { step: 2 }]);
    s.appendSamples([{ a: 1 }]);
    const state = s.writeState({ phase: 0, stepInPhase: 2, globalStep: 2, checkpoint: '/c', finished: false });
    strictEqual(state.metricsLines, 2);
    strictEqual(state.samplesLines, 1);
    deepStrictEqual(JSON.parse(readFileSync(s.stateFile, 'utf8')), state);
    deepStrictEqual(readdirSync(s.dir).filter((f) => f.includes('.tmp')), []);
  });

  it('resume truncates lines written after the checkpoint, including a torn last line', () => {
    const s = checkpointed();
    appendFileSync(s.metricsFile, '{"step": 4, "tor');
    const { store, state, config } = track(RunStore.resume(s.dir));
    deepStrictEqual(config, { seed: 3 });
    strictEqual(state?.phase, 1);
    deepStrictEqual(lines(store.metricsFile), [{ step: 1 }, { step: 2 }]);
    deepStrictEqual(lines(store.samplesFile), [{ s: 1 }, { s: 2 }]);
    strictEqual(store.metricsLines, 2);
    store.appendMetrics([{ step: 3 }]);
    deepStrictEqual(lines(store.metricsFile).map((l) => l.step), [1, 2, 3]);
  });

  it('resume without state.json of a run that has lines refuses (RUN_STATE_MISSING) and empties nothing', () => {
    const s = checkpointed();
    unlinkSync(s.stateFile);
    const before = snapshot(s.dir);
    throws(() => RunStore.resume(s.dir), { code: 'RUN_STATE_MISSING' });
    deepStrictEqual(snapshot(s.dir), before);
    ok(!existsSync(join(s.dir, '.lock')), 'the refused resume released its lock');
  });

  it('resume without state.json of a run that never wrote anything starts from no lines', () => {
    const s = RunStore.create(runs, 'job', {});
    s.close();
    const { state, store } = track(RunStore.resume(s.dir));
    strictEqual(state, null);
    strictEqual(store.metricsLines, 0);
  });

  it('a second resume of a run in use is refused with RUN_LOCKED naming the owner', () => {
    const s = checkpointed();
    track(RunStore.resume(s.dir));
    const before = snapshot(s.dir);
    throws(() => RunStore.resume(s.dir), (e: { code: string; details: { pid: number } }) => e.code === 'RUN_LOCKED' && e.details.pid === process.pid);
    deepStrictEqual(snapshot(s.dir), before);
  });

  it('a lock left by a dead process, or by a pid now used by another program, is taken over', () => {
    const s = checkpointed();
    writeFileSync(join(s.dir, '.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, start: '1', host: hostname(), since: 'then' }));
    track(RunStore.resume(s.dir)).store.close();
    writeFileSync(join(s.dir, '.lock'), JSON.stringify({ pid: process.pid, start: 'another start time', host: hostname(), since: 'then' }));
    const { store } = track(RunStore.resume(s.dir));
    strictEqual((JSON.parse(readFileSync(join(s.dir, '.lock'), 'utf8')) as { since: string }).since === 'then', false);
    store.close();
    ok(!existsSync(join(s.dir, '.lock')));
  });

  it('RUN_NOT_FOUND for a directory that is not a run', () => {
    throws(() => RunStore.resume(runs), { code: 'RUN_NOT_FOUND' });
  });

  it('RUN_STATE_INVALID, changing nothing, for a torn state.json, a bad field, lost lines, or a torn counted line', () => {
    const s = checkpointed();
    const good = readFileSync(s.stateFile, 'utf8');
    const cases: [string, () => void][] = [
      ['torn state.json', () => writeFileSync(s.stateFile, good.slice(0, 20))],
      ['bad field', () => writeFileSync(s.stateFile, JSON.stringify({ ...JSON.parse(good), metricsLines: -1 }))],
      ['lost lines', () => writeFileSync(s.stateFile, JSON.stringify({ ...JSON.parse(good), metricsLines: 5 }))],
      ['torn counted line', () => writeFileSync(s.metricsFile, '{"step":1}\n{"step":\n{"step":3}\n')],
    ];
    for (const [what, damage] of cases) {
      const metrics = readFileSync(s.metricsFile, 'utf8');
      damage();
      const before = snapshot(s.dir);
      throws(() => RunStore.resume(s.dir), { code: 'RUN_STATE_INVALID' }, what);
      deepStrictEqual(snapshot(s.dir), before, what);
      writeFileSync(s.stateFile, good);
      writeFileSync(s.metricsFile, metrics);
    }
  });

  it('RUN_CHECKPOINT_INVALID when the checkpoint state.json names is missing or incomplete', () => {
    const s = checkpointed();
    const ck = s.checkpointDir(2);
    unlinkSync(join(ck, 'state.json'));
    throws(() => RunStore.resume(s.dir), { code: 'RUN_CHECKPOINT_INVALID' });
    rmSync(ck, { recursive: true });
    throws(() => RunStore.resume(s.dir), { code: 'RUN_CHECKPOINT_INVALID' });
  });

  it('removes the half-written checkpoint directories a killed save leaves, and keeps the complete ones', () => {
    const s = checkpointed();
    mkdirSync(`${s.checkpointDir(3)}.tmp-4242`);
    writeFileSync(join(`${s.checkpointDir(3)}.tmp-4242`, 'model.pt'), 'half');
    mkdirSync(`${s.checkpointDir(2)}.old-4242`);
    const { repaired } = track(RunStore.resume(s.dir));
    deepStrictEqual(repaired.sort(), [`${s.checkpointDir(2)}.old-4242`, `${s.checkpointDir(3)}.tmp-4242`]);
    deepStrictEqual(readdirSync(s.checkpointsDir), ['step-000002']);
  });

  describe('on a full disk (a tmpfs the test mounts)', () => {
    let fs: Tmpfs | string;
    before(function () {
      fs = mountTmpfs(256);
      skipUnless(this, typeof fs === 'string' ? fs : null, 'the disk-full test of the run store');
    });
    after(() => typeof fs === 'object' && fs.unmount());

    it('a write that does not fit is RUN_STORE_WRITE_FAILED with the resume command; state.json stays valid; resume works once there is room', () => {
      const mount = (fs as Tmpfs).dir;
      const s = RunStore.create(mount, 'job', {});
      s.appendMetrics([{ step: 1 }]);
      s.writeState({ phase: 0, stepInPhase: 1, globalStep: 1, checkpoint: null, finished: false });
      const state = readFileSync(s.stateFile, 'utf8');
      const filler = join(mount, 'filler');
      try {
        for (;;) appendFileSync(filler, 'f'.repeat(64 * 1024));
      } catch (error) {
        strictEqual((error as { code: string }).code, 'ENOSPC');
      }
      for (const write of [() => s.appendMetrics([{ step: 2, text: 'x'.repeat(8192) }]), () => s.writeState({ phase: 0, stepInPhase: 2, globalStep: 2, checkpoint: null, finished: false })]) {
        const error = (() => {
          try {
            write();
          } catch (e) {
            return e as { code?: string; message?: string };
          }
          return undefined;
        })();
        strictEqual(error?.code, 'RUN_STORE_WRITE_FAILED');
        ok(error?.message?.includes('ENOSPC') && error.message.includes(`molrl train --resume ${s.dir}`), error?.message);
      }
      strictEqual(readFileSync(s.stateFile, 'utf8'), state, 'state.json untouched');
      deepStrictEqual(readdirSync(s.dir).filter((f) => f.includes('.tmp')), []);
      s.close();
      unlinkSync(filler);
      const { store, state: resumed } = RunStore.resume(s.dir);
      deepStrictEqual([resumed?.metricsLines, store.metricsLines, lines(store.metricsFile)], [1, 1, [{ step: 1 }]]);
      store.close();
    });
  });
});
