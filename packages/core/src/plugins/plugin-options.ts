// resolvePluginOptions: validates a plugin's options against its schema (defaults applied) and freezes them.
import { createAjv, deepFreeze, formatAjvErrors, pointerToPath } from '@molrl/common';
import type { ValidateFunction } from 'ajv';
import { errors } from '../errors.ts';
import type { RewardPlugin } from '../types.ts';

/** "No options allowed": the schema used when a plugin omits `optionsSchema`. */
const NO_OPTIONS = { type: 'object', additionalProperties: false, properties: {} } as const;

const cache = new WeakMap<object, ValidateFunction>();
let ajv: ReturnType<typeof createAjv> | null = null;

function validatorFor(plugin: RewardPlugin, path: string): ValidateFunction | null {
  if (plugin.optionsSchema === false) return null;
  const schema = plugin.optionsSchema ?? NO_OPTIONS;
  let validate = cache.get(schema);
  if (!validate) {
    ajv ??= createAjv();
    try {
      validate = ajv.compile(schema);
    } catch (cause) {
      throw errors.PLUGIN_INVALID(plugin.name, [`optionsSchema does not compile: ${(cause as Error).message}`], path);
    }
    cache.set(schema, validate);
  }
  return validate;
}

/**
 * Merges `defaultOptions` under `options` (shallow), validates against the plugin's schema with ajv
 * (schema defaults applied) and returns the result deep-frozen. Throws PLUGIN_OPTIONS_INVALID whose
 * `path` is the first problem's path (`rewards[1].options.timeoutMs`) and whose details hold every
 * problem (`problems`) and the raw ajv errors with their paths (`errors: [{ path, keyword, ... }]`).
 */
export function resolvePluginOptions<O>(plugin: RewardPlugin<O>, options: unknown, path: string): Readonly<O> {
  const validate = validatorFor(plugin as RewardPlugin, path.replace(/\.options$/, '.plugin'));
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw errors.PLUGIN_OPTIONS_INVALID(plugin.name, [`${path}: must be an object (got ${JSON.stringify(options)})`], path, { errors: [{ path, keyword: 'type' }] });
  }
  const merged: Record<string, unknown> = { ...structuredClone((plugin.defaultOptions ?? {}) as object), ...structuredClone((options ?? {}) as object) };
  if (validate && !validate(merged)) {
    const list = validate.errors ?? [];
    const problems = formatAjvErrors(list, merged, path);
    const raw = list.map((e) => {
      const extra = e.keyword === 'additionalProperties' ? `.${(e.params as { additionalProperty: string }).additionalProperty}` : '';
      return { path: pointerToPath(e.instancePath, path) + extra, keyword: e.keyword, params: e.params, message: e.message };
    });
    throw errors.PLUGIN_OPTIONS_INVALID(plugin.name, problems, raw[0]?.path ?? path, { errors: raw });
  }
  return deepFreeze(merged) as Readonly<O>;
}
