// Agent traces for the MoL phase: parsing, the paper's preprocessing, loss tags per variant.
export type * from './trace-types.ts';
export { parseTraces, contentText, type BadTraceLine } from './parse-traces.ts';
export { classifyTurns, type ClassifiedTurn } from './classify-turns.ts';
export { EMPTY_THINK, clearThinkBlocks, insertEmptyThink, splitEmptyThink } from './think-blocks.ts';
export { VARIANT_TAGS, serverMode, tagTurn } from './tag-segments.ts';
export { prepareTrace, countBytes } from './prepare-trace.ts';
export { prepareTraces, type PrepareSummary } from './prepare-traces.ts';
