// Loads every plugin of a rewards list and validates its options and requirements, reporting all problems at once.
import { MolrlError, errors as commonErrors, isMolrlError } from '@molrl/common';
import { errors } from '../errors.ts';
import { DEFAULT_CONTAINER_MEMORY_MB, type BackendName } from '@molrl/sandbox';
import { loadPlugin, type LoadedPlugin } from '../plugins/load-plugin.ts';
import { resolvePluginOptions } from '../plugins/plugin-options.ts';
import { checkRequirements } from '../plugins/validate-plugin.ts';
import type { PluginCatalog, RewardEngineConfig } from '../types.ts';
import { installPluginFaultHandlers, runInPluginScope } from './plugin-scope.ts';

/** One configured reward: its plugin, weight and validated, frozen options. */
export interface ConfiguredReward {
  name: string;
  weight: number;
  loaded: LoadedPlugin;
  options: Readonly<Record<string, unknown>>;
}

/** Throws the one error, or CONFIG_INVALID listing several (each error's JSON in `details.errors`). */
function throwAll(found: MolrlError[]): void {
  if (found.length === 1) throw found[0];
  if (found.length > 1) {
    throw commonErrors.CONFIG_INVALID(`the rewards config is invalid:\n  ${found.map((e) => `${e.code}: ${e.message.replace(/\n/g, '\n    ')}`).join('\n  ')}`, found[0].path, {
      problems: found.map((e) => e.message),
      errors: found.map((e) => e.toJSON()),
    });
  }
}

/** The sandbox settings plugin options are checked against. */
export interface SandboxCeiling {
  backend: BackendName;
  docker?: { memoryMb?: number };
}

/**
 * A plugin's per-run `memoryMb` option above what the docker pool's containers have would fail every
 * sample: refused here, naming both values.
 */
function checkAgainstSandbox(name: string, options: Record<string, unknown>, sandbox: SandboxCeiling, path: string): void {
  if (sandbox.backend !== 'docker' || typeof options.memoryMb !== 'number') return;
  const ceiling = sandbox.docker?.memoryMb ?? DEFAULT_CONTAINER_MEMORY_MB;
  if (options.memoryMb <= ceiling) return;
  throw errors.PLUGIN_OPTIONS_INVALID(name, [`${path}.memoryMb: ${options.memoryMb} MB per run is more than the sandbox containers have (sandbox.docker.memoryMb = ${ceiling} MB); lower ${path}.memoryMb or raise sandbox.docker.memoryMb`], `${path}.memoryMb`, {
    errors: [{ path: `${path}.memoryMb`, keyword: 'sandbox', params: { memoryMb: options.memoryMb, containerMemoryMb: ceiling } }],
  });
}

/**
 * Loads every plugin of `rewards` (PLUGIN_NOT_FOUND / PLUGIN_INVALID / PLUGIN_VERSION_MISMATCH /
 * PLUGIN_DEPENDENCY_MISSING / PLUGIN_OPTIONS_INVALID, several at once as CONFIG_INVALID) and validates
 * their options against their schemas, before any hook runs. Runs no plugin code but the module itself.
 * Built-in names are looked up in `builtins` (the catalogue of @molrl/plugins).
 */
export async function loadRewardPlugins(rewards: RewardEngineConfig['rewards'], sandbox: BackendName | SandboxCeiling, baseDir?: string, builtins?: PluginCatalog): Promise<ConfiguredReward[]> {
  const ceiling = typeof sandbox === 'string' ? { backend: sandbox } : sandbox;
  const backend = ceiling.backend;
  const found: MolrlError[] = [];
  const configured: ConfiguredReward[] = [];
  const release = installPluginFaultHandlers(); // a module that calls process.exit at import fails to load instead
  await Promise.all(
    rewards.map(async (spec, i) => {
      try {
        const label = typeof spec.plugin === 'string' ? spec.plugin : spec.plugin.name;
        const loaded = await runInPluginScope({ plugin: label, hook: 'import' }, () => loadPlugin(spec.plugin, { baseDir, path: `rewards[${i}].plugin`, builtins }));
        checkRequirements(loaded.plugin, backend, `rewards[${i}].plugin`);
        const options = resolvePluginOptions(loaded.plugin, spec.options, `rewards[${i}].options`);
        checkAgainstSandbox(loaded.plugin.name, options as Record<string, unknown>, ceiling, `rewards[${i}].options`);
        configured[i] = { name: loaded.plugin.name, weight: spec.weight ?? 1, loaded, options: options as Readonly<Record<string, unknown>> };
      } catch (error) {
        if (!isMolrlError(error)) throw error;
        found[i] = error;
      }
    }),
  ).finally(release);
  throwAll(found.filter(Boolean));
  const counts = new Map<string, number>();
  for (const c of configured) {
    const n = (counts.get(c.name) ?? 0) + 1;
    counts.set(c.name, n);
    if (n > 1) c.name = `${c.name}#${n}`;
  }
  return configured;
}
