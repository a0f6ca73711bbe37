// Exit codes shared by every molrl command.

/** 0: the command did its work (programs may still have failed: that is data). */
export const EXIT_OK = 0;
/** 1: the command failed for a reason other than usage or infrastructure (a run crashed, a check failed). */
export const EXIT_FAILURE = 1;
/** 2: bad usage or an invalid config / input file; the message names the flag or path and the value. */
export const EXIT_USAGE = 2;
/** 3: an infrastructure fault (sandbox_error, policy server unreachable) stopped the command. */
export const EXIT_INFRA = 3;
/** 130: interrupted by Ctrl-C after a clean shutdown. */
export const EXIT_INTERRUPTED = 130;
