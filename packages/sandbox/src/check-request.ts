// Usage checks of a RunRequest, shared by the backends: a bad or oversized request throws a coded error and
// never reaches a program (so it can neither become a program status nor an infrastructure fault).
import type { RunRequest } from './types.ts';
import { errors } from './errors.ts';
import { RUN_REQUEST_LIMITS } from './sandbox-defaults.ts';

/** What a backend allows beyond the shared limits. */
export interface RequestBounds {
  /** The largest `memoryMb` (the docker pool's container memory). */
  maxMemoryMb: number;
  /** The largest total size of `files` (the docker pool keeps them within half its tmpfs). @default RUN_REQUEST_LIMITS.filesTotalBytes */
  maxFilesTotalBytes?: number;
  /** Where maxMemoryMb comes from, for the message. */
  memoryHint: string;
}

const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');

function checkSize(field: string, limit: keyof typeof RUN_REQUEST_LIMITS, value: number, max: number = RUN_REQUEST_LIMITS[limit]): void {
  if (value > max) throw errors.SANDBOX_REQUEST_TOO_LARGE(field, limit, value, max);
}

/**
 * Throws SANDBOX_REQUEST_INVALID / SANDBOX_FILE_PATH_INVALID for a malformed request and
 * SANDBOX_REQUEST_TOO_LARGE for one over RUN_REQUEST_LIMITS.
 */
export function checkRequest(req: RunRequest, bounds: RequestBounds): void {
  if (req === null || typeof req !== 'object') throw errors.SANDBOX_REQUEST_INVALID('(request)', req, 'an object');
  if (typeof req.code !== 'string') throw errors.SANDBOX_REQUEST_INVALID('code', req.code, 'a string');
  if (req.stdin !== undefined && typeof req.stdin !== 'string') throw errors.SANDBOX_REQUEST_INVALID('stdin', req.stdin, 'a string');
  const maxTimeout = RUN_REQUEST_LIMITS.timeoutMs;
  if (!Number.isInteger(req.timeoutMs) || req.timeoutMs < 1 || req.timeoutMs > maxTimeout)
    throw errors.SANDBOX_REQUEST_INVALID('timeoutMs', req.timeoutMs, `an integer from 1 to ${maxTimeout}`);
  if (req.compileTimeoutMs !== undefined && (!Number.isInteger(req.compileTimeoutMs) || req.compileTimeoutMs < 1 || req.compileTimeoutMs > maxTimeout))
    throw errors.SANDBOX_REQUEST_INVALID('compileTimeoutMs', req.compileTimeoutMs, `an integer from 1 to ${maxTimeout}`);
  if (!Number.isInteger(req.memoryMb) || req.memoryMb < 8 || req.memoryMb > bounds.maxMemoryMb)
    throw errors.SANDBOX_REQUEST_INVALID('memoryMb', req.memoryMb, `an integer from 8 to ${bounds.maxMemoryMb} (${bounds.memoryHint})`);
  const maxOutput = RUN_REQUEST_LIMITS.outputLimitBytes;
  if (!Number.isInteger(req.outputLimitBytes) || req.outputLimitBytes < 0 || req.outputLimitBytes > maxOutput)
    throw errors.SANDBOX_REQUEST_INVALID('outputLimitBytes', req.outputLimitBytes, `an integer from 0 to ${maxOutput} (the limit outputLimitBytes)`);
  if (req.tests !== undefined) {
    if (typeof req.tests !== 'string') throw errors.SANDBOX_REQUEST_INVALID('tests', req.tests, 'a string of Python tests');
    if (req.language !== 'python') throw errors.SANDBOX_REQUEST_INVALID('tests', `(${utf8(req.tests)} bytes)`, 'tests only with language "python"');
    checkSize('tests', 'testsBytes', utf8(req.tests));
  }
  checkSize('code', 'codeBytes', utf8(req.code));
  checkSize('stdin', 'stdinBytes', utf8(req.stdin ?? ''));
  if (req.files !== undefined) {
    if (req.files === null || typeof req.files !== 'object') throw errors.SANDBOX_REQUEST_INVALID('files', req.files, 'an object of relative path -> text');
    const entries = Object.entries(req.files);
    checkSize('files', 'files', entries.length);
    let total = 0;
    for (const [name, content] of entries) {
      const parts = name.split('/');
      if (name === '' || name.startsWith('/') || name.includes('\0') || parts.includes('..') || parts.every((p) => p === '' || p === '.'))
        throw errors.SANDBOX_FILE_PATH_INVALID(name);
      if (typeof content !== 'string') throw errors.SANDBOX_REQUEST_INVALID(`files.${name}`, typeof content, 'a string');
      const size = utf8(content);
      checkSize(`files.${name}`, 'fileBytes', size);
      total += size + utf8(name);
    }
    checkSize('files', 'filesTotalBytes', total, Math.min(RUN_REQUEST_LIMITS.filesTotalBytes, bounds.maxFilesTotalBytes ?? Infinity));
  }
}
