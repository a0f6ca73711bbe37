// Generates everything derived from the policy protocol's JSON Schemas (packages/policy-client/schemas, the
// one place where protocol fields are defined):
//   packages/policy-client/src/protocol-types.ts          TypeScript types (json-schema-to-typescript)
//   packages/policy-server/molrl_policy/schemas/*.json    the schema files, shipped in the Python package
//   packages/policy-server/molrl_policy/openapi.json      OpenAPI 3.1 document of the server (GET /openapi.json)
// `npm run build` and `npm run setup` run it; `--check` writes nothing and exits 1 naming every stale file.
// Usage: node packages/policy-client/scripts/generate-protocol.ts [--check]
import { compile } from 'json-schema-to-typescript';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [key: string]: Json };

const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Repository root. */
export const ROOT = join(PACKAGE, '..', '..');
/** The source: one `<name>.json` per protocol message. */
export const SCHEMA_DIR = join(PACKAGE, 'schemas');
const PYTHON_PACKAGE = join(ROOT, 'packages', 'policy-server', 'molrl_policy');
/** Generated files, relative to the repository root. */
export const OUTPUTS = {
  types: 'packages/policy-client/src/protocol-types.ts',
  pythonSchemas: 'packages/policy-server/molrl_policy/schemas',
  openapi: 'packages/policy-server/molrl_policy/openapi.json',
} as const;

/**
 * TypeScript names of the messages and of their named parts, by JSON pointer into a schema file
 * (`<file>#<pointer>`). A message without a row is named after its file (`train-mol-request` ->
 * `TrainMolRequest`), a definition after its key.
 */
export const TYPE_NAMES: Record<string, string> = {
  error: 'ServerErrorBody',
  'error#/definitions/error': 'ServerError',
  'generate-request#/properties/prompts/items': 'Prompt',
  'generate-request#/properties/prompts/items/oneOf/0/properties/messages/items': 'ChatMessage',
  'generate-request#/properties/sampling': 'SamplingParams',
  'train-policy-request#/properties/lossType': 'LossType',
  'train-policy-request#/properties/clip': 'ClipRange',
  'train-mol-request#/properties/examples/items': 'MolExample',
  'train-mol-request#/properties/examples/items/properties/segments/items': 'MolSegment',
  'train-mol-request#/properties/mode': 'MolMode',
};

/** A server route: method, path, the schemas of its request and 200 answer, and what it does. */
interface Route {
  method: 'get' | 'post';
  path: string;
  operationId: string;
  summary: string;
  request?: string;
  response: string;
  /** Extra 200 content types (media type -> schema name). */
  alternatives?: Record<string, string>;
  /** Train and load requests change the server's state: clients never retry them after sending. */
  changesState?: boolean;
}

/** The server's routes (packages/policy-server/molrl_policy/server.py serves exactly these). */
export const ROUTES: Route[] = [
  { method: 'get', path: '/v1/health', operationId: 'health', summary: 'Liveness, model, device and step; answers while a generation runs.', response: 'health-response' },
  {
    method: 'post',
    path: '/v1/generate',
    operationId: 'generate',
    summary: 'Sample n completions per prompt; with Accept: application/x-ndjson the completions stream as they finish.',
    request: 'generate-request',
    response: 'generate-response',
    alternatives: { 'application/x-ndjson': 'generate-stream-line' },
  },
  { method: 'post', path: '/v1/train/policy', operationId: 'trainPolicy', summary: 'One clipped policy-gradient step on a stored rollout.', request: 'train-policy-request', response: 'train-policy-response', changesState: true },
  { method: 'post', path: '/v1/train/mol', operationId: 'trainMol', summary: 'One mixture-of-losses (or SFT) step over tagged text segments.', request: 'train-mol-request', response: 'train-mol-response', changesState: true },
  { method: 'post', path: '/v1/phase/start', operationId: 'startPhase', summary: 'At a training phase start: optionally clear the optimizer state, and set the KL reference (the loaded model, or a snapshot of the weights now).', request: 'phase-start-request', response: 'phase-start-response', changesState: true },
  { method: 'post', path: '/v1/checkpoint/save', operationId: 'saveCheckpoint', summary: 'Write weights or adapter, optimizer, step and RNG state under the checkpoint root.', request: 'checkpoint-request', response: 'checkpoint-response' },
  { method: 'post', path: '/v1/checkpoint/load', operationId: 'loadCheckpoint', summary: 'Restore a checkpoint from under the checkpoint root.', request: 'checkpoint-request', response: 'checkpoint-response', changesState: true },
];

/** The schema files by name (`generate-request`, ...), parsed, in file-name order. */
export function readSchemas(dir = SCHEMA_DIR): Map<string, Schema> {
  const out = new Map<string, Schema>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    out.set(file.replace(/\.json$/, ''), JSON.parse(readFileSync(join(dir, file), 'utf8')) as Schema);
  }
  return out;
}

