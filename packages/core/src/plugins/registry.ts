// The built-in reward plugins: an explicit, sorted, lazily loaded map from name to package.

/** Built-in plugin name -> npm package that default-exports it (keep sorted). */
export const BUILTIN_PLUGINS: Readonly<Record<string, string>> = Object.freeze({
  'reward:code-execution': '@molrl/plugin-code-execution',
  'reward:format': '@molrl/plugin-format',
  'reward:math-answer': '@molrl/plugin-math-answer',
});

/** Imports a built-in plugin's module (resolved from @molrl/core, where the workspace links the packages). */
export function importBuiltin(name: string): Promise<unknown> {
  const pkg = BUILTIN_PLUGINS[name];
  if (pkg === undefined) return Promise.reject(new Error(`not a built-in plugin: ${name}`));
  return import(pkg);
}
