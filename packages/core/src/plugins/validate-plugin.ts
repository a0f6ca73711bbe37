// validatePlugin: checks a loaded plugin object's shape, apiVersion and requirements before any hook runs.
import semver from 'semver';
import { errors } from '../errors.ts';
import { PLUGIN_API_VERSION, type RewardPlugin } from '../types.ts';
import { PLUGIN_FIELDS, REWARD_HOOKS } from './hook-kinds.ts';

const BACKENDS = new Set(['docker', 'isolated-vm', 'process']);

/**
 * Asserts `value` is a RewardPlugin: required fields present with the right types, no unknown keys
 * (PLUGIN_INVALID listing every problem and the allowed keys), then the apiVersion range admits
 * PLUGIN_API_VERSION (PLUGIN_VERSION_MISMATCH). `path` is the config path, e.g. `rewards[1].plugin`.
 */
export function validatePlugin(value: unknown, path: string, fallbackName = 'anonymous plugin'): RewardPlugin {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw errors.PLUGIN_INVALID(fallbackName, [`expected an object (the module's default export, made with definePlugin), got ${value === null ? 'null' : typeof value}`], path);
  }
  const p = value as Record<string, unknown>;
  const name = typeof p.name === 'string' && p.name !== '' ? p.name : fallbackName;
  const problems: string[] = [];
  const allowed = [...Object.keys(PLUGIN_FIELDS), ...Object.keys(REWARD_HOOKS)];
  for (const key of Object.keys(p)) {
    if (!allowed.includes(key)) problems.push(`unknown key "${key}"; expected one of: ${allowed.join(', ')}`);
  }
  for (const [key, required] of Object.entries(PLUGIN_FIELDS)) {
    if (required && p[key] === undefined) problems.push(`missing required key "${key}"`);
  }
  for (const key of ['name', 'version', 'apiVersion', 'description', 'docsUrl'] as const) {
    if (p[key] !== undefined && (typeof p[key] !== 'string' || p[key] === '')) problems.push(`"${key}" must be a non-empty string (got ${JSON.stringify(p[key])})`);
  }
  if (typeof p.version === 'string' && semver.valid(p.version) === null) problems.push(`"version" must be a semver version (got "${p.version}")`);
  if (typeof p.apiVersion === 'string' && semver.validRange(p.apiVersion) === null) problems.push(`"apiVersion" must be a semver range such as "^1" (got "${p.apiVersion}")`);
  if (p.optionsSchema !== undefined && p.optionsSchema !== false && (p.optionsSchema === null || typeof p.optionsSchema !== 'object' || Array.isArray(p.optionsSchema))) {
    problems.push(`"optionsSchema" must be a JSON Schema object or false (got ${JSON.stringify(p.optionsSchema)})`);
  }
  if (p.defaultOptions !== undefined && (p.defaultOptions === null || typeof p.defaultOptions !== 'object' || Array.isArray(p.defaultOptions))) {
    problems.push('"defaultOptions" must be an object');
  }
  if (p.requires !== undefined) {
    const r = p.requires as Record<string, unknown> | null;
    if (r === null || typeof r !== 'object') problems.push('"requires" must be an object { sandbox?: [...] }');
    else {
      for (const k of Object.keys(r)) if (k !== 'sandbox') problems.push(`unknown key "requires.${k}"; expected one of: sandbox`);
      if (r.sandbox !== undefined && (!Array.isArray(r.sandbox) || r.sandbox.length === 0 || r.sandbox.some((b) => !BACKENDS.has(b as string)))) {
        problems.push(`"requires.sandbox" must be a non-empty list of ${[...BACKENDS].join(', ')} (got ${JSON.stringify(r.sandbox)})`);
      }
    }
  }
  if (p.scoreRange !== undefined) {
    const r = p.scoreRange as unknown[];
    if (!Array.isArray(r) || r.length !== 2 || !r.every((x) => typeof x === 'number' && Number.isFinite(x)) || (r[0] as number) > (r[1] as number)) {
      problems.push(`"scoreRange" must be [min, max] with finite min <= max (got ${JSON.stringify(p.scoreRange)})`);
    }
  }
  for (const hook of Object.keys(REWARD_HOOKS)) {
    if (p[hook] !== undefined && typeof p[hook] !== 'function') problems.push(`hook "${hook}" must be a function (got ${typeof p[hook]})`);
  }
  if (typeof p.score !== 'function') problems.push('missing required hook "score"');
  if (problems.length > 0) throw errors.PLUGIN_INVALID(name, problems, path);
  if (!semver.satisfies(PLUGIN_API_VERSION, p.apiVersion as string, { includePrerelease: true })) {
    throw errors.PLUGIN_VERSION_MISMATCH(name, p.apiVersion as string, PLUGIN_API_VERSION, path);
  }
  return p as unknown as RewardPlugin;
}

/** Asserts the plugin accepts the configured sandbox backend (PLUGIN_DEPENDENCY_MISSING otherwise). */
export function checkRequirements(plugin: RewardPlugin, backend: string, path: string): void {
  const needs = plugin.requires?.sandbox;
  if (needs && !needs.includes(backend as never)) throw errors.PLUGIN_DEPENDENCY_MISSING(plugin.name, needs, backend, path);
}
