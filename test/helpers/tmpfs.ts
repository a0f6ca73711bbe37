// A small tmpfs the test mounts itself, to fill a disk for real (needs root and CAP_SYS_ADMIN: CI runs as
// root; elsewhere the test is skipped loudly through skipUnless, and fails on CI).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A mounted tmpfs of `sizeKb`; `unmount` removes it and its mount point. */
export interface Tmpfs {
  dir: string;
  unmount(): void;
}

/** Mounts a tmpfs, or returns why it cannot (for skipUnless). */
export function mountTmpfs(sizeKb: number): Tmpfs | string {
  const dir = mkdtempSync(join(tmpdir(), 'molrl-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return `cannot mount a tmpfs to fill (needs root): ${((error as { stderr?: Buffer }).stderr?.toString() || (error as Error).message).trim()}`;
  }
  return {
    dir,
    unmount() {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
