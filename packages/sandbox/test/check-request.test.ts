// Usage checks of RunRequest for the docker backend.
import assert from 'node:assert/strict';
import { checkRequest } from '../../src/docker/check-request.ts';
import type { RunRequest } from '@molrl/sandbox';

const ok: RunRequest = { language: 'python', code: 'print(1)', timeoutMs: 1000, memoryMb: 256, outputLimitBytes: 100 };

describe('checkRequest', () => {
  it('accepts a well-formed request with files in subfolders', () => {
    assert.doesNotThrow(() => checkRequest({ ...ok, stdin: '', files: { 'a.txt': 'x', 'd/e/f.py': 'y' } }, 1024));
  });

  it('rejects bad limits with the field as path', () => {
    for (const [field, value] of [['timeoutMs', 0], ['timeoutMs', 1.5], ['memoryMb', 2048], ['memoryMb', 4], ['outputLimitBytes', -1]] as const) {
      assert.throws(() => checkRequest({ ...ok, [field]: value }, 1024), { code: 'SANDBOX_REQUEST_INVALID', path: field });
    }
    assert.throws(() => checkRequest({ ...ok, code: 42 as unknown as string }, 1024), { code: 'SANDBOX_REQUEST_INVALID', path: 'code' });
  });

  it('rejects file paths that leave the working directory', () => {
    for (const name of ['../x', '/etc/passwd', 'a/../../b', '', '.', 'a\0b']) {
      assert.throws(() => checkRequest({ ...ok, files: { [name]: '' } }, 1024), { code: 'SANDBOX_FILE_PATH_INVALID' }, name);
    }
  });
});
