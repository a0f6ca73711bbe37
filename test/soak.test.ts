// The soak (bench/soak.ts) for one minute: the same invariants as the hour-long `npm run bench -- soak`, on a
// scale that fits the suite: every sample gets its result and the score of its kind (hostile programs
// included), the Node process does not leak descriptors, the pool keeps its size, and after close() no
// container and no process of its program uids is left.
import assert from 'node:assert/strict';
import { DEFAULT_DOCKER_IMAGE } from '@molrl/sandbox';
import { runSoak } from '../bench/soak.ts';
import { dockerMissing, skipUnless } from './helpers/requirements.ts';

describe('soak (1 minute)', function () {
  this.timeout(240_000);

  it('loses no sample, scores every kind as it must, leaks nothing and leaves nothing', async function () {
    skipUnless(this, await dockerMissing(DEFAULT_DOCKER_IMAGE), 'soak');
    const r = await runSoak({ minutes: 1, everyS: 15 });
    assert.equal(r.lost, 0, `samples without a result: ${r.lost}`);
    assert.deepEqual(r.wrong, {}, `scores off their kind's: ${JSON.stringify(r.wrong)}`);
    assert.equal(r.statuses.infra_error ?? 0, 0);
    assert.ok(r.samples >= 64, `only ${r.samples} samples`);
    const after = r.points.slice(1);
    assert.ok(after.every((p) => p.containers <= r.poolSize), JSON.stringify(r.points));
    assert.ok(after.at(-1)!.fds - after[0]!.fds <= 5, `descriptors grew: ${JSON.stringify(r.points.map((p) => p.fds))}`);
    assert.deepEqual([r.containersAfter, r.leftoverProcesses], [0, 0]);
    // memory: a minute is too short for the bench's 10 % criterion (GC and warm-up dominate); this only
    // catches a gross leak, the hour-long bench measures the drift
    assert.ok(r.points.at(-1)!.nodeRssMb < r.points[1]!.nodeRssMb + 100, JSON.stringify(r.points.map((p) => p.nodeRssMb)));
  });
});
