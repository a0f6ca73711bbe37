// Loss tags per turn kind and variant: feedback -> CE, decisions -> KL to the base (p0), system/task -> none.
import type { ClassifiedTurn } from './classify-turns.ts';
import { splitEmptyThink } from './think-blocks.ts';
import type { LossTag, MolVariant, Segment, TurnKind } from './trace-types.ts';

/** The loss tag of each turn kind under each variant (ce_eetb's think-block exception is handled in tagTurn). */
export const VARIANT_TAGS: Record<MolVariant, Record<TurnKind, LossTag>> = {
  mol: { system: 'none', task: 'none', context: 'none', feedback: 'ce', decision: 'kl' },
  ce: { system: 'none', task: 'none', context: 'none', feedback: 'ce', decision: 'ce' },
  ce_nokl: { system: 'none', task: 'none', context: 'none', feedback: 'ce', decision: 'none' },
  ce_eetb: { system: 'none', task: 'none', context: 'none', feedback: 'ce', decision: 'ce' },
};

/** The server mode a variant trains with (tags are explicit, so only `mol` needs the KL term). */
export function serverMode(variant: MolVariant): 'mol' | 'ce' {
  return variant === 'mol' ? 'mol' : 'ce';
}

/** Segments of one turn: one segment, or for ce_eetb decisions the empty think blocks split out with loss 'none'. */
export function tagTurn(turn: ClassifiedTurn, variant: MolVariant): Segment[] {
  const loss = VARIANT_TAGS[variant][turn.kind];
  if (variant !== 'ce_eetb' || turn.kind !== 'decision') return [{ role: turn.role, text: turn.text, loss }];
  return splitEmptyThink(turn.text).map((piece, i) => ({
    role: turn.role,
    text: piece.text,
    loss: piece.emptyThink ? 'none' : loss,
    ...(i > 0 ? { continues: true } : {}),
  }));
}
