// The one mapping from a thrown error to an HTTP answer: status, headers and `{ error: { code, message, ... } }`.
import { formatAjvErrors, isMolrlError, type MolrlError } from '@molrl/common';
import type { FastifyError } from 'fastify';
import { errors } from './errors.ts';

/** Sandbox errors that are the caller's fault (a bad request), answered 400. */
const CALLER_CODES = new Set(['SANDBOX_REQUEST_INVALID', 'SANDBOX_FILE_PATH_INVALID', 'SANDBOX_LANGUAGE_UNSUPPORTED']);

/** The coded error an answer is made from, with its HTTP status. */
export function toHttpError(error: unknown, body: unknown, bodyLimitBytes: number): { status: number; error: MolrlError } {
  if (isMolrlError(error)) {
    const status = error.details?.status;
    if (typeof status === 'number') return { status, error };
    if (CALLER_CODES.has(error.code)) return { status: 400, error };
    return { status: 500, error: errors.SERVE_INTERNAL_ERROR(error) };
  }
  const e = error as FastifyError & { validation?: Parameters<typeof formatAjvErrors>[0]; validationContext?: string };
  if (e.validation) {
    const problems = formatAjvErrors(e.validation, body, e.validationContext ?? 'body');
    return { status: 400, error: errors.SERVE_REQUEST_INVALID(problems.length ? problems : [e.message], problems[0]?.split(':')[0]) };
  }
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, error: errors.SERVE_BODY_TOO_LARGE(bodyLimitBytes) };
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const coded = errors.SERVE_REQUEST_INVALID([e.message]);
    return { status: e.statusCode, error: coded };
  }
  return { status: 500, error: errors.SERVE_INTERNAL_ERROR(error) };
}

/** Retry-After seconds for answers a client should retry (overload, shutdown, infrastructure faults), else null. */
export function retryAfter(error: MolrlError, fallbackSeconds: number): number | null {
  if (error.code === 'SERVE_OVERLOADED') return error.details?.retryAfterSeconds as number;
  if (error.code === 'SERVE_SHUTTING_DOWN' || error.code === 'SERVE_SCORE_INFRA_ERROR') return fallbackSeconds;
  return null;
}
