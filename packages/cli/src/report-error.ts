// Prints an error the way every command does: `molrl: CODE: message`, or JSON with --json; returns the exit code.
import { isMolrlError } from '@molrl/common';
import { EXIT_FAILURE, EXIT_INFRA, EXIT_USAGE } from './exit-codes.ts';

const USAGE_CODES = /^(CONFIG_|CLI_|JSON_INVALID|FILE_UNREADABLE|PLUGIN_INVALID|PLUGIN_NOT_FOUND|PLUGIN_OPTIONS_INVALID|PLUGIN_VERSION_MISMATCH|PLUGIN_DEPENDENCY_MISSING|SANDBOX_(REQUEST_INVALID|REQUEST_TOO_LARGE|FILE_PATH_INVALID|LANGUAGE_UNSUPPORTED|PRELOAD_FAILED)|RUN_(NOT_FOUND|LOCKED|STATE_MISSING|STATE_INVALID|CHECKPOINT_INVALID)|POLICY_URL_INVALID|POLICY_LAUNCH_INVALID|INPUT_LIMIT_EXCEEDED|REPORT_(RUN_NOT_FOUND|OUT_INVALID|WATCH_PORT_IN_USE)|EXPORT_CHECKPOINT_INVALID|EXPORT_UNSUPPORTED)/
const INFRA_CODES = /^(SANDBOX_|POLICY_SERVER_(UNREACHABLE|TIMEOUT)|TRAIN_SERVER_(DIED|FAILED|UNRESPONSIVE)|RUN_STORE_WRITE_FAILED)/

/** Writes `error` to stderr and returns the exit code it deserves. */
export function reportError(error: unknown, json = process.argv.includes('--json')): number {
  if (isMolrlError(error)) {
    if (json) process.stderr.write(JSON.stringify({ error: error.toJSON() }) + '\n');
    else process.stderr.write(`molrl: ${error.code}: ${error.message}\n`);
    if (USAGE_CODES.test(error.code)) return EXIT_USAGE;
    if (INFRA_CODES.test(error.code)) return EXIT_INFRA;
    return EXIT_FAILURE;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`molrl: unexpected error: ${message}\n`);
  return EXIT_FAILURE;
}
