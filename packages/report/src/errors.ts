// Coded errors of @molrl/report, sorted by code. Each factory's key equals the code it produces.
import { MolrlError, describeError } from '@molrl/common';

export const errors = {
  REPORT_OUT_INVALID: (file: string, cause: unknown) =>
    new MolrlError('REPORT_OUT_INVALID', `cannot write the report to ${file}: ${describeError(cause)}; pass --out with a file path in a writable directory`, { path: file, cause }),
  REPORT_RUN_NOT_FOUND: (dir: string) =>
    new MolrlError('REPORT_RUN_NOT_FOUND', `${dir} is not a run directory (no config.json); pass a directory that molrl train printed, e.g. runs/<name>`, { path: dir }),
  REPORT_RUN_UNREADABLE: (file: string, cause: unknown) =>
    new MolrlError('REPORT_RUN_UNREADABLE', `cannot read ${file}: ${describeError(cause)}; check its permissions`, { path: file, cause }),
  REPORT_WATCH_PORT_IN_USE: (port: number, cause: unknown) =>
    new MolrlError('REPORT_WATCH_PORT_IN_USE', `cannot serve the live report on 127.0.0.1:${port}: ${describeError(cause)}; pass another --port, or --port 0 for any free one`, { details: { port }, cause }),
} as const;
