import assert from 'node:assert/strict';
import type { RunResult } from '@molrl/sandbox';
import { toRunCodeResponse, toRunRequest } from '../../src/routes/run-code-mapping.ts';
import type { RunCodeRequest } from '../../src/routes/run-code-schema.ts';

const limits = { timeoutMs: 5000, memoryMb: 256, outputLimitBytes: 1000 };
const body = (over: Partial<RunCodeRequest> = {}): RunCodeRequest => ({ code: 'print(1)', language: 'python', compile_timeout: 10, run_timeout: 10, memory_limit_MB: -1, files: {}, fetch_files: [], ...over });
const result = (over: Partial<RunResult>): RunResult => ({ status: 'ok', exitCode: 0, signal: null, stdout: '', stderr: '', truncated: false, durationMs: 12, ...over });

describe('toRunRequest', () => {
  it('turns seconds into ms, -1 memory into the configured limit and base64 files into text', () => {
    const req = toRunRequest(body({ run_timeout: 2.5, stdin: null, files: { 'a/b.txt': Buffer.from('héllo').toString('base64'), skipped: null } }), 'docker', limits, 120_000);
    assert.deepEqual(req, { language: 'python', code: 'print(1)', stdin: '', files: { 'a/b.txt': 'héllo' }, timeoutMs: 2500, memoryMb: 256, outputLimitBytes: 1000 });
    assert.equal(toRunRequest(body({ memory_limit_MB: 512 }), 'docker', limits, 120_000).memoryMb, 512);
  });

  it('maps languages through the table and refuses what the backend cannot run', () => {
    assert.equal(toRunRequest(body({ language: 'nodejs' }), 'process', limits, 120_000).language, 'javascript');
    for (const language of ['cpp', 'nodejs', 'klingon']) {
      assert.throws(() => toRunRequest(body({ language }), 'docker', limits, 120_000), (e: { code: string; details: { supported: string[]; status: number } }) => {
        assert.equal(e.code, 'SERVE_LANGUAGE_UNSUPPORTED');
        assert.deepEqual(e.details.supported, ['python']);
        return e.details.status === 400;
      });
    }
  });

  it('refuses bad base64, binary files, fetch_files and a run_timeout beyond the request timeout', () => {
    assert.throws(() => toRunRequest(body({ files: { x: 'not base64!' } }), 'docker', limits, 120_000), { code: 'SERVE_FILE_INVALID', path: 'files.x' });
    assert.throws(() => toRunRequest(body({ files: { x: Buffer.from([0xff, 0xfe]).toString('base64') } }), 'docker', limits, 120_000), { code: 'SERVE_FILE_INVALID' });
    assert.throws(() => toRunRequest(body({ fetch_files: ['out.txt'] }), 'docker', limits, 120_000), { code: 'SERVE_FETCH_FILES_UNSUPPORTED' });
    assert.throws(() => toRunRequest(body({ run_timeout: 120 }), 'docker', limits, 120_000), { code: 'SERVE_REQUEST_INVALID', path: 'run_timeout' });
  });
});

describe('toRunCodeResponse', () => {
  const req = toRunRequest(body({ run_timeout: 1 }), 'docker', limits, 120_000);

  it('follows SandboxFusion: exit 0 Success, non-zero exit and time limit Failed, sandbox fault SandboxError', () => {
    const ok = toRunCodeResponse(result({ stdout: '1\n' }), req);
    assert.deepEqual([ok.status, ok.message, ok.run_result.status, ok.run_result.return_code, ok.run_result.execution_time], ['Success', '', 'Finished', 0, 0.012]);
    const err = toRunCodeResponse(result({ status: 'runtime_error', exitCode: 3 }), req);
    assert.deepEqual([err.status, err.run_result.status, err.run_result.return_code], ['Failed', 'Finished', 3]);
    const tle = toRunCodeResponse(result({ status: 'timeout', exitCode: null, signal: 'SIGKILL' }), req);
    assert.deepEqual([tle.status, tle.run_result.status, tle.run_result.return_code], ['Failed', 'TimeLimitExceeded', null]);
    const infra = toRunCodeResponse(result({ status: 'sandbox_error', exitCode: null, error: { code: 'SANDBOX_CONTAINER_LOST', message: 'gone' } }), req);
    assert.deepEqual([infra.status, infra.run_result.status], ['SandboxError', 'Error']);
    assert.match(infra.message, /SANDBOX_CONTAINER_LOST/);
  });

  it('tells memory and output limits apart in the message, with a non-zero return code', () => {
    const mem = toRunCodeResponse(result({ status: 'memory_limit', exitCode: null, signal: 'SIGKILL' }), req);
    assert.deepEqual([mem.status, mem.run_result.return_code], ['Failed', 137]);
    assert.match(mem.message, /memory limit exceeded \(256 MB\)/);
    const out = toRunCodeResponse(result({ status: 'output_limit', exitCode: 0, truncated: true }), req);
    assert.equal(out.status, 'Failed');
    assert.notEqual(out.run_result.return_code, 0);
    assert.match(out.message, /output limit exceeded \(1000 bytes/);
  });
});
