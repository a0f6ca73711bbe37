// Prometheus metrics of a server (prom-client): requests, latency, admission, sandbox pool, result statuses, infra errors.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Admission } from './admission.ts';
import type { PoolStats } from './types.ts';

/** The metrics of one server, on their own registry. */
export interface ServeMetrics {
  readonly registry: Registry;
  /** One answered request: its route, HTTP status and duration in seconds. */
  request(route: string, status: number, seconds: number): void;
  /** One result (a run status on /run_code, a reward status elsewhere); infra errors are also counted apart. */
  result(route: string, status: string): void;
  /** A request refused or cut: 'overload' or 'timeout'. */
  rejected(route: string, reason: 'overload' | 'timeout'): void;
}

const INFRA_STATUSES = new Set(['sandbox_error', 'infra_error']);

/** Creates the metrics; gauges read `admission` and `poolStats` when scraped. */
export function createMetrics(admission: Admission, poolStats: () => PoolStats): ServeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({ name: 'molrl_serve_requests_total', help: 'Answered requests by route and HTTP status.', labelNames: ['route', 'status'], registers: [registry] });
  const latency = new Histogram({
    name: 'molrl_serve_request_duration_seconds',
    help: 'Time from a request to its answer, by route.',
    labelNames: ['route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  const results = new Counter({ name: 'molrl_serve_results_total', help: 'Results by route and status (run status on /run_code, reward status elsewhere).', labelNames: ['route', 'status'], registers: [registry] });
  const infra = new Counter({ name: 'molrl_serve_infra_errors_total', help: 'Results that were infrastructure faults (sandbox_error, infra_error), by route.', labelNames: ['route'], registers: [registry] });
  const rejected = new Counter({ name: 'molrl_serve_rejected_total', help: 'Requests refused for overload or cut by the request timeout.', labelNames: ['route', 'reason'], registers: [registry] });
  new Gauge({ name: 'molrl_serve_requests_active', help: 'Requests being worked on.', registers: [registry], collect() { this.set(admission.active); } });
  new Gauge({ name: 'molrl_serve_requests_queued', help: 'Requests waiting for a slot.', registers: [registry], collect() { this.set(admission.queued); } });
  new Gauge({ name: 'molrl_sandbox_pool_size', help: 'Warm sandbox slots (containers, isolates).', registers: [registry], collect() { this.set(poolStats().size); } });
  new Gauge({ name: 'molrl_sandbox_pool_busy', help: 'Sandbox slots running a program.', registers: [registry], collect() { this.set(poolStats().busy); } });
  new Gauge({ name: 'molrl_sandbox_pool_queue', help: 'Runs waiting for a sandbox slot.', registers: [registry], collect() { this.set(poolStats().queue); } });
  return {
    registry,
    request(route, status, seconds) {
      requests.inc({ route, status: String(status) });
      latency.observe({ route }, seconds);
    },
    result(route, status) {
      results.inc({ route, status });
      if (INFRA_STATUSES.has(status)) infra.inc({ route });
    },
    rejected(route, reason) {
      rejected.inc({ route, reason });
    },
  };
}
