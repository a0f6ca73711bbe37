// SandboxFusion's routes: POST /run_code (one program in the sandbox) and GET /v1/ping.
import type { FastifyInstance } from 'fastify';
import { errors } from '../errors.ts';
import type { RouteDeps } from './route-deps.ts';
import { toRunCodeResponse, toRunRequest } from './run-code-mapping.ts';
import { runCodeRequestSchema, runCodeResponseSchema, type RunCodeRequest } from './run-code-schema.ts';
import { sandboxFusionNames } from './sandbox-fusion-languages.ts';

const ROUTE = '/run_code';

/** Registers /run_code (overload and request timeout answer 504: the status verl retries) and /v1/ping. */
export function registerRunCode(app: FastifyInstance, { ctx, guard, metrics }: RouteDeps): void {
  app.post(
    ROUTE,
    {
      schema: {
        tags: ['SandboxFusion'],
        summary: 'Run one program in the sandbox (SandboxFusion protocol)',
        body: runCodeRequestSchema,
        response: { 200: runCodeResponseSchema },
      },
    },
    async (request, reply) => {
      const run = toRunRequest(request.body as RunCodeRequest, ctx.sandboxConfig.backend, ctx.sandboxConfig.limits, ctx.limits.requestTimeoutMs);
      let result;
      try {
        result = await guard.run(reply, ROUTE, 504, (signal) => ctx.sandbox.run(run, { signal }));
      } catch (error) {
        const e = error as { code?: string; details?: { supported?: string[] } };
        if (e.code === 'SANDBOX_LANGUAGE_UNSUPPORTED') throw errors.SERVE_LANGUAGE_UNSUPPORTED((request.body as RunCodeRequest).language, sandboxFusionNames(e.details?.supported ?? []));
        throw error;
      }
      metrics.result(ROUTE, result.status);
      return toRunCodeResponse(result, run);
    },
  );
  app.get('/v1/ping', { schema: { tags: ['SandboxFusion'], summary: "Liveness as SandboxFusion answers it: the JSON string 'pong'", response: { 200: { type: 'string' } } } }, async (_request, reply) =>
    reply.type('application/json').send('"pong"'),
  );
}
