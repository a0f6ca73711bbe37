// The Fastify application of a server: validation with molrl's ajv, bearer auth, error answers, metrics, routes.
import swagger from '@fastify/swagger';
import { createAjv } from '@molrl/common';
import Fastify, { type FastifyInstance } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Admission } from './admission.ts';
import { errors } from './errors.ts';
import { createGuard } from './guard-request.ts';
import { retryAfter, toHttpError } from './http-errors.ts';
import type { ServeMetrics } from './metrics.ts';
import { registerGetReward } from './routes/get-reward.ts';
import { SERVE_ROUTES } from './routes/route-list.ts';
import { registerRunCode } from './routes/run-code.ts';
import { registerScore } from './routes/score.ts';
import { registerService } from './routes/service.ts';
import type { ServeContext } from './types.ts';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** Routes that answer without the bearer token. */
const OPEN_ROUTES = new Set(['/healthz']);

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!m) return false;
  const got = Buffer.from(m[1].trim());
  const want = Buffer.from(token);
  return got.length === want.length && timingSafeEqual(got, want);
}

/** What the app needs besides the routes' context. */
export interface AppParts {
  admission: Admission;
  metrics: ServeMetrics;
  /** Set when the server stops taking new requests (they get SERVE_SHUTTING_DOWN, 503). */
  stopping: AbortSignal;
}

/** Builds (and readies) the app; it does not listen. */
export async function buildApp(ctx: ServeContext, { admission, metrics, stopping }: AppParts): Promise<FastifyInstance> {
  const { limits } = ctx;
  const app = Fastify({ bodyLimit: limits.bodyLimitBytes, logger: false, return503OnClosing: false, forceCloseConnections: 'idle', requestTimeout: 60_000 });
  const ajv = createAjv();
  app.setValidatorCompiler(({ schema }) => ajv.compile(schema));
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'molrl serve',
        version: pkg.version,
        description: "molrl's sandboxes and reward plugins over the protocols of SandboxFusion (/run_code), OpenRLHF (/get_reward) and molrl (/v1/score). Every route but /healthz requires 'authorization: Bearer <token>' when the server was started with --token.",
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });

  app.addHook('onRequest', async (request) => {
    if (stopping.aborted) throw errors.SERVE_SHUTTING_DOWN();
    if (limits.token && !OPEN_ROUTES.has(request.routeOptions.url ?? '') && !tokenMatches(request.headers.authorization, limits.token)) throw errors.SERVE_UNAUTHORIZED();
  });
  app.addHook('onSend', async (_request, reply) => {
    if (stopping.aborted) reply.header('connection', 'close'); // a kept-alive connection must not hold the shutdown
  });
  app.addHook('onResponse', async (request, reply) => {
    metrics.request(request.routeOptions.url ?? '(unknown)', reply.statusCode, reply.elapsedTime / 1000);
  });
  app.setErrorHandler(async (error, request, reply) => {
    if (reply.raw.destroyed) return reply.code(499).send(); // the client went away: its work was aborted, nobody reads this
    const { status, error: coded } = toHttpError(error, request.body, limits.bodyLimitBytes);
    const after = retryAfter(coded, limits.retryAfterSeconds);
    if (after !== null) reply.header('retry-after', String(after));
    if (coded.code === 'SERVE_UNAUTHORIZED') reply.header('www-authenticate', 'Bearer');
    if (status >= 500 && coded.code === 'SERVE_INTERNAL_ERROR') process.stderr.write(`molrl serve: ${request.method} ${request.url}: ${(error as Error)?.stack ?? String(error)}\n`);
    return reply.code(status).type('application/json').send(JSON.stringify({ error: coded.toJSON() }));
  });

  app.setNotFoundHandler(async (request) => {
    throw errors.SERVE_NOT_FOUND(request.method, request.url.split('?')[0], [...SERVE_ROUTES]);
  });

  const deps = { ctx, guard: createGuard(admission, limits, metrics), metrics };
  registerRunCode(app, deps);
  registerGetReward(app, deps);
  registerScore(app, deps);
  registerService(app, deps, () => ({ active: admission.active, queued: admission.queued }));
  await app.ready();
  return app;
}
