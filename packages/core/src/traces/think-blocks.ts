// The paper's <think> preprocessing: clear thinking in CoT traces, insert an empty block for non-CoT models.

/** The empty think block, exactly as the paper inserts it. */
export const EMPTY_THINK = '<think>\n\n</think>\n\n';

const THINK_BLOCK = /<think>[\s\S]*?<\/think>\s*/g;

/** CoT models: every `<think>…</think>` block keeps its tags and loses its content. */
export function clearThinkBlocks(text: string): string {
  return text.replace(THINK_BLOCK, EMPTY_THINK);
}

/** Non-CoT models: an empty think block at the start of the turn (an existing block is emptied, never doubled). */
export function insertEmptyThink(text: string): string {
  const cleared = clearThinkBlocks(text);
  return cleared.startsWith(EMPTY_THINK) ? cleared : EMPTY_THINK + cleared.replace(/^\s+/, '');
}

/** Splits text into pieces, marking which pieces are empty think blocks (for the ce_eetb variant). */
export function splitEmptyThink(text: string): { text: string; emptyThink: boolean }[] {
  const out: { text: string; emptyThink: boolean }[] = [];
  let at = 0;
  for (;;) {
    const i = text.indexOf(EMPTY_THINK, at);
    if (i < 0) break;
    if (i > at) out.push({ text: text.slice(at, i), emptyThink: false });
    out.push({ text: EMPTY_THINK, emptyThink: true });
    at = i + EMPTY_THINK.length;
  }
  if (at < text.length) out.push({ text: text.slice(at), emptyThink: false });
  return out;
}
