// The error catalogue and the built-in plugin registry are kept in sync with their docs: every package's
// `errors` factory produces its own code, keys are sorted, every code (and the policy server's HTTP codes)
// has a `### CODE` section in docs/errors.md with the CLI exit code it really gets, and no section is stale.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DOC = join(ROOT, 'docs', 'errors.md');
const HTTP_SECTION = 'Policy server HTTP codes';
const CODE_SHAPE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/;

type Factory = (...args: unknown[]) => unknown;
type Catalogue = Record<string, Factory>;

/**
 * Arguments for factories whose parameters need a specific shape (arrays, numbers). Factories not listed
 * are called with arguments guessed from their parameter names (see guessArgs); add a row here when a
 * new factory cannot be called that way.
 */
const ARGS: Record<string, unknown[]> = {
  CLI_USAGE: ['--max-tokens', 'expected a positive integer', 'abc'],
  PLUGIN_DEPENDENCY_MISSING: ['reward:code-execution', ['docker'], 'process', 'rewards[0].plugin'],
  PLUGIN_ERROR_LIMIT: [10, 11, [{ plugin: 'reward:x', hook: 'score', sampleId: 's1', code: 'PLUGIN_HOOK_FAILED', message: 'boom' }]],
  PLUGIN_INVALID: ['reward:x', ['missing required hook "score"'], 'rewards[0].plugin'],
  PLUGIN_NOT_FOUND: ['reward:x', ['built-in reward:x', 'package reward:x'], 'rewards[0].plugin'],
  PLUGIN_OPTIONS_INVALID: ['reward:x', ['rewards[0].options.k: must be number'], 'rewards[0].options.k', { errors: [] }],
  PLUGIN_TIMEOUT: ['reward:x', 'score', 1000],
  POLICY_PROTOCOL_INVALID: ['/v1/health', ['response.status: must be equal to constant']],
  POLICY_REQUEST_INVALID: ['/v1/generate', ['n: must be >= 1 (got 0)'], 'n'],
  POLICY_SERVER_ERROR: ['/v1/generate', 400, 'BAD_REQUEST', 'bad n', 'n'],
  POLICY_SERVER_EXITED: ['http://127.0.0.1:8100', 1, null],
  POLICY_SERVER_START_FAILED: ['the process exited (code 1) before it was ready', ['Traceback (most recent call last):']],
  POLICY_SERVER_TIMEOUT: ['/v1/generate', 1000],
  POLICY_SERVER_UNREACHABLE: ['http://127.0.0.1:8100', 3, new Error('x')],
  REWARD_ENGINE_CLOSED: [],
  SANDBOX_LANGUAGE_UNSUPPORTED: ['isolated-vm', 'python', ['javascript']],
  SANDBOX_RUNNER_UNRESPONSIVE: ['0123456789ab', 1000],
};

/** Plausible arguments from a factory's parameter names (types are stripped, names stay in its source). */
function guessArgs(make: Factory): unknown[] {
  const head = make.toString().split('=>')[0];
  const names = (head.match(/\(([^)]*)\)/)?.[1] ?? head)
    .split(',')
    .map((p) => p.trim().split(/[\s=:?]/)[0])
    .filter(Boolean)
    .slice(0, make.length);
  return names.map((name) => {
    if (/^ms$|Ms$|^count$|Count$|^attempts$|^status$|Bytes$|Mb$|^port$|^code$|exitCode/.test(name)) return 1;
    if (/^(cause|reason|error|err)$/.test(name)) return new Error('x');
    if (/^(details|fields|options)$/.test(name)) return {};
    if (/s$|list|tail|tried|needs|supported/i.test(name)) return ['x'];
    return 'x';
  });
}

interface PackageCatalogue {
  /** npm name of the package, e.g. `@molrl/core` (the `## ` section title in docs/errors.md). */
  name: string;
  /** errors.ts, relative to the repository root. */
  file: string;
  errors?: Catalogue;
  loadError?: unknown;
}

function packageDirs(): string[] {
  return ['packages', 'plugins'].flatMap((top) =>
    readdirSync(join(ROOT, top), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => join(ROOT, top, d.name)),
  );
}

async function loadCatalogues(): Promise<PackageCatalogue[]> {
  const out: PackageCatalogue[] = [];
  for (const dir of packageDirs()) {
    const file = join(dir, 'src', 'errors.ts');
    if (!existsSync(file)) continue;
    const name = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string }).name;
    try {
      const mod = (await import(pathToFileURL(file).href)) as { errors?: Catalogue };
      if (mod.errors === undefined || typeof mod.errors !== 'object') throw new Error('it has no `errors` export');
      out.push({ name, file: relative(ROOT, file), errors: mod.errors });
    } catch (loadError) {
      out.push({ name, file: relative(ROOT, file), loadError });
    }
  }
  return out;
}

