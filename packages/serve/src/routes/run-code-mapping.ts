// SandboxFusion <-> sandbox: a RunCodeRequest becomes a RunRequest, a RunResult becomes a RunCodeResponse.
import type { BackendName, RunRequest, RunResult, SandboxLimits } from '@molrl/sandbox';
import { constants, hostname } from 'node:os';
import { errors } from '../errors.ts';
import type { CommandRunResult, RunCodeRequest, RunCodeResponse } from './run-code-schema.ts';
import { BACKEND_LANGUAGES, SANDBOX_FUSION_LANGUAGES, sandboxFusionNames } from './sandbox-fusion-languages.ts';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeFile(path: string, content: string): string {
  const compact = content.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) throw errors.SERVE_FILE_INVALID(path, 'not base64');
  try {
    return utf8.decode(Buffer.from(compact, 'base64'));
  } catch {
    throw errors.SERVE_FILE_INVALID(path, 'the decoded bytes are not UTF-8 text (binary files are not supported)');
  }
}

/**
 * The sandbox request for `body`: language through SANDBOX_FUSION_LANGUAGES (SERVE_LANGUAGE_UNSUPPORTED),
 * seconds to ms, memory_limit_MB <= 0 -> the configured limit, base64 files decoded (SERVE_FILE_INVALID),
 * fetch_files refused (SERVE_FETCH_FILES_UNSUPPORTED); a run_timeout the request timeout cannot hold is refused.
 */
export function toRunRequest(body: RunCodeRequest, backend: BackendName, limits: Readonly<SandboxLimits>, requestTimeoutMs: number): RunRequest {
  const language = SANDBOX_FUSION_LANGUAGES[body.language];
  if (!language || !BACKEND_LANGUAGES[backend].includes(language)) throw errors.SERVE_LANGUAGE_UNSUPPORTED(body.language, sandboxFusionNames(BACKEND_LANGUAGES[backend]));
  if (body.fetch_files.length > 0) throw errors.SERVE_FETCH_FILES_UNSUPPORTED(body.fetch_files);
  const timeoutMs = Math.max(1, Math.round(body.run_timeout * 1000));
  if (timeoutMs >= requestTimeoutMs) {
    throw errors.SERVE_REQUEST_INVALID(
      [`run_timeout: ${body.run_timeout} s does not fit in the server's request timeout of ${requestTimeoutMs / 1000} s; send a smaller run_timeout or start the server with a larger --request-timeout-ms`],
      'run_timeout',
    );
  }
  const files: Record<string, string> = {};
  for (const [path, content] of Object.entries(body.files)) if (content !== null) files[path] = decodeFile(path, content);
  return {
    language,
    code: body.code,
    stdin: body.stdin ?? '',
    files,
    timeoutMs,
    memoryMb: body.memory_limit_MB > 0 ? body.memory_limit_MB : limits.memoryMb,
    outputLimitBytes: limits.outputLimitBytes,
  };
}

/** 128 + the signal's number (as a shell reports it), or null for an unknown signal. */
function signalCode(signal: string | null): number | null {
  const n = signal ? (constants.signals as Record<string, number>)[signal] : undefined;
  return n === undefined ? null : 128 + n;
}

function why(r: RunResult, req: RunRequest): string {
  switch (r.status) {
    case 'ok':
      return '';
    case 'compile_error':
      return `compilation failed${r.compile ? ` (${r.compile.status})` : ''}; the compiler's message is in compile_result.stderr`;
    case 'runtime_error':
      return r.exitCode === null ? `the program was killed by ${r.signal}` : `the program exited with code ${r.exitCode}`;
    case 'timeout':
      return `time limit exceeded (${req.timeoutMs / 1000} s)`;
    case 'memory_limit':
      return `memory limit exceeded (${req.memoryMb} MB)`;
    case 'output_limit':
      return `output limit exceeded (${req.outputLimitBytes} bytes per stream); the output is truncated`;
    case 'killed':
      return `the program was killed${r.signal ? ` by ${r.signal}` : ''}`;
    case 'sandbox_error':
      return `sandbox error: ${r.error ? `${r.error.code}: ${r.error.message}` : 'the sandbox failed'}`;
  }
}

/**
 * SandboxFusion's answer for a sandbox result. Its mapping: a command `Error` (only our sandbox_error) is
 * `SandboxError`; a time limit or a non-zero exit is `Failed`; else `Success`. Memory, output limit and kills
 * are `Failed` with a non-zero return_code, told apart in `message`.
 */
export function toRunCodeResponse(r: RunResult, req: RunRequest): RunCodeResponse {
  const seconds = Math.round(r.durationMs) / 1000;
  const run: CommandRunResult = { status: 'Finished', execution_time: seconds, return_code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
  let status: RunCodeResponse['status'] = 'Failed';
  if (r.status === 'sandbox_error') {
    status = 'SandboxError';
    Object.assign(run, { status: 'Error', return_code: null });
  } else if (r.status === 'timeout') {
    Object.assign(run, { status: 'TimeLimitExceeded', return_code: null });
  } else if (r.status === 'ok' && r.exitCode === 0) {
    status = 'Success';
  } else if (run.return_code === null || run.return_code === 0) {
    run.return_code = signalCode(r.signal) ?? 1;
  }
  const c = r.compile;
  const compile: CommandRunResult | null = c
    ? { status: c.status === 'timeout' ? 'TimeLimitExceeded' : 'Finished', execution_time: Math.round(c.durationMs) / 1000, return_code: c.exitCode ?? signalCode(c.signal), stdout: c.stdout, stderr: c.stderr }
    : null;
  return { status, message: why(r, req), compile_result: compile, run_result: run, executor_pod_name: hostname(), files: {} };
}