function pascal(name: string): string {
  return name.replace(/(^|[-_])([a-z0-9])/g, (_m, _sep, c: string) => c.toUpperCase());
}

/** The TypeScript name of a message (`<file>`) or of a definition (`<file>#/definitions/<key>`). */
export function typeName(key: string): string {
  return TYPE_NAMES[key] ?? pascal(key.split('/').pop() ?? key);
}

function clone<T extends Json>(value: T): T {
  return structuredClone(value);
}

function at(schema: Json, pointer: string, where: string): Schema {
  let node: Json = schema;
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    node = node && typeof node === 'object' ? (Array.isArray(node) ? node[Number(key)] : node[key]) ?? null : null;
  }
  if (!node || typeof node !== 'object' || Array.isArray(node)) throw new Error(`${where}: the pointer names no schema; update TYPE_NAMES in ${relative(ROOT, fileURLToPath(import.meta.url))}`);
  return node;
}

/** Every `$ref` in `node` replaced by `rewrite(ref)`. */
function mapRefs(node: Json, rewrite: (ref: string) => string): Json {
  if (Array.isArray(node)) return node.map((n) => mapRefs(n, rewrite));
  if (!node || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === '$ref' && typeof v === 'string' ? rewrite(v) : mapRefs(v, rewrite);
  return out;
}

/**
 * The schemas as one set of named components: each message and each definition under its type name, the
 * files' own `$schema`, `$id` and `definitions` dropped and every `$ref` (`#/definitions/x` or
 * `<file>.json#/definitions/x`, the only forms used) pointing at `prefix + name`.
 */
export function bundle(schemas: Map<string, Schema>, prefix: string, options: { titles: boolean }): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  const owner = new Map<string, string>();
  const put = (name: string, key: string, schema: Schema): void => {
    if (owner.has(name)) throw new Error(`two schemas get the type name ${name}: ${owner.get(name)} and ${key}; add a row to TYPE_NAMES`);
    owner.set(name, key);
    out[name] = schema;
  };
  for (const [file, original] of schemas) {
    const schema = clone(original);
    if (options.titles) {
      for (const [key, name] of Object.entries(TYPE_NAMES)) {
        const [f, pointer] = key.split('#');
        if (f === file && pointer && !pointer.startsWith('/definitions/')) at(schema, pointer, key).title = name;
      }
    }
    const rewrite = (ref: string): string => {
      const m = /^([a-z0-9-]+\.json)?#\/definitions\/([A-Za-z0-9_]+)$/.exec(ref);
      if (!m) throw new Error(`${file}.json: $ref ${JSON.stringify(ref)} is not of the form [<file>.json]#/definitions/<name>`);
      const target = m[1] ? m[1].replace(/\.json$/, '') : file;
      if (!schemas.has(target)) throw new Error(`${file}.json: $ref ${ref} names a schema file that does not exist`);
      return prefix + typeName(`${target}#/definitions/${m[2]}`);
    };
    const { $schema: _s, $id: _i, definitions, ...rest } = mapRefs(schema, rewrite) as Schema;
    if (options.titles) rest.title = typeName(file);
    put(typeName(file), file, rest);
    for (const [key, def] of Object.entries((definitions ?? {}) as Record<string, Schema>)) {
      const name = typeName(`${file}#/definitions/${key}`);
      put(name, `${file}#/definitions/${key}`, options.titles ? { ...def, title: name } : def);
    }
  }
  return out;
}

const TYPES_BANNER = `// Generated by packages/policy-client/scripts/generate-protocol.ts from packages/policy-client/schemas/*.json:
// do not edit. Change the schema files, then run \`npm run build\` (or the script itself).`;

/** The TypeScript source of every protocol type, plus \`PolicyProtocol\` (schema name -> type). */
export async function generateTypes(schemas: Map<string, Schema>): Promise<string> {
  const definitions = bundle(schemas, '#/definitions/', { titles: true });
  const root = {
    title: 'PolicyProtocol',
    description: 'Every message of the policy protocol, by schema name (`schemas/<name>.json`).',
    type: 'object',
    additionalProperties: false,
    required: [...schemas.keys()],
    properties: Object.fromEntries([...schemas.keys()].map((name) => [name, { $ref: `#/definitions/${typeName(name)}` }])),
    definitions,
  };
  const source = await compile(root as never, 'PolicyProtocol', {
    bannerComment: TYPES_BANNER,
    additionalProperties: true,
    ignoreMinAndMaxItems: true,
    unreachableDefinitions: true,
    strictIndexSignatures: true,
    unknownAny: true,
    style: { singleQuote: true, printWidth: 140, trailingComma: 'all' },
  });
  const names = `\n/** Names of the protocol schemas, one file \`schemas/<name>.json\` each. */\nexport const schemaNames = [\n${[...schemas.keys()].map((n) => `  '${n}',`).join('\n')}\n] as const;\n`;
  // The generator notes where each definition came from; the names say it already.
  const note = / \* This interface was referenced by `PolicyProtocol`'s JSON-Schema\n \* via the `definition` "\w+"\.\n/g;
  return source.replace(/\/\*\*\n(?= \* This interface was referenced)/g, '/**\n')
    .replace(/ \*\n(?= \* This interface was referenced)/g, '')
    .replace(note, '')
    .replace(/\/\*\*\n \*\/\n/g, '') + names;
}

