import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEFAULT_DOCKER_IMAGE, DEFAULT_LANGUAGES_IMAGE } from '@molrl/sandbox';
import { IMAGE_SOURCES, RUNNER_HASH_LABEL, expectedRunnerHash, staleImageReason } from '../../src/docker/image-freshness.ts';
import { dockerMissing, languagesImageMissing, skipUnless, skipUnlessLanguages } from '../../../../test/helpers/requirements.ts';

describe('expectedRunnerHash', () => {
  for (const kind of ['python', 'languages'] as const) {
    it(`hashes the ${kind} image's sources in the order its build.sh does`, () => {
      const { files } = IMAGE_SOURCES[kind];
      const buildSh = readFileSync(new URL(`../../../../sandbox-images/${kind}/build.sh`, import.meta.url), 'utf8');
      const line = buildSh.split('\n').find((l) => l.startsWith('hash=')) ?? '';
      assert.ok(line.includes(`cat ${files.join(' ')} |`), `build.sh hashes: ${line}`);
      const dir = mkdtempSync(join(tmpdir(), 'molrl-hash-')) + '/';
      try {
        assert.equal(expectedRunnerHash(kind, dir), null);
        files.forEach((f, i) => {
          mkdirSync(dirname(dir + f), { recursive: true });
          writeFileSync(dir + f, String.fromCharCode(97 + i));
        });
        const shell = execFileSync('bash', ['-c', `cd ${dir} && cat ${files.join(' ')} | sha256sum | cut -c1-64`]).toString().trim();
        assert.equal(expectedRunnerHash(kind, dir), shell);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('matches the label of the image that npm run setup built', async function () {
    skipUnless(this, await dockerMissing(DEFAULT_DOCKER_IMAGE), 'image label check');
    const label = execFileSync('docker', ['image', 'inspect', '-f', `{{ index .Config.Labels "${RUNNER_HASH_LABEL}" }}`, DEFAULT_DOCKER_IMAGE]).toString().trim();
    assert.equal(label, expectedRunnerHash());
  });

  it('matches the label of the multi-language image (npm run setup -- --languages all)', async function () {
    skipUnlessLanguages(this, await languagesImageMissing(), 'multi-language image label check');
    const label = execFileSync('docker', ['image', 'inspect', '-f', `{{ index .Config.Labels "${RUNNER_HASH_LABEL}" }}`, DEFAULT_LANGUAGES_IMAGE]).toString().trim();
    assert.equal(label, expectedRunnerHash('languages'));
  });
});

describe('staleImageReason', () => {
  it('accepts a matching label, a missing label and an unknown expectation', () => {
    assert.equal(staleImageReason({ [RUNNER_HASH_LABEL]: 'abc' }, 'abc'), null);
    assert.equal(staleImageReason({}, 'abc'), null);
    assert.equal(staleImageReason(null, 'abc'), null);
    assert.equal(staleImageReason({ [RUNNER_HASH_LABEL]: 'abc' }, null), null);
  });

  it('reports a label that differs from the checkout', () => {
    assert.match(staleImageReason({ [RUNNER_HASH_LABEL]: 'a'.repeat(64) }, 'b'.repeat(64)) ?? '', /differs from this checkout/);
  });
});
