// Usage checks of a RunRequest for the docker backend: bad requests throw coded errors, never reach a container.
import type { RunRequest } from '../types.ts';
import { errors } from '../errors.ts';
import { canonicalLanguage, LANGUAGE_NAMES } from '../languages.ts';

const MAX_TIMEOUT_MS = 10 * 60 * 1000;
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/** Throw SANDBOX_REQUEST_INVALID / SANDBOX_FILE_PATH_INVALID for a request the pool cannot run. */
export function checkRequest(req: RunRequest, containerMemoryMb: number): void {
  if (req === null || typeof req !== 'object') throw errors.SANDBOX_REQUEST_INVALID('(request)', req, 'an object');
  if (canonicalLanguage(req.language) === null) throw errors.SANDBOX_LANGUAGE_UNSUPPORTED('docker', String(req.language), LANGUAGE_NAMES);
  if (typeof req.code !== 'string') throw errors.SANDBOX_REQUEST_INVALID('code', req.code, 'a string');
  if (req.stdin !== undefined && typeof req.stdin !== 'string') throw errors.SANDBOX_REQUEST_INVALID('stdin', req.stdin, 'a string');
  if (!Number.isInteger(req.timeoutMs) || req.timeoutMs < 1 || req.timeoutMs > MAX_TIMEOUT_MS)
    throw errors.SANDBOX_REQUEST_INVALID('timeoutMs', req.timeoutMs, `an integer from 1 to ${MAX_TIMEOUT_MS}`);
  if (req.compileTimeoutMs !== undefined && (!Number.isInteger(req.compileTimeoutMs) || req.compileTimeoutMs < 1 || req.compileTimeoutMs > MAX_TIMEOUT_MS))
    throw errors.SANDBOX_REQUEST_INVALID('compileTimeoutMs', req.compileTimeoutMs, `an integer from 1 to ${MAX_TIMEOUT_MS}`);
  if (!Number.isInteger(req.memoryMb) || req.memoryMb < 8 || req.memoryMb > containerMemoryMb)
    throw errors.SANDBOX_REQUEST_INVALID('memoryMb', req.memoryMb, `an integer from 8 to ${containerMemoryMb} (the container memory; raise sandbox.docker.memoryMb for more)`);
  if (!Number.isInteger(req.outputLimitBytes) || req.outputLimitBytes < 0 || req.outputLimitBytes > MAX_OUTPUT_BYTES)
    throw errors.SANDBOX_REQUEST_INVALID('outputLimitBytes', req.outputLimitBytes, `an integer from 0 to ${MAX_OUTPUT_BYTES}`);
  if (req.files !== undefined) {
    if (req.files === null || typeof req.files !== 'object') throw errors.SANDBOX_REQUEST_INVALID('files', req.files, 'an object of relative path -> text');
    for (const [name, content] of Object.entries(req.files)) {
      const parts = name.split('/');
      if (name === '' || name.startsWith('/') || name.includes('\0') || parts.includes('..') || parts.every((p) => p === '' || p === '.'))
        throw errors.SANDBOX_FILE_PATH_INVALID(name);
      if (typeof content !== 'string') throw errors.SANDBOX_REQUEST_INVALID(`files.${name}`, typeof content, 'a string');
    }
  }
}
