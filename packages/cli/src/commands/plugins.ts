// `molrl plugins`: `list` shows the built-in reward plugins and their options; `init NAME` scaffolds a new plugin package.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadPlugin } from '@molrl/core';
import { BUILTIN_PLUGINS, builtinPlugins } from '@molrl/plugins';
import type { Command } from 'commander';
import { errors } from '../errors.ts';
import { pluginScaffold } from '../plugin-scaffold.ts';

/** One row of `plugins list`. */
interface PluginRow {
  name: string;
  version: string;
  description: string;
  options: Record<string, { type?: unknown; default?: unknown; description?: unknown }>;
  requires?: unknown;
}

async function listPlugins(): Promise<PluginRow[]> {
  const rows: PluginRow[] = [];
  for (const name of Object.keys(BUILTIN_PLUGINS)) {
    let plugin;
    try {
      ({ plugin } = await loadPlugin(name, { builtins: builtinPlugins }));
    } catch (error) {
      rows.push({ name, version: '-', description: `unavailable: ${(error as Error).message.split('\n')[0]}`, options: {} });
      continue;
    }
    const props = plugin.optionsSchema === false ? {} : ((plugin.optionsSchema as { properties?: Record<string, Record<string, unknown>> }).properties ?? {});
    const options = Object.fromEntries(Object.entries(props).map(([k, s]) => [k, { type: s.type ?? (s.enum ? `enum ${JSON.stringify(s.enum)}` : 'object'), default: s.default ?? (plugin.defaultOptions as Record<string, unknown> | undefined)?.[k], description: s.description }]));
    rows.push({ name: plugin.name, version: plugin.version, description: plugin.description, options, ...(plugin.requires ? { requires: plugin.requires } : {}) });
  }
  return rows;
}

/** Adds `molrl plugins list|init`. */
export function registerPlugins(program: Command): void {
  const plugins = program.command('plugins').description('list the built-in reward plugins or scaffold a new one');
  plugins
    .command('list')
    .description('show the built-in reward plugins: name, version, description and options')
    .option('--json', 'print one JSON object per plugin')
    .action(async (flags: { json?: boolean }) => {
      for (const row of await listPlugins()) {
        if (flags.json) {
          process.stdout.write(JSON.stringify(row) + '\n');
          continue;
        }
        process.stdout.write(`${row.name} ${row.version}\n  ${row.description}\n`);
        for (const [k, o] of Object.entries(row.options)) process.stdout.write(`    ${k}: ${typeof o.type === 'string' ? o.type : JSON.stringify(o.type)}${o.default === undefined ? '' : ` (default ${JSON.stringify(o.default)})`}${o.description ? ` - ${o.description}` : ''}\n`);
      }
    });
  plugins
    .command('init')
    .description('scaffold a reward plugin package (package.json, src/index.js with definePlugin, README, a passing RewardTester test)')
    .argument('<name>', 'plugin name, e.g. reward:my-check (the package is molrl-plugin-my-check)')
    .option('--dir <dir>', 'directory to create (default ./<name without reward:>)')
    .option('--json', 'print the created files as JSON')
    .action((name: string, flags: { dir?: string; json?: boolean }) => {
      const slug = name.replace(/^reward:/, '');
      if (!/^[a-z][a-z0-9-]*$/.test(slug)) throw errors.CLI_USAGE('NAME', 'a lowercase name like reward:my-check (letters, digits, dashes)', name);
      const dir = resolve(flags.dir ?? slug);
      if (existsSync(dir)) throw errors.CLI_USAGE('--dir', `a directory that does not exist yet (${dir} exists)`, flags.dir ?? slug);
      const files = pluginScaffold(name.startsWith('reward:') ? name : `reward:${slug}`, slug);
      for (const [rel, content] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, rel)), { recursive: true });
        writeFileSync(join(dir, rel), content);
      }
      const created = Object.keys(files).map((f) => join(dir, f));
      if (flags.json) process.stdout.write(JSON.stringify({ dir, files: created }) + '\n');
      else process.stdout.write(`created ${dir}\n${created.map((f) => `  ${f}`).join('\n')}\nnext: cd ${dir} && npm test\n`);
    });
}
