// Service routes: GET /healthz (no token needed), GET /metrics (Prometheus text), GET /openapi.json.
import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from './route-deps.ts';

const healthSchema = {
  type: 'object',
  required: ['status', 'backend', 'pool', 'requests', 'problems'],
  properties: {
    status: { enum: ['ok', 'unavailable'] },
    backend: { type: 'string' },
    pool: { type: 'object', properties: { size: { type: 'integer' }, busy: { type: 'integer' }, queue: { type: 'integer' } } },
    requests: { type: 'object', properties: { active: { type: 'integer' }, queued: { type: 'integer' } } },
    problems: { type: 'array', items: { type: 'string' } },
  },
} as const;

/** Registers /healthz (200, or 503 with the problems: Docker daemon unreachable, pool cannot start containers), /metrics and /openapi.json. */
export function registerService(app: FastifyInstance, { ctx, metrics }: RouteDeps, requests: () => { active: number; queued: number }): void {
  app.get('/healthz', { schema: { tags: ['service'], summary: 'Health of the server and its sandbox', response: { 200: healthSchema, 503: healthSchema } } }, async (_request, reply) => {
    const problems = await ctx.health();
    reply.code(problems.length ? 503 : 200);
    return { status: problems.length ? 'unavailable' : 'ok', backend: ctx.sandboxConfig.backend, pool: ctx.poolStats(), requests: requests(), problems };
  });
  app.get('/metrics', { schema: { tags: ['service'], summary: 'Prometheus metrics (text exposition format)', response: { 200: { type: 'string' } } } }, async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });
  app.get('/openapi.json', { schema: { tags: ['service'], summary: 'This OpenAPI document', response: { 200: { type: 'object', additionalProperties: true } } } }, async () => app.swagger());
}
