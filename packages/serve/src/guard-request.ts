// One request's work under the server's rules: admission (queue, overload answer), the request timeout, and
// cancellation when the client disconnects (the sandbox run is aborted, which frees its container).
import type { FastifyReply } from 'fastify';
import type { Admission } from './admission.ts';
import { errors } from './errors.ts';
import type { ServeMetrics } from './metrics.ts';
import type { ServeLimits } from './types.ts';

/** An admitted request: its signal, and `end` to call exactly once when its work is over. */
export interface Ticket {
  signal: AbortSignal;
  /** Frees the slot; returns the error to answer with when the request timed out, else `error` unchanged. */
  end(error?: unknown): unknown;
}

/** The guard of a server; see createGuard. */
export interface Guard {
  /** Waits for a slot (SERVE_OVERLOADED with `overloadStatus` when the queue is full, SERVE_REQUEST_TIMEOUT while queued). */
  admit(reply: FastifyReply, route: string, overloadStatus: 429 | 504): Promise<Ticket>;
  /** admit, run `work` with the ticket's signal, end. */
  run<T>(reply: FastifyReply, route: string, overloadStatus: 429 | 504, work: (signal: AbortSignal) => Promise<T>): Promise<T>;
}

/**
 * Returns the guard of a server. The work's signal aborts when the client goes away or when the request timeout
 * passes (the answer is then SERVE_REQUEST_TIMEOUT, 504). A request beyond the queue
 * is refused with SERVE_OVERLOADED and `overloadStatus` (429, or 504 where the client retries only that).
 */
export function createGuard(admission: Admission, limits: Readonly<ServeLimits>, metrics: ServeMetrics): Guard {
  async function admit(reply: FastifyReply, route: string, overloadStatus: 429 | 504): Promise<Ticket> {
    const controller = new AbortController();
    const timeout = errors.SERVE_REQUEST_TIMEOUT(limits.requestTimeoutMs);
    const timer = setTimeout(() => controller.abort(timeout), limits.requestTimeoutMs);
    const onClose = () => {
      if (!reply.raw.writableFinished) controller.abort(new Error('the client disconnected'));
    };
    reply.raw.once('close', onClose);
    const signal = controller.signal;
    let release: (() => void) | null = null;
    const end = (error?: unknown): unknown => {
      release?.();
      release = null;
      clearTimeout(timer);
      reply.raw.off('close', onClose);
      if (error !== undefined && controller.signal.reason === timeout) {
        metrics.rejected(route, 'timeout');
        return timeout;
      }
      return error;
    };
    const entered = admission.enter(signal);
    if (entered === null) {
      end();
      metrics.rejected(route, 'overload');
      throw errors.SERVE_OVERLOADED(admission.active, admission.queued, overloadStatus, limits.retryAfterSeconds);
    }
    try {
      release = await entered;
    } catch (error) {
      throw end(error);
    }
    return { signal, end };
  }
  return {
    admit,
    async run(reply, route, overloadStatus, work) {
      const ticket = await admit(reply, route, overloadStatus);
      try {
        const out = await work(ticket.signal);
        ticket.end();
        return out;
      } catch (error) {
        throw ticket.end(error);
      }
    },
  };
}
