// loadPlugin: resolves a `rewards[i].plugin` reference (built-in name, module path, npm package) to a checked plugin.
import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { errors } from '../errors.ts';
import type { PluginCatalog, RewardPlugin } from '../types.ts';
import { validatePlugin } from './validate-plugin.ts';

/** Where a plugin came from, in a form a worker thread can import again. */
export type PluginSource = { kind: 'builtin'; name: string; url: string } | { kind: 'url'; url: string } | { kind: 'object' };

/** A loaded, validated plugin and its source. */
export interface LoadedPlugin {
  plugin: RewardPlugin;
  source: PluginSource;
}

const isPath = (spec: string) => spec.startsWith('.') || isAbsolute(spec) || spec.startsWith('file:');

function isModuleNotFound(error: unknown, spec: string): boolean {
  const code = (error as { code?: string })?.code;
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') && String((error as Error).message).includes(spec.split('/').pop() ?? spec);
}

/** The plugin object a module exports: its default export, or a `plugin` named export. */
export function pluginFromModule(mod: unknown): unknown {
  const m = mod as { default?: unknown; plugin?: unknown };
  return m?.default ?? m?.plugin;
}

/** Imports the module a PluginSource names (used by the loader and by worker threads). */
export async function importPluginSource(source: PluginSource): Promise<unknown> {
  if (source.kind === 'builtin' || source.kind === 'url') return pluginFromModule(await import(source.url));
  throw new Error('a plugin given as an object cannot be re-imported');
}

/**
 * Loads a plugin by built-in name (`reward:code-execution`, looked up in `builtins`: the catalogue of
 * @molrl/plugins), by path to an ES module (relative paths resolve against `baseDir`), or by npm package
 * name (resolved from `baseDir`, then from molrl itself). Throws PLUGIN_NOT_FOUND listing what was tried,
 * PLUGIN_INVALID / PLUGIN_VERSION_MISMATCH for bad plugins.
 */
export async function loadPlugin(spec: string | RewardPlugin, opts: { baseDir?: string; path?: string; builtins?: PluginCatalog } = {}): Promise<LoadedPlugin> {
  const path = opts.path ?? 'plugin';
  if (typeof spec !== 'string') return { plugin: validatePlugin(spec, path), source: { kind: 'object' } };
  const baseDir = opts.baseDir ?? process.cwd();
  const builtins = opts.builtins ?? {};
  const tried: string[] = [];
  const attempt = async (label: string, source: PluginSource): Promise<LoadedPlugin | null> => {
    tried.push(label);
    let value: unknown;
    try {
      value = await importPluginSource(source);
    } catch (error) {
      if (isModuleNotFound(error, source.kind === 'builtin' ? source.url : spec)) return null;
      throw errors.PLUGIN_INVALID(spec, [`importing ${label} failed: ${(error as Error).message}`], path);
    }
    return { plugin: validatePlugin(value, path, spec), source };
  };
  if (Object.hasOwn(builtins, spec)) {
    const found = await attempt(`built-in ${spec} (${builtins[spec]})`, { kind: 'builtin', name: spec, url: builtins[spec] });
    if (found) return found;
  } else if (isPath(spec)) {
    const url = spec.startsWith('file:') ? spec : pathToFileURL(resolve(baseDir, spec)).href;
    const found = await attempt(`module ${url}`, { kind: 'url', url });
    if (found) return found;
  } else {
    try {
      const file = createRequire(resolve(baseDir, 'package.json')).resolve(spec);
      const found = await attempt(`package ${spec} from ${baseDir} (${file})`, { kind: 'url', url: pathToFileURL(file).href });
      if (found) return found;
    } catch (error) {
      if ((error as { code?: string }).code !== 'MODULE_NOT_FOUND' && (error as { code?: string }).code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw error;
      tried.push(`package ${spec} from ${baseDir}`);
    }
    if (spec.startsWith('reward:')) {
      const names = Object.keys(builtins);
      tried.push(names.length ? `built-in names: ${names.join(', ')}` : 'built-in names: none were given (pass `builtins` from @molrl/plugins)');
    }
    else {
      try {
        const url = import.meta.resolve(spec);
        const found = await attempt(`package ${spec} from molrl (${url})`, { kind: 'url', url });
        if (found) return found;
      } catch {
        tried.push(`package ${spec} from molrl`);
      }
    }
  }
  throw errors.PLUGIN_NOT_FOUND(spec, tried, path);
}
