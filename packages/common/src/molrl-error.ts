// The one error shape every molrl package throws: a stable `code`, a message that names what, the value,
// what was expected and how to fix it, and structured fields (path, plugin, hook, cause) for tools.

/** Structured fields an error may carry beside its code and message. */
export interface MolrlErrorFields {
  /** Config or JSON path the error is about, e.g. `rewards[1].options.timeoutMs`. */
  path?: string;
  /** Plugin name, when a plugin is involved. */
  plugin?: string;
  /** Plugin hook, when a hook failed. */
  hook?: string;
  /** The underlying error. */
  cause?: unknown;
  /** Any other data a caller may want to inspect (never parsed from the message). */
  details?: Record<string, unknown>;
}

/** Base class of every coded molrl error. Test on `code`, never on `message`. */
export class MolrlError extends Error {
  readonly code: string;
  readonly path?: string;
  readonly plugin?: string;
  readonly hook?: string;
  readonly details?: Record<string, unknown>;

  constructor(code: string, message: string, fields: MolrlErrorFields = {}) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = 'MolrlError';
    this.code = code;
    if (fields.path !== undefined) this.path = fields.path;
    if (fields.plugin !== undefined) this.plugin = fields.plugin;
    if (fields.hook !== undefined) this.hook = fields.hook;
    if (fields.details !== undefined) this.details = fields.details;
  }

  /** A plain JSON form for `--json` output and HTTP bodies. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.path === undefined ? {} : { path: this.path }),
      ...(this.plugin === undefined ? {} : { plugin: this.plugin }),
      ...(this.hook === undefined ? {} : { hook: this.hook }),
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

/** True when `value` is a MolrlError (also across module instances: checks the shape, not the class). */
export function isMolrlError(value: unknown): value is MolrlError {
  return value instanceof Error && typeof (value as { code?: unknown }).code === 'string' && value.name === 'MolrlError';
}

/** Short form of any thrown value for messages: `Error: text` or the JSON of a non-error. */
export function describeError(value: unknown): string {
  if (value instanceof Error) return value.message;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
