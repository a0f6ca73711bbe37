// runHook: calls one plugin hook with error attribution, a time limit and cancellation.
import { isMolrlError } from '@molrl/common';
import { errors } from '../errors.ts';
import type { RewardHookName } from '../types.ts';

/**
 * Runs `call(signal)` for `plugin`'s `hook`. The signal handed to the hook aborts when `parent` aborts or
 * `timeoutMs` passes. Rejects with PLUGIN_TIMEOUT on timeout, REWARD_ABORTED when `parent` aborted,
 * the error itself when it is a REWARD_INFRA_ERROR (the engine retries those), and PLUGIN_HOOK_FAILED
 * (plugin, hook, `[plugin]` prefix, cause and original code kept) for anything else thrown.
 */
export async function runHook<T>(
  plugin: string,
  hook: RewardHookName,
  call: (signal: AbortSignal) => Promise<T> | T,
  opts: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<T> {
  const { timeoutMs, signal: parent } = opts;
  if (parent?.aborted) throw errors.REWARD_ABORTED(parent.reason);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    if (timeoutMs !== undefined && timeoutMs > 0 && Number.isFinite(timeoutMs)) {
      timer = setTimeout(() => {
        const error = errors.PLUGIN_TIMEOUT(plugin, hook, timeoutMs);
        controller.abort(error);
        reject(error);
      }, timeoutMs);
    }
    if (parent) {
      onAbort = () => {
        controller.abort(parent.reason);
        reject(errors.REWARD_ABORTED(parent.reason));
      };
      parent.addEventListener('abort', onAbort, { once: true });
    }
  });
  stop.catch(() => {});
  try {
    return await Promise.race([Promise.resolve().then(() => call(controller.signal)), stop]);
  } catch (error) {
    if (controller.signal.aborted) {
      const reason: unknown = controller.signal.reason;
      throw isMolrlError(reason) && reason.code === 'PLUGIN_TIMEOUT' ? reason : errors.REWARD_ABORTED(reason);
    }
    if (isMolrlError(error) && error.code === 'REWARD_INFRA_ERROR') throw error;
    throw errors.PLUGIN_HOOK_FAILED(plugin, hook, error);
  } finally {
    if (timer) clearTimeout(timer);
    if (onAbort) parent?.removeEventListener('abort', onAbort);
  }
}
