// A small seeded PRNG (mulberry32) so that prompt sampling is reproducible and resumable per step.

/** Returns a function yielding uniform numbers in [0, 1) from a 32-bit seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seed of one step of one phase: depends only on the job seed, the phase and the step (so resume repeats it). */
export const stepSeed = (seed: number, phase: number, step: number) => (seed * 1_000_003 + phase * 100_003 + step * 7919) >>> 0;

/** `k` distinct items drawn without replacement (all of them, shuffled, when k >= length). */
export function sampleWithoutReplacement<T>(items: readonly T[], k: number, rand: () => number): T[] {
  const idx = items.map((_, i) => i);
  const n = Math.min(k, idx.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rand() * (idx.length - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, n).map((i) => items[i]);
}
