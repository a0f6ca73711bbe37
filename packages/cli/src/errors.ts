// Coded errors of @molrl/cli, sorted by code. Each factory's key equals the code it produces.
import { MolrlError } from '@molrl/common';

export const errors = {
  CLI_USAGE: (flag: string, expected: string, got: unknown) =>
    new MolrlError('CLI_USAGE', `${flag}: ${expected} (got ${JSON.stringify(got)})`, { path: flag, details: { flag, got } }),
  EXPORT_CHECKPOINT_INVALID: (target: string, why: string) =>
    new MolrlError('EXPORT_CHECKPOINT_INVALID', `${target} is not a checkpoint or run directory: ${why}; pass runs/NAME or runs/NAME/checkpoints/step-N`, { details: { target } }),
  EXPORT_FAILED: (checkpoint: string, why: string) =>
    new MolrlError('EXPORT_FAILED', `exporting ${checkpoint} failed: ${why}`, { details: { checkpoint } }),
  EXPORT_UNSUPPORTED: (checkpoint: string, kind: string) =>
    new MolrlError('EXPORT_UNSUPPORTED', `${checkpoint} holds a '${kind}' model; only hf: and hf-random: checkpoints export to Hugging Face directories (the tiny model has no Hugging Face form): train with model 'hf:<path>' or 'hf-random:<config>'`, { details: { checkpoint, kind } }),
} as const;
