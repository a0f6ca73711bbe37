// OpenRLHF's remote reward route: POST /get_reward, scored by the configured reward plugins.
import type { RewardSample, ScoredSample } from '@molrl/core';
import type { FastifyInstance } from 'fastify';
import { collect } from '../collect.ts';
import { errors } from '../errors.ts';
import { getRewardRequestSchema, getRewardResponseSchema, type GetRewardRequest, type GetRewardResponse } from './get-reward-schema.ts';
import type { RouteDeps } from './route-deps.ts';

const ROUTE = '/get_reward';

/** An end-of-sequence / padding token at the end of a text (OpenRLHF decodes queries with the special tokens). */
const SPECIAL_AT_END = /(?:<\|[A-Za-z0-9_]{1,40}\|>|<\/s>|<eos>|<pad>)$/;

/** `text` without trailing special tokens and whitespace. */
function stripTrailingSpecial(text: string): string {
  for (;;) {
    const t = text.trimEnd();
    const m = SPECIAL_AT_END.exec(t.slice(-48));
    if (!m) return t;
    text = t.slice(0, t.length - m[0].length);
  }
}

/** completion = query minus its prompt (the prompt must start the query, or appear in it), without trailing special tokens. */
function completionOf(query: string, prompt: string | undefined, i: number): string {
  let rest: string;
  if (prompt === undefined || prompt === '') rest = query;
  else if (query.startsWith(prompt)) rest = query.slice(prompt.length);
  else {
    const at = query.indexOf(prompt);
    if (at < 0) throw errors.SERVE_REQUEST_INVALID([`query[${i}] does not contain prompts[${i}]; OpenRLHF sends query = prompt + response`], `query[${i}]`);
    rest = query.slice(at + prompt.length);
  }
  return stripTrailingSpecial(rest);
}

function toSamples(body: GetRewardRequest): RewardSample[] {
  const n = body.query.length;
  const problems: string[] = [];
  if (body.prompts !== undefined && body.prompts.length !== n) problems.push(`prompts: ${body.prompts.length} items for ${n} queries; send one prompt per query`);
  if (body.labels !== undefined && body.labels.length !== n) problems.push(`labels: ${body.labels.length} items for ${n} queries; send one label per query`);
  if (problems.length) throw errors.SERVE_REQUEST_INVALID(problems, problems[0].split(':')[0]);
  return body.query.map((query, i) => ({
    id: String(i),
    prompt: body.prompts?.[i],
    completion: completionOf(query, body.prompts?.[i], i),
    ...(body.labels === undefined || body.labels[i] === null ? {} : { groundTruth: body.labels[i] }),
    metadata: {},
  }));
}

/** OpenRLHF's answer: totals, and each plugin's score and components as `extra_logs` columns (0 where absent). */
function toResponse(results: ScoredSample[]): GetRewardResponse {
  const rewards = results.map((r) => r.score ?? 0);
  const columns = new Map<string, number[]>();
  const put = (key: string, i: number, v: number) => {
    if (!columns.has(key)) columns.set(key, new Array<number>(results.length).fill(0));
    columns.get(key)![i] = v;
  };
  results.forEach((r, i) => {
    for (const [plugin, res] of Object.entries(r.rewards)) {
      if (res.score !== null) put(plugin, i, res.score);
      for (const [c, v] of Object.entries(res.components)) put(`${plugin}.${c}`, i, v);
    }
    put('abstained', i, r.status === 'abstain' ? 1 : 0);
  });
  return { rewards, scores: rewards, extra_logs: Object.fromEntries(columns) };
}

/**
 * Registers POST /get_reward. An `infra_error` sample answers SERVE_SCORE_INFRA_ERROR (503) for the whole request
 * so that OpenRLHF's client retries it; any other fault (a plugin's own error) answers SERVE_SCORE_FAILED (500).
 * A sample every plugin abstained on scores 0 with `extra_logs.abstained` = 1.
 */
export function registerGetReward(app: FastifyInstance, { ctx, guard, metrics }: RouteDeps): void {
  app.post(
    ROUTE,
    { schema: { tags: ['OpenRLHF'], summary: 'Score query = prompt + response with the reward plugins (OpenRLHF remote reward)', body: getRewardRequestSchema, response: { 200: getRewardResponseSchema } } },
    async (request, reply) => {
      const samples = toSamples(request.body as GetRewardRequest);
      const results = await guard.run(reply, ROUTE, 429, (signal) => collect(ctx.engine.scoreAll(samples, { signal })));
      for (const r of results) metrics.result(ROUTE, r.status);
      const reason = (r: ScoredSample) => Object.values(r.rewards).map((x) => x.error?.message ?? x.reason).filter(Boolean).join('; ') || r.status;
      const infra = results.filter((r) => r.status === 'infra_error');
      if (infra.length) throw errors.SERVE_SCORE_INFRA_ERROR(infra.map((r) => r.id), reason(infra[0]));
      const failed = results.filter((r) => r.status !== 'ok' && r.status !== 'abstain');
      if (failed.length) throw errors.SERVE_SCORE_FAILED(failed.map((r) => r.id), reason(failed[0]));
      return toResponse(results);
    },
  );
}
