// The container spec is hardened, and the running container shows it from the inside.
import assert from 'node:assert/strict';
import Docker from 'dockerode';
import { createDockerSandbox, DEFAULT_DOCKER_IMAGE } from '@molrl/sandbox';
import { containerSpec, resolveDockerOptions } from '../../src/docker/docker-options.ts';
import { dockerMissing, skipUnless } from '../../../../test/helpers/requirements.ts';

describe('containerSpec', () => {
  it('builds a hardened spec from the options', () => {
    const spec = containerSpec(resolveDockerOptions({ memoryMb: 512, pidsLimit: 64, cpus: 0.5, tmpfsMb: 32 }, new Docker()), 'p1');
    const h = spec.HostConfig!;
    assert.equal(h.NetworkMode, 'none');
    assert.equal(h.ReadonlyRootfs, true);
    assert.deepEqual(h.CapDrop, ['ALL']);
    assert.deepEqual(h.SecurityOpt, ['no-new-privileges']);
    assert.equal(h.Memory, 512 * 2 ** 20);
    assert.equal(h.MemorySwap, h.Memory);
    assert.equal(h.PidsLimit, 64);
    assert.equal(h.NanoCpus, 5e8);
    assert.equal(h.Init, true);
    assert.match(h.Tmpfs!['/tmp']!, /size=32m/);
    assert.equal(h.Binds, undefined);
    assert.equal(spec.User, '65534:65534');
    assert.equal(spec.Labels!.molrl, '1');
    assert.equal(spec.Labels!['molrl.pool'], 'p1');
  });
});

describe('createDockerSandbox container', function () {
  before(async function () {
    skipUnless(this, await dockerMissing(DEFAULT_DOCKER_IMAGE), 'docker hardening tests');
  });

  it('runs programs with no capabilities, no-new-privileges and a private pid namespace', async () => {
    const pool = await createDockerSandbox({ poolSize: 1 });
    try {
      const code = 'import os\nst = dict(l.split(":\\t", 1) for l in open("/proc/self/status").read().splitlines() if ":\\t" in l)\nprint(st["CapEff"].strip(), st["NoNewPrivs"].strip(), os.getuid(), os.getgid())\nprint(open("/proc/1/cmdline").read().split("\\0")[0])';
      const r = await pool.run({ language: 'python', code, timeoutMs: 3000, memoryMb: 128, outputLimitBytes: 1000 });
      assert.equal(r.stdout, '0000000000000000 1 65534 65534\n/sbin/docker-init\n');
      const info = await new Docker().getContainer(pool.containerIds[0]!).inspect();
      assert.equal(info.HostConfig.Privileged, false);
      assert.equal(info.Mounts.length, 0);
    } finally {
      await pool.close();
    }
  });
});
