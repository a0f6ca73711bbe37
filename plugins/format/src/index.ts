// reward:format — regex / required-tag checks (one <think> block then an answer, answer tags, code blocks), each a component.
import { definePlugin } from '@molrl/core/plugin';
import { buildChecks } from './format-checks.ts';
import { defaultOptions, optionsSchema, type FormatOptions } from './options-schema.ts';

export { thinkThenAnswer, oneTag, hasCodeBlock, buildChecks } from './format-checks.ts';
export { defaultOptions, optionsSchema, type FormatOptions, type PatternCheck } from './options-schema.ts';

const compiled = new WeakMap<object, ReturnType<typeof buildChecks>>();

export default definePlugin<FormatOptions>({
  name: 'reward:format',
  version: '0.1.0',
  apiVersion: '^1',
  description: 'Format checks (one <think> block then an answer, answer tags, a code block, regexes): a configurable score, one component per check.',
  optionsSchema,
  defaultOptions,
  setup(ctx) {
    buildChecks(ctx.options); // refuses a bad regex before the first sample
  },
  score(sample, ctx) {
    const o = ctx.options;
    let checks = compiled.get(o);
    if (!checks) compiled.set(o, (checks = buildChecks(o)));
    if (checks.length === 0) return { score: o.score, components: {}, reason: 'no checks configured' };
    const components: Record<string, number> = {};
    const failed: string[] = [];
    for (const [name, check] of checks) {
      const ok = check(sample.completion);
      components[name] = ok ? 1 : 0;
      if (!ok) failed.push(name);
    }
    const passed = checks.length - failed.length;
    const score = o.scoring === 'all' ? (failed.length === 0 ? o.score : o.failScore) : o.failScore + ((o.score - o.failScore) * passed) / checks.length;
    return { score, components, reason: failed.length === 0 ? 'all checks pass' : `failed: ${failed.join(', ')}` };
  },
});
