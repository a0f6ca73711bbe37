// The uid a program runs as, when molrl can choose it (root): fresh per docker container and per process-backend run.
import { randomInt } from 'node:crypto';

/**
 * An even uid in [2^30, 2^31), far above the uids of host users, so that what the kernel counts per uid across
 * the whole host (RLIMIT_NPROC, pending signals, inotify instances, pipe buffers) is counted per container or
 * per run, and no program competes with another's fork bomb; the judge of its tests runs as the uid after it.
 */
export function freshProgramUid(): number {
  return 2 * randomInt(2 ** 29, 2 ** 30);
}
