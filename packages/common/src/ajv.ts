// The one ajv factory and the error formatter every config and protocol validation goes through.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { errors } from './errors.ts';

/** A new ajv instance with molrl's settings: every error, defaults applied, strict schemas. */
export function createAjv(options: { useDefaults?: boolean } = {}): Ajv {
  return new Ajv({ allErrors: true, useDefaults: options.useDefaults ?? true, strict: true, allowUnionTypes: true, verbose: true });
}

/** JSON pointer `/rewards/1/options` as `rewards[1].options`, prefixed by `root` when given. */
export function pointerToPath(pointer: string, root = ''): string {
  let out = root;
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(key) ? `[${key}]` : out === '' ? key : `.${key}`;
  }
  return out;
}

function show(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value); // NaN, not JSON's "null"
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** One human line per ajv error: `path: what (got value)`, unknown keys list the allowed ones. */
export function formatAjvErrors(list: ErrorObject[] | null | undefined, data: unknown, root = ''): string[] {
  const lines: string[] = [];
  for (const e of list ?? []) {
    const path = pointerToPath(e.instancePath, root) || root || '(root)';
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {});
      lines.push(`${path}: unexpected property "${extra}"; expected one of: ${allowed.join(', ') || '(none)'}`);
      continue;
    }
    if (e.keyword === 'if') continue; // the failing `then` branch is reported on its own
    let value: unknown = data;
    for (const part of e.instancePath.split('/').slice(1)) {
      value = (value as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    const extra = e.keyword === 'enum' ? ` ${(e.params as { allowedValues: unknown[] }).allowedValues.map(show).join(', ')}` : '';
    lines.push(`${path}: ${e.message}${extra} (got ${show(value)})`);
  }
  return lines;
}

/** Validate `data` with a compiled validator; throw CONFIG_INVALID listing every problem with its path. */
export function assertValid<T>(validate: ValidateFunction<T>, data: unknown, what: string, root = ''): asserts data is T {
  if (validate(data)) return;
  const lines = formatAjvErrors(validate.errors, data, root);
  const first = validate.errors?.[0];
  throw errors.CONFIG_INVALID(`${what} is invalid:\n  ${lines.join('\n  ')}`, first ? pointerToPath(first.instancePath, root) : root, {
    problems: lines,
    errors: validate.errors ?? [],
  });
}
