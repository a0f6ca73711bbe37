// The loggers hooks get: a default that writes warnings and errors to stderr, and a per-plugin prefixer.
import type { RewardLogger } from '../types.ts';

/** Writes warn and error lines to stderr; debug and info are dropped. */
export const stderrLogger: RewardLogger = {
  debug() {},
  info() {},
  warn: (m, d) => process.stderr.write(`warn: ${m}${d ? ` ${JSON.stringify(d)}` : ''}\n`),
  error: (m, d) => process.stderr.write(`error: ${m}${d ? ` ${JSON.stringify(d)}` : ''}\n`),
};

/** `logger` with every message prefixed `[plugin]`. */
export function prefixLogger(logger: RewardLogger, plugin: string): RewardLogger {
  return {
    debug: (m, d) => logger.debug(`[${plugin}] ${m}`, d),
    info: (m, d) => logger.info(`[${plugin}] ${m}`, d),
    warn: (m, d) => logger.warn(`[${plugin}] ${m}`, d),
    error: (m, d) => logger.error(`[${plugin}] ${m}`, d),
  };
}
