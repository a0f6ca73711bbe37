// Compiled binaries of a pool, keyed by the hash of language + source + files: one compile serves every run of the
// same program (each test case of a sample, each container), concurrent requests wait for the compile in flight.
import { createHash } from 'node:crypto';
import type { CompileResult, RunResult } from '../types.ts';

/** What one compile produced: the files to place beside the source (base64), or a result to return as is. */
export type CompileOutcome =
  | { kind: 'ok'; files: Record<string, string>; compile: Omit<CompileResult, 'cached'> }
  | { kind: 'failed'; result: RunResult; cacheable: boolean };

interface Entry {
  outcome: CompileOutcome;
  bytes: number;
}

/** The cache key of a program: sha256 of its language, source and extra files. */
export function compileKey(language: string, code: string, files: Record<string, string> | undefined): string {
  const h = createHash('sha256').update(language).update('\0').update(code);
  for (const [name, content] of Object.entries(files ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    h.update('\0').update(name).update('\0').update(content);
  }
  return h.digest('hex');
}

function sizeOf(outcome: CompileOutcome): number {
  if (outcome.kind === 'ok') return Object.values(outcome.files).reduce((n, b64) => n + b64.length, 0) + 1024;
  return outcome.result.stderr.length + outcome.result.stdout.length + 1024;
}

/** LRU by bytes (the base64 text held); failed compiles are kept only when `cacheable` (the compiler said no). */
export class CompileCache {
  readonly #maxBytes: number;
  readonly #entries = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<CompileOutcome>>();
  #bytes = 0;
  /** Compiles started (misses), for tests and benchmarks. */
  compiles = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /**
   * The outcome for `key`: from the cache, from a compile already in flight, or from `compile()` now.
   * `cached` is false only for the caller whose call compiled. A rejected compile is not kept.
   */
  async get(key: string, compile: () => Promise<CompileOutcome>): Promise<{ outcome: CompileOutcome; cached: boolean }> {
    const hit = this.#entries.get(key);
    if (hit) {
      this.#entries.delete(key); // re-insert: most recently used last
      this.#entries.set(key, hit);
      return { outcome: hit.outcome, cached: true };
    }
    const pending = this.#inflight.get(key);
    if (pending) return { outcome: await pending, cached: true };
    this.compiles++;
    const running = compile();
    this.#inflight.set(key, running);
    try {
      const outcome = await running;
      if (outcome.kind === 'ok' || outcome.cacheable) this.#store(key, outcome);
      return { outcome, cached: false };
    } finally {
      this.#inflight.delete(key);
    }
  }

  #store(key: string, outcome: CompileOutcome): void {
    const bytes = sizeOf(outcome);
    if (bytes > this.#maxBytes) return;
    this.#entries.set(key, { outcome, bytes });
    this.#bytes += bytes;
    for (const [k, e] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(k);
      this.#bytes -= e.bytes;
    }
  }
}
