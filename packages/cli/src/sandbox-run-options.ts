// Parses and checks the flags and files of `molrl sandbox run` into programs and a sandbox config.
import { errors as commonErrors } from '@molrl/common';
import { DEFAULT_COMPILE_TIMEOUT_MS, DEFAULT_SANDBOX_LIMITS, LANGUAGE_NAMES, type BackendName, type Language, type SandboxLimits } from '@molrl/sandbox';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { errors } from './errors.ts';

/** Raw commander options of `sandbox run` (strings as typed). */
export interface SandboxRunFlags {
  backend?: string;
  language?: string;
  timeoutMs?: string;
  memoryMb?: string;
  outputLimitBytes?: string;
  compileTimeoutMs?: string;
  stdin?: string;
  json?: boolean;
}

/** One program to run, in command-line order. */
export interface SandboxProgram {
  /** The path as given, or '-' for standard input. */
  file: string;
  language: Language;
  code: string;
}

/** Everything `sandbox run` needs, checked. */
export interface SandboxRunPlan {
  backend: BackendName;
  limits: SandboxLimits & { compileTimeoutMs: number };
  stdin: string;
  programs: SandboxProgram[];
}

const BACKENDS: readonly BackendName[] = ['docker', 'isolated-vm', 'process'];
const LANGUAGES = LANGUAGE_NAMES as readonly Language[];
const EXTENSIONS: Record<string, Language> = {
  '.py': 'python', '.js': 'javascript', '.mjs': 'javascript', '.cjs': 'javascript', '.ts': 'typescript', '.cpp': 'cpp', '.cc': 'cpp',
  '.cxx': 'cpp', '.c': 'c', '.java': 'java', '.go': 'go', '.rs': 'rust', '.sh': 'bash',
};
/** What the process backend runs (docker runs every language, isolated-vm JavaScript only). */
const PROCESS_LANGUAGES: readonly Language[] = ['python', 'javascript', 'nodejs'];

/** A positive integer flag within [min, max] (the ranges of the sandbox config schema). */
function positiveInt(flag: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^[1-9][0-9]*$/.test(value.trim()) || !Number.isSafeInteger(Number(value))) {
    throw errors.CLI_USAGE(flag, 'expected a positive integer', value);
  }
  const n = Number(value);
  if (n < min || n > max) throw errors.CLI_USAGE(flag, `expected an integer from ${min} to ${max}`, value);
  return n;
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw errors.CLI_USAGE(flag, `expected one of ${allowed.join(', ')}`, value);
  return value as T;
}

/** Reads standard input to the end. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Checks flags and reads every program; throws CLI_USAGE (exit 2) naming the flag and value, or FILE_UNREADABLE. */
export async function planSandboxRun(files: string[], flags: SandboxRunFlags): Promise<SandboxRunPlan> {
  const backend = oneOf('--backend', flags.backend, BACKENDS) ?? 'docker';
  const language = oneOf('--language', flags.language, LANGUAGES);
  const limits = {
    timeoutMs: positiveInt('--timeout-ms', flags.timeoutMs, DEFAULT_SANDBOX_LIMITS.timeoutMs, 1, 600_000),
    memoryMb: positiveInt('--memory-mb', flags.memoryMb, DEFAULT_SANDBOX_LIMITS.memoryMb, 8, 65_536),
    outputLimitBytes: positiveInt('--output-limit-bytes', flags.outputLimitBytes, DEFAULT_SANDBOX_LIMITS.outputLimitBytes, 1, 64 * 1024 * 1024),
    compileTimeoutMs: positiveInt('--compile-timeout-ms', flags.compileTimeoutMs, DEFAULT_COMPILE_TIMEOUT_MS, 1, 600_000),
  };
  const names = files.length === 0 ? ['-'] : files;
  if (names.filter((name) => name === '-').length > 1) throw errors.CLI_USAGE('FILE', "standard input ('-') can be given once", names.join(' '));
  const programs: SandboxProgram[] = [];
  for (const file of names) {
    const inferred = file === '-' ? undefined : EXTENSIONS[extname(file).toLowerCase()];
    const lang = language ?? inferred;
    if (lang === undefined) {
      throw errors.CLI_USAGE('--language', `cannot infer the language of ${file === '-' ? 'standard input' : file} from its extension (${Object.keys(EXTENSIONS).join(', ')}); pass --language ${LANGUAGES.join('|')}`, file);
    }
    if (backend === 'isolated-vm' && lang !== 'javascript' && lang !== 'nodejs') {
      throw errors.CLI_USAGE('--language', `the isolated-vm backend runs javascript only (for ${file}); use --backend docker (every language) or process (python, javascript)`, lang);
    }
    if (backend === 'process' && !PROCESS_LANGUAGES.includes(lang)) {
      throw errors.CLI_USAGE('--language', `the process backend runs python and javascript only (for ${file}); use --backend docker for ${lang}`, lang);
    }
    let code: string;
    try {
      code = file === '-' ? await readStdin() : await readFile(file, 'utf8');
    } catch (cause) {
      throw commonErrors.FILE_UNREADABLE(file, cause);
    }
    programs.push({ file, language: lang, code });
  }
  return { backend, limits, stdin: flags.stdin ?? '', programs };
}
