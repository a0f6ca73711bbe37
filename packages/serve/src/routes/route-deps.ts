// What every route module receives.
import type { Guard } from '../guard-request.ts';
import type { ServeMetrics } from '../metrics.ts';
import type { ServeContext } from '../types.ts';

/** The server's shared parts, handed to each route's register function. */
export interface RouteDeps {
  ctx: ServeContext;
  guard: Guard;
  metrics: ServeMetrics;
}