/** `## ` section title -> `### ` code -> the text under it. */
function parseDoc(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let section: Map<string, string> | undefined;
  let code: string | undefined;
  for (const line of text.split('\n')) {
    const h2 = /^## (.+?)\s*$/.exec(line);
    const h3 = /^### (.+?)\s*$/.exec(line);
    if (h2) {
      section = new Map();
      sections.set(h2[1].replace(/`/g, ''), section);
      code = undefined;
    } else if (h3) {
      code = h3[1].replace(/`/g, '');
      assert.ok(section, `docs/errors.md: ### ${code} comes before any ## section`);
      assert.ok(!section.has(code), `docs/errors.md: ### ${code} appears twice in one section`);
      section.set(code, '');
    } else if (section && code !== undefined) {
      section.set(code, section.get(code) + line + '\n');
    }
  }
  return sections;
}

/** HTTP status per code raised by the Python policy server (`ApiError(status, "CODE", ...)`). */
function serverCodes(): Map<string, Set<number>> {
  const dir = join(ROOT, 'packages', 'policy-server', 'molrl_policy');
  const codes = new Map<string, Set<number>>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.py'))) {
    for (const m of readFileSync(join(dir, file), 'utf8').matchAll(/ApiError\(\s*(\d{3})\s*,\s*"([A-Z][A-Z0-9_]*)"/g)) {
      codes.set(m[2], (codes.get(m[2]) ?? new Set()).add(Number(m[1])));
    }
  }
  return codes;
}

function call(key: string, make: Factory): { code?: unknown; message?: unknown; name?: unknown } {
  const args = ARGS[key] ?? guessArgs(make);
  try {
    return make(...args) as { code?: unknown };
  } catch (error) {
    assert.fail(
      `errors.${key}(${args.map((a) => (a instanceof Error ? 'new Error()' : JSON.stringify(a))).join(', ')}) threw ` +
        `${(error as Error).stack ?? String(error)}\nadd the arguments it needs to ARGS in test/docs/errors-catalogue.test.ts`,
    );
  }
}

const catalogues = await loadCatalogues();
const doc = existsSync(DOC) ? parseDoc(readFileSync(DOC, 'utf8')) : new Map<string, Map<string, string>>();
let reportError: ((error: unknown, json?: boolean) => number) | undefined;
let reportErrorLoadError: unknown;
try {
  ({ reportError } = (await import(pathToFileURL(join(ROOT, 'packages', 'cli', 'src', 'report-error.ts')).href)) as {
    reportError: (error: unknown, json?: boolean) => number;
  });
} catch (error) {
  reportErrorLoadError = error;
}

/** The exit code the CLI gives `error` (reportError writes to stderr; silenced here). */
function exitCodeOf(error: unknown): number {
  assert.ok(reportError, `packages/cli/src/report-error.ts cannot be imported: ${String(reportErrorLoadError)}`);
  const write = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return reportError(error, true);
  } finally {
    process.stderr.write = write;
  }
}

describe('errors catalogue', () => {
  it('finds an errors.ts in the packages', () => {
    assert.ok(catalogues.length >= 5, `found only ${catalogues.map((c) => c.file).join(', ')}`);
  });

  for (const pkg of catalogues) {
    describe(`${pkg.name} (${pkg.file})`, () => {
      if (pkg.loadError !== undefined || !pkg.errors) {
        it('can be imported', () => assert.fail(`${pkg.file} cannot be imported: ${(pkg.loadError as Error)?.stack ?? String(pkg.loadError)}`));
        return;
      }
      const errors = pkg.errors;
      const keys = Object.keys(errors);

      it('keeps its codes sorted', () => {
        assert.deepEqual(keys, [...keys].sort());
      });

      for (const key of keys) {
        it(`${key} produces a MolrlError with code ${key}`, () => {
          assert.match(key, CODE_SHAPE, `${key} is not a SCREAMING_SNAKE code with an area prefix`);
          assert.equal(typeof errors[key], 'function', `errors.${key} is not a factory`);
          const error = call(key, errors[key]);
          assert.ok((error as unknown) instanceof Error, `errors.${key}() returned ${String(error)}, not an Error`);
          assert.equal(error.name, 'MolrlError');
          assert.equal(error.code, key);
          assert.ok(typeof error.message === 'string' && error.message.length > 0, `errors.${key}() has an empty message`);
        });
      }

      it('has a ### section per code in docs/errors.md, in code order, stating the CLI exit code', () => {
        const section = doc.get(pkg.name);
        assert.ok(section, `docs/errors.md has no "## ${pkg.name}" section`);
        assert.deepEqual([...section.keys()], keys, `the ### headings under "## ${pkg.name}" must be exactly the codes of ${pkg.file}, sorted`);
        for (const key of keys) {
          const stated: string | undefined = /\*\*CLI exit code:\*\*\s*`?(\d+)/.exec(section.get(key) ?? '')?.[1];
          assert.ok(stated !== undefined, `docs/errors.md: ### ${key} does not state "**CLI exit code:** N"`);
          assert.equal(Number(stated), exitCodeOf(call(key, errors[key])), `docs/errors.md: ### ${key} states the wrong CLI exit code`);
          assert.match(section.get(key) ?? '', /\*\*Fix:\*\*/, `docs/errors.md: ### ${key} does not say how to fix it`);
        }
      });
    });
  }

  it('has no factory argument rows for codes that no longer exist', () => {
    const all = new Set(catalogues.flatMap((c) => Object.keys(c.errors ?? {})));
    const loaded = catalogues.every((c) => c.errors);
    if (!loaded) return; // an unloadable package already fails above; its rows cannot be judged
    assert.deepEqual(Object.keys(ARGS).filter((k) => !all.has(k)), []);
  });

  it('uses each code in one package only', () => {
    const owner = new Map<string, string>();
    for (const c of catalogues) {
      for (const key of Object.keys(c.errors ?? {})) {
        assert.ok(!owner.has(key), `${key} is defined in both ${owner.get(key)} and ${c.file}`);
        owner.set(key, c.file);
      }
    }
  });

  it('has no stale section in docs/errors.md', () => {
    assert.ok(existsSync(DOC), 'docs/errors.md is missing');
    const packages = new Set(catalogues.map((c) => c.name));
    for (const [title, codes] of doc) {
      if (title === HTTP_SECTION || codes.size === 0) continue;
      assert.ok(packages.has(title), `docs/errors.md: "## ${title}" documents ${[...codes.keys()].join(', ')} but no package named ${title} has a src/errors.ts`);
    }
  });
});

