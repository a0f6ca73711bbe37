// The documented limits on large inputs (JSONL files, samples, completions, datasets): exceeding one is the
// coded error INPUT_LIMIT_EXCEEDED naming the limit and its value, never an out-of-memory crash.

/** Default input limits (each can be raised where the command or config says so). */
export const INPUT_LIMITS = Object.freeze({
  /** Bytes of one JSONL line (samples, dataset rows, demonstrations, traces). 16 MiB. */
  maxLineBytes: 16 * 1024 * 1024,
  /** Samples one `molrl score` run reads. */
  maxSamples: 10_000_000,
  /** Characters of one completion to score. 1 MiB. */
  maxCompletionChars: 1024 * 1024,
  /** Rows of a training dataset file (held in memory). */
  maxDatasetRows: 1_000_000,
  /** Bytes of a training dataset or demonstrations file (held in memory). 2 GiB. */
  maxDatasetBytes: 2 * 1024 * 1024 * 1024,
});

/** Names of the input limits. */
export type InputLimit = keyof typeof INPUT_LIMITS;
