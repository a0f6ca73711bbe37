// Coded errors of @molrl/cli, sorted by code. Each factory's key equals the code it produces.
import { MolrlError } from '@molrl/common';

export const errors = {
  CLI_USAGE: (flag: string, expected: string, got: unknown) =>
    new MolrlError('CLI_USAGE', `${flag}: ${expected} (got ${JSON.stringify(got)})`, { path: flag, details: { flag, got } }),
} as const;
