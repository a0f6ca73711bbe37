// DAPO's soft overlong punishment (arXiv 2503.14476, eq. 13): a length penalty in the last `buffer` tokens before maxTokens.

/** `overlong` of a GRPO phase (verl `overlong_buffer.{len, penalty_factor}`; TRL `get_soft_overlong_punishment`). */
export interface OverlongShaping {
  /** L_cache: the penalty ramps over the last `buffer` tokens before L_max = sampling.maxTokens. */
  buffer: number;
  /** Penalty at L_max (verl penalty_factor; DAPO 1). */
  penalty: number;
}

/**
 * R_length(|y|) x penalty: 0 while |y| <= L_max - L_cache, then ((L_max - L_cache) - |y|) / L_cache x penalty,
 * reaching -penalty at |y| = L_max (and staying there beyond).
 */
export function overlongPenalty(length: number, maxTokens: number, shaping: OverlongShaping): number {
  const free = maxTokens - shaping.buffer; // L_max - L_cache
  if (length <= free) return 0;
  return (Math.max(free - length, -shaping.buffer) / shaping.buffer) * shaping.penalty;
}
