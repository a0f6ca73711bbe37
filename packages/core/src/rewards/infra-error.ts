// infraError: how a plugin reports that its sandbox failed (retried by the engine, never scored 0).
import type { MolrlError } from '@molrl/common';
import type { RunResult } from '@molrl/sandbox';
import { errors } from '../errors.ts';

/** The REWARD_INFRA_ERROR to throw for a `sandbox_error` RunResult (or a message). */
export function infraError(result: RunResult | string): MolrlError {
  if (typeof result === 'string') return errors.REWARD_INFRA_ERROR(result);
  const why = result.error ? `${result.error.code}: ${result.error.message}` : `run ended with status ${result.status}`;
  return errors.REWARD_INFRA_ERROR(why, { runStatus: result.status, ...(result.error ? { sandboxCode: result.error.code } : {}) });
}

/** Throws infraError(result) when the run came back `sandbox_error`; returns the result otherwise. */
export function assertNoInfraError(result: RunResult): RunResult {
  if (result.status === 'sandbox_error') throw infraError(result);
  return result;
}
