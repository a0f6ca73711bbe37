// startTrackers: nothing configured is a no-op; a Python that cannot start, or one without the tracker
// libraries, gives one TRACKER_FAILED warning per tracker and never throws; close() always resolves.
import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTrackers } from '@molrl/core';

const info = (dir: string, python: string, warnings: string[]) => ({ runDir: dir, runName: 'r', config: { seed: 1 }, resumeStep: null, python, warn: (m: string) => warnings.push(m) });

describe('startTrackers', function () {
  this.timeout(60_000);
  it('is a no-op without trackers', async () => {
    const warnings: string[] = [];
    const sink = startTrackers(undefined, info('/nonexistent', '/nonexistent/python', warnings));
    sink.log({ step: 1, loss: 1 });
    await sink.close();
    deepStrictEqual(warnings, []);
  });

  it('warns once when the Python cannot start, and keeps accepting lines', async () => {
    const warnings: string[] = [];
    const sink = startTrackers({ tensorboard: {} }, info(mkdtempSync(join(tmpdir(), 'molrl-tr-')), '/nonexistent/python3', warnings));
    for (let step = 1; step <= 5; step++) sink.log({ step, loss: 1 / step });
    await sink.close(10_000);
    strictEqual(warnings.length, 1, warnings.join('\n'));
    ok(warnings[0].startsWith('TRACKER_FAILED: tensorboard: cannot start'), warnings[0]);
  });

  it('warns once per tracker when their libraries are missing (a Python without site-packages)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'molrl-tr-'));
    const python = join(dir, 'bare-python');
    writeFileSync(python, '#!/bin/sh\nexec python3 -S -I "$@"\n');
    chmodSync(python, 0o755);
    const warnings: string[] = [];
    const sink = startTrackers({ wandb: { project: 'p', mode: 'offline' }, tensorboard: { dir } }, info(dir, python, warnings));
    for (let step = 1; step <= 5; step++) sink.log({ step, loss: 1 / step });
    await sink.close(30_000);
    strictEqual(warnings.length, 2, warnings.join('\n'));
    ok(warnings.some((w) => w.startsWith('TRACKER_FAILED: wandb: starting failed (ModuleNotFoundError')), warnings.join('\n'));
    ok(warnings.some((w) => w.startsWith('TRACKER_FAILED: tensorboard: starting failed')), warnings.join('\n'));
  });
});
