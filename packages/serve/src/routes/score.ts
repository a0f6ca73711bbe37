// The native route: POST /v1/score, the result objects of `molrl score --json`, optionally streamed as NDJSON.
import { scoredSampleJson, type RewardSample } from '@molrl/core';
import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import { collect } from '../collect.ts';
import { scoreAsCompleted } from '../score-as-completed.ts';
import type { RouteDeps } from './route-deps.ts';
import { scoredSampleSchema, scoreRequestSchema, scoreResponseSchema } from './score-schema.ts';

const ROUTE = '/v1/score';
const NDJSON = 'application/x-ndjson';

type ScoreBody = { samples: Array<Omit<RewardSample, 'id' | 'metadata'> & { id: string | number; metadata?: Record<string, unknown> }> };

/**
 * Registers POST /v1/score. `accept: application/x-ndjson` streams one result per line as each finishes
 * (completion order; match them by id), and a last line `{ error: { code, message } }` if the request is cut
 * (SERVE_REQUEST_TIMEOUT, shutdown); otherwise `{ results }` in input order.
 */
export function registerScore(app: FastifyInstance, { ctx, guard, metrics }: RouteDeps): void {
  app.post(
    ROUTE,
    {
      schema: {
        tags: ['molrl'],
        summary: 'Score samples with the reward plugins; NDJSON stream with accept: application/x-ndjson',
        body: scoreRequestSchema,
        response: { 200: { description: `JSON { results } in input order, or with accept: ${NDJSON} one result per line as each finishes`, content: { 'application/json': { schema: scoreResponseSchema }, [NDJSON]: { schema: scoredSampleSchema } } } },
      },
    },
    async (request, reply) => {
      const samples: RewardSample[] = (request.body as ScoreBody).samples.map((s) => ({ ...s, id: String(s.id), metadata: s.metadata ?? {} }));
      if (!(request.headers.accept ?? '').includes(NDJSON)) {
        const results = await guard.run(reply, ROUTE, 429, (signal) => collect(ctx.engine.scoreAll(samples, { signal })));
        for (const r of results) metrics.result(ROUTE, r.status);
        return { results: results.map(scoredSampleJson) };
      }
      const ticket = await guard.admit(reply, ROUTE, 429);
      const stream = new Readable({ read() {} });
      void (async () => {
        try {
          for await (const r of scoreAsCompleted(ctx.engine, samples, ctx.scoreConcurrency, ticket.signal)) {
            metrics.result(ROUTE, r.status);
            stream.push(JSON.stringify(scoredSampleJson(r)) + '\n');
          }
          ticket.end();
        } catch (error) {
          const e = ticket.end(error) as { code?: string; message?: string };
          stream.push(JSON.stringify({ error: { code: e.code ?? 'SERVE_INTERNAL_ERROR', message: e.message ?? String(e) } }) + '\n');
        }
        stream.push(null);
      })();
      return reply.type(NDJSON).send(stream);
    },
  );
}
