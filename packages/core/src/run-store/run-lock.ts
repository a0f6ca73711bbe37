// The run directory lock: one process at a time trains in a run directory. The lock file names its owner
// by host, pid and the pid's start time, so a lock left by a crashed process (or by a pid since reused by
// another program) is recognised as stale and taken over, never left stuck.
import { hostname } from 'node:os';
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errors } from '../errors.ts';
import { pidAlive } from '@molrl/common';

/** Who holds a lock. */
export interface LockOwner {
  pid: number;
  /** Start time of the process (Linux: clock ticks after boot, from /proc/<pid>/stat), null where unknown. */
  start: string | null;
  host: string;
  since: string;
}

/** Name of the lock file inside a run directory. */
export const LOCK_FILE = '.lock';

/** Start time of process `pid`, or null (no /proc, or no such process). */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null; // field 22, counted after "(comm) "
  } catch {
    return null;
  }
}

/** True when `owner` is a live process on this host (the same pid with the same start time). */
function alive(owner: LockOwner): boolean {
  if (!pidAlive(owner.pid)) return false;
  const start = processStart(owner.pid);
  return owner.start === null || start === null || start === owner.start;
}

function readOwner(file: string): LockOwner | null {
  try {
    const o = JSON.parse(readFileSync(file, 'utf8')) as LockOwner;
    return typeof o?.pid === 'number' && typeof o.host === 'string' ? o : { pid: -1, start: null, host: hostname(), since: '' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return { pid: -1, start: null, host: hostname(), since: '' }; // torn or foreign content: stale
  }
}

/**
 * Takes the lock of run directory `dir`; returns the function that releases it (also called on process exit). RUN_LOCKED (naming the
 * owner) when a live process holds it, or a process on another host whose liveness cannot be checked.
 */
export function lockRunDir(dir: string): () => void {
  const file = join(dir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, start: processStart(process.pid), host: hostname(), since: new Date().toISOString() };
  const text = JSON.stringify(me) + '\n';
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      writeFileSync(file, text, { flag: 'wx' });
      const release = () => {
        process.off('exit', release);
        const owner = readOwner(file);
        if (owner?.pid === me.pid && owner.start === me.start) unlinkSync(file);
      };
      process.on('exit', release); // an immediate exit (a second Ctrl-C) leaves no lock behind either
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw errors.RUN_STORE_WRITE_FAILED(dir, file, error);
    }
    const owner = readOwner(file);
    if (owner === null) continue;
    if (owner.host !== me.host || alive(owner)) throw errors.RUN_LOCKED(dir, owner, file);
    // Stale: move it aside, and put it back if what we moved is not the stale lock we saw (a racer's new one).
    const aside = `${file}.stale-${process.pid}-${attempt}`;
    try {
      renameSync(file, aside);
    } catch {
      continue;
    }
    const moved = readOwner(aside);
    if (moved && (moved.pid !== owner.pid || moved.start !== owner.start)) {
      try {
        linkSync(aside, file);
      } catch {
        // a third process made a lock meanwhile: it holds the run
      }
      unlinkSync(aside);
      throw errors.RUN_LOCKED(dir, moved, file);
    }
    unlinkSync(aside);
  }
  throw errors.RUN_LOCKED(dir, readOwner(file) ?? { pid: -1, start: null, host: me.host, since: '' }, file);
}
