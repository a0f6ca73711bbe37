// The languages a RunRequest may name (SandboxFusion's names), their aliases, and which compile before they run.

/** Canonical language names, as SandboxFusion spells them (plus `c`). */
export const LANGUAGES = ['python', 'cpp', 'c', 'java', 'go', 'rust', 'nodejs', 'typescript', 'bash'] as const;

/** A canonical language name. */
export type CanonicalLanguage = (typeof LANGUAGES)[number];

/** Other accepted names: `javascript` is `nodejs`. */
export const LANGUAGE_ALIASES: Readonly<Record<string, CanonicalLanguage>> = Object.freeze({ javascript: 'nodejs' });

/** Languages compiled inside the sandbox before they run (TypeScript is transpiled to JavaScript). */
export const COMPILED_LANGUAGES: ReadonlySet<CanonicalLanguage> = new Set(['cpp', 'c', 'java', 'go', 'rust', 'typescript']);

/** Default `compileTimeoutMs` of a compiled language: generous, a loaded 2-core machine compiles Rust and Go slowly. */
export const DEFAULT_COMPILE_TIMEOUT_MS = 30_000;

/** The canonical name of `name` (an alias resolved), or null when no backend knows it. */
export function canonicalLanguage(name: unknown): CanonicalLanguage | null {
  if (typeof name !== 'string') return null;
  if ((LANGUAGES as readonly string[]).includes(name)) return name as CanonicalLanguage;
  return LANGUAGE_ALIASES[name] ?? null;
}

/** Every accepted name, canonical ones first (for error messages and schemas). */
export const LANGUAGE_NAMES: readonly string[] = Object.freeze([...LANGUAGES, ...Object.keys(LANGUAGE_ALIASES)]);