describe('policy server HTTP codes', () => {
  it(`are exactly the ### sections under "## ${HTTP_SECTION}", sorted, each with its HTTP status`, () => {
    const section = doc.get(HTTP_SECTION);
    assert.ok(section, `docs/errors.md has no "## ${HTTP_SECTION}" section`);
    const codes = serverCodes();
    assert.ok(codes.size > 0, 'found no ApiError(status, "CODE") in packages/policy-server/molrl_policy');
    assert.deepEqual([...section.keys()], [...codes.keys()].sort());
    for (const [code, statuses] of codes) {
      const stated: string[] = [...(section.get(code) ?? '').matchAll(/\*\*HTTP status:\*\*\s*([\d ,/or]+)/g)].flatMap((m) => m[1].match(/\d{3}/g) ?? []);
      assert.deepEqual(stated.map(Number).sort(), [...statuses].sort(), `docs/errors.md: ### ${code} states the wrong HTTP status`);
    }
  });
});

describe('BUILTIN_PLUGINS', () => {
  const pluginDirs = () =>
    readdirSync(join(ROOT, 'plugins'), { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(ROOT, 'plugins', d.name, 'package.json')))
      .map((d) => ({ dir: join('plugins', d.name), name: (JSON.parse(readFileSync(join(ROOT, 'plugins', d.name, 'package.json'), 'utf8')) as { name: string }).name }));

  async function registry(): Promise<Readonly<Record<string, string>>> {
    const catalogue = (await import('@molrl/plugins')) as { BUILTIN_PLUGINS?: Readonly<Record<string, string>> };
    assert.ok(catalogue.BUILTIN_PLUGINS, '@molrl/plugins does not export BUILTIN_PLUGINS');
    return catalogue.BUILTIN_PLUGINS;
  }

  it('is sorted by plugin name', async () => {
    const names = Object.keys(await registry());
    assert.deepEqual(names, [...names].sort());
  });

  it('has, for each entry, a package under plugins/ with a README.md and tests', async () => {
    const dirs = pluginDirs();
    const problems: string[] = [];
    for (const [plugin, pkg] of Object.entries(await registry())) {
      const found = dirs.find((d) => d.name === pkg);
      if (!found) {
        problems.push(`${plugin}: no folder under plugins/ has a package.json named ${pkg}`);
        continue;
      }
      if (!existsSync(join(ROOT, found.dir, 'README.md'))) problems.push(`${plugin}: ${found.dir}/README.md is missing`);
      const testDir = join(ROOT, found.dir, 'test');
      const tests = existsSync(testDir) && statSync(testDir).isDirectory() ? readdirSync(testDir, { recursive: true }).map(String).filter((f) => f.endsWith('.test.ts')) : [];
      if (tests.length === 0) problems.push(`${plugin}: ${found.dir}/test/ holds no *.test.ts`);
    }
    assert.deepEqual(problems, []);
  });

  it('lists every package under plugins/', async () => {
    const registered = new Set(Object.values(await registry()));
    assert.deepEqual(
      pluginDirs().filter((d) => !registered.has(d.name)).map((d) => `${d.dir} (${d.name})`),
      [],
    );
  });
});
