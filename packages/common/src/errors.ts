// Coded errors of @molrl/common, sorted by code. Each factory's key equals the code it produces.
import { MolrlError } from './molrl-error.ts';

export const errors = {
  CONFIG_INVALID: (message: string, path?: string, details?: Record<string, unknown>) =>
    new MolrlError('CONFIG_INVALID', message, { path, details }),
  FILE_UNREADABLE: (file: string, cause: unknown) =>
    new MolrlError('FILE_UNREADABLE', `cannot read ${file}: ${(cause as Error)?.message ?? cause}; check the path and its permissions`, { path: file, cause }),
  INPUT_LIMIT_EXCEEDED: (where: string, limit: string, value: number, max: number, unit: string) =>
    new MolrlError(
      'INPUT_LIMIT_EXCEEDED',
      `${where}: ${value} ${unit}, more than the limit ${limit} = ${max}; split the input or raise the limit (see "Limits" in the README)`,
      { path: where, details: { limit, value, max } },
    ),
  JSON_INVALID: (where: string, cause: unknown) =>
    new MolrlError('JSON_INVALID', `${where}: not valid JSON or YAML (${(cause as Error)?.message ?? cause})`, { path: where, cause }),
} as const;