/** The OpenAPI 3.1 document of the server: the routes above, their bodies as the schemas, coded errors. */
export function generateOpenApi(schemas: Map<string, Schema>): Schema {
  const components = bundle(schemas, '#/components/schemas/', { titles: false });
  const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${typeName(name)}` });
  const error = { $ref: '#/components/responses/Error' };
  const paths: Record<string, Schema> = {};
  for (const route of [...ROUTES].sort((a, b) => a.path.localeCompare(b.path))) {
    const content: Schema = { 'application/json': { schema: ref(route.response) } };
    for (const [media, name] of Object.entries(route.alternatives ?? {})) content[media] = { schema: ref(name) };
    const operation: Schema = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.request ? { requestBody: { required: true, content: { 'application/json': { schema: ref(route.request) } } } } : {}),
      responses: { '200': { description: String(schemas.get(route.response)?.description ?? schemas.get(route.response)?.title ?? 'OK'), content }, '4XX': error, '5XX': error },
      ...(route.changesState ? { 'x-molrl-retry': 'never after the request was sent: the server may have applied it' } : {}),
    };
    paths[route.path] = { [route.method]: operation };
  }
  paths['/openapi.json'] = {
    get: {
      operationId: 'openapi',
      summary: 'This document.',
      responses: { '200': { description: 'The OpenAPI 3.1 document of this server.', content: { 'application/json': { schema: { type: 'object' } } } }, '4XX': error },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'molrl policy server',
      version: '1',
      description:
        'HTTP API of molrl_policy (protocol version 1): generate, policy-gradient and mixture-of-losses steps, checkpoints. ' +
        'Generated from packages/policy-client/schemas/*.json by packages/policy-client/scripts/generate-protocol.ts; do not edit. ' +
        'Every failed request answers with a coded error body (docs/errors.md, "Policy server HTTP codes").',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: 'http://127.0.0.1:8100', description: 'the default of `python -m molrl_policy.server`' }],
    security: [{}, { bearer: [] }],
    paths,
    components: {
      schemas: components,
      responses: { Error: { description: 'A coded error (HTTP 4xx / 5xx).', content: { 'application/json': { schema: ref('error') } } } },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Required on every route when the server was started with --token.' } },
    },
  } as Schema;
}

function json(value: Json): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/** Every generated file (path relative to the repository root -> content). */
export async function generateProtocol(dir = SCHEMA_DIR): Promise<Map<string, string>> {
  const schemas = readSchemas(dir);
  const files = new Map<string, string>();
  files.set(OUTPUTS.types, await generateTypes(schemas));
  for (const name of schemas.keys()) files.set(`${OUTPUTS.pythonSchemas}/${name}.json`, readFileSync(join(dir, `${name}.json`), 'utf8'));
  files.set(OUTPUTS.openapi, json(generateOpenApi(schemas)));
  return files;
}

/** Generated files whose content on disk differs from what the schemas give, plus stray copies. */
export async function staleFiles(): Promise<string[]> {
  const files = await generateProtocol();
  const stale = [...files].filter(([path, content]) => !existsSync(join(ROOT, path)) || readFileSync(join(ROOT, path), 'utf8') !== content).map(([p]) => p);
  const copies = join(PYTHON_PACKAGE, 'schemas');
  if (existsSync(copies)) {
    for (const f of readdirSync(copies).filter((f) => f.endsWith('.json'))) {
      if (!files.has(`${OUTPUTS.pythonSchemas}/${f}`)) stale.push(`${OUTPUTS.pythonSchemas}/${f}`);
    }
  }
  return stale;
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write('usage: node packages/policy-client/scripts/generate-protocol.ts [--check]\n  writes the files generated from packages/policy-client/schemas; --check only lists stale ones (exit 1)\n');
    return 0;
  }
  const stale = await staleFiles();
  if (argv.includes('--check')) {
    if (stale.length) process.stderr.write(`generate-protocol: stale (run npm run build): ${stale.join(', ')}\n`);
    return stale.length ? 1 : 0;
  }
  const files = await generateProtocol();
  for (const path of stale) {
    const abs = join(ROOT, path);
    if (!files.has(path)) {
      rmSync(abs);
      continue;
    }
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, files.get(path)!);
  }
  if (stale.length) process.stdout.write(`generate-protocol: wrote ${stale.join(', ')}\n`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`generate-protocol: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
