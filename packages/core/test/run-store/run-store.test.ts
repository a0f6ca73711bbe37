// Tests of RunStore: layout, unique names, atomic state, resume truncating metrics/samples to the checkpoint.
import { deepStrictEqual, ok, strictEqual, throws } from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '@molrl/core';

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe('RunStore', () => {
  let runs: string;
  beforeEach(() => {
    runs = mkdtempSync(join(tmpdir(), 'molrl-runs-'));
  });

  it('creates the layout and freezes the config', () => {
    const s = RunStore.create(runs, 'job', { model: 'tiny' });
    strictEqual(s.dir, join(runs, 'job'));
    deepStrictEqual(JSON.parse(readFileSync(s.configFile, 'utf8')), { model: 'tiny' });
    ok(existsSync(s.checkpointsDir) && existsSync(s.metricsFile) && existsSync(s.samplesFile));
  });

  it('never reuses a run directory', () => {
    RunStore.create(runs, 'job', {});
    strictEqual(RunStore.create(runs, 'job', {}).dir, join(runs, 'job-2'));
    strictEqual(RunStore.create(runs, 'job', {}).dir, join(runs, 'job-3'));
  });

  it('writes state.json atomically with the line counts', () => {
    const s = RunStore.create(runs, 'job', {});
    s.appendMetrics([{ step: 1 }, { step: 2 }]);
    s.appendSamples([{ a: 1 }]);
    const state = s.writeState({ phase: 0, stepInPhase: 2, globalStep: 2, checkpoint: '/c', finished: false });
    strictEqual(state.metricsLines, 2);
    strictEqual(state.samplesLines, 1);
    deepStrictEqual(JSON.parse(readFileSync(s.stateFile, 'utf8')), state);
    deepStrictEqual(readdirSync(s.dir).filter((f) => f.includes('.tmp')), []);
  });

  it('resume truncates lines written after the checkpoint, including a torn last line', () => {
    const s = RunStore.create(runs, 'job', { seed: 3 });
    s.appendMetrics([{ step: 1 }, { step: 2 }]);
    s.appendSamples([{ s: 1 }, { s: 2 }]);
    s.writeState({ phase: 1, stepInPhase: 2, globalStep: 2, checkpoint: '/c', finished: false });
    s.appendMetrics([{ step: 3 }]);
    s.appendSamples([{ s: 3 }]);
    appendFileSync(s.metricsFile, '{"step": 4, "tor');
    const { store, state, config } = RunStore.resume(s.dir);
    deepStrictEqual(config, { seed: 3 });
    strictEqual(state?.phase, 1);
    deepStrictEqual(lines(store.metricsFile), [{ step: 1 }, { step: 2 }]);
    deepStrictEqual(lines(store.samplesFile), [{ s: 1 }, { s: 2 }]);
    strictEqual(store.metricsLines, 2);
    store.appendMetrics([{ step: 3 }]);
    deepStrictEqual(lines(store.metricsFile).map((l) => l.step), [1, 2, 3]);
  });

  it('resume without state.json starts from no lines', () => {
    const s = RunStore.create(runs, 'job', {});
    s.appendMetrics([{ step: 1 }]);
    const { state, store } = RunStore.resume(s.dir);
    strictEqual(state, null);
    strictEqual(store.metricsLines, 0);
  });

  it('RUN_NOT_FOUND for a directory that is not a run', () => {
    throws(() => RunStore.resume(runs), { code: 'RUN_NOT_FOUND' });
  });

  it('RUN_STATE_INVALID when metrics lost lines the state recorded', () => {
    const s = RunStore.create(runs, 'job', {});
    s.appendMetrics([{ step: 1 }]);
    s.writeState({ phase: 0, stepInPhase: 1, globalStep: 1, checkpoint: null, finished: false });
    const state = JSON.parse(readFileSync(s.stateFile, 'utf8'));
    state.metricsLines = 5;
    writeFileSync(s.stateFile, JSON.stringify(state));
    throws(() => RunStore.resume(s.dir), { code: 'RUN_STATE_INVALID' });
  });
});
