// Usage checks and size limits of RunRequest, shared by the backends.
import assert from 'node:assert/strict';
import { checkRequest, type RequestBounds } from '../src/check-request.ts';
import { RUN_REQUEST_LIMITS, type RunRequest } from '@molrl/sandbox';

const ok: RunRequest = { language: 'python', code: 'print(1)', timeoutMs: 1000, memoryMb: 256, outputLimitBytes: 100 };
const bounds: RequestBounds = { maxMemoryMb: 1024, memoryHint: 'the container memory' };

describe('checkRequest', () => {
  it('accepts a well-formed request with files in subfolders and tests', () => {
    assert.doesNotThrow(() => checkRequest({ ...ok, stdin: '', files: { 'a.txt': 'x', 'd/e/f.py': 'y' }, tests: 'assert True' }, bounds));
  });

  it('rejects bad limits with the field as path', () => {
    for (const [field, value] of [['timeoutMs', 0], ['timeoutMs', 1.5], ['timeoutMs', RUN_REQUEST_LIMITS.timeoutMs + 1], ['memoryMb', 2048], ['memoryMb', 4], ['outputLimitBytes', -1], ['outputLimitBytes', RUN_REQUEST_LIMITS.outputLimitBytes + 1]] as const) {
      assert.throws(() => checkRequest({ ...ok, [field]: value }, bounds), { code: 'SANDBOX_REQUEST_INVALID', path: field });
    }
    assert.throws(() => checkRequest({ ...ok, code: 42 as unknown as string }, bounds), { code: 'SANDBOX_REQUEST_INVALID', path: 'code' });
    assert.throws(() => checkRequest({ ...ok, tests: 42 as unknown as string }, bounds), { code: 'SANDBOX_REQUEST_INVALID', path: 'tests' });
    assert.throws(() => checkRequest({ ...ok, language: 'javascript', tests: 'assert True' }, bounds), { code: 'SANDBOX_REQUEST_INVALID', path: 'tests' });
  });

  it('rejects file paths that leave the working directory', () => {
    for (const name of ['../x', '/etc/passwd', 'a/../../b', '', '.', 'a\0b']) {
      assert.throws(() => checkRequest({ ...ok, files: { [name]: '' } }, bounds), { code: 'SANDBOX_FILE_PATH_INVALID' }, name);
    }
  });

  it('names the limit and its value for every oversized part, counting UTF-8 bytes', () => {
    const over = (n: number) => 'é'.repeat(Math.ceil((n + 1) / 2)); // 2 bytes a character
    const many = Object.fromEntries(Array.from({ length: RUN_REQUEST_LIMITS.files + 1 }, (_, i) => [`f${i}`, '']));
    const cases: Array<[Partial<RunRequest>, string, string, number]> = [
      [{ code: over(RUN_REQUEST_LIMITS.codeBytes) }, 'code', 'codeBytes', RUN_REQUEST_LIMITS.codeBytes],
      [{ tests: over(RUN_REQUEST_LIMITS.testsBytes) }, 'tests', 'testsBytes', RUN_REQUEST_LIMITS.testsBytes],
      [{ stdin: over(RUN_REQUEST_LIMITS.stdinBytes) }, 'stdin', 'stdinBytes', RUN_REQUEST_LIMITS.stdinBytes],
      [{ files: many }, 'files', 'files', RUN_REQUEST_LIMITS.files],
      [{ files: { 'big.txt': over(RUN_REQUEST_LIMITS.fileBytes) } }, 'files.big.txt', 'fileBytes', RUN_REQUEST_LIMITS.fileBytes],
      [{ files: { a: 'x'.repeat(6 << 20), b: 'x'.repeat(6 << 20), c: 'x'.repeat(6 << 20) } }, 'files', 'filesTotalBytes', RUN_REQUEST_LIMITS.filesTotalBytes],
    ];
    for (const [part, path, limit, max] of cases) {
      assert.throws(
        () => checkRequest({ ...ok, ...part }, bounds),
        (e: { code: string; path: string; details: { limit: string; value: number; max: number }; message: string }) => {
          assert.deepEqual([e.code, e.path, e.details.limit, e.details.max], ['SANDBOX_REQUEST_TOO_LARGE', path, limit, max]);
          assert.ok(e.details.value > max);
          assert.match(e.message, new RegExp(`over the limit ${limit} = ${max.toLocaleString('en-US')}`));
          return true;
        },
        limit,
      );
    }
  });

  it('keeps files within what the backend allows (half the docker tmpfs)', () => {
    const small: RequestBounds = { ...bounds, maxFilesTotalBytes: 1000 };
    assert.throws(() => checkRequest({ ...ok, files: { a: 'x'.repeat(1001) } }, small), { code: 'SANDBOX_REQUEST_TOO_LARGE', path: 'files' });
    assert.doesNotThrow(() => checkRequest({ ...ok, files: { a: 'x'.repeat(990) } }, small));
  });
});
