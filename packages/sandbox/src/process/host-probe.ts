// One-time probes of the host for the process backend: system directory layout and whether bubblewrap works.
import { execFile } from 'node:child_process';
import { lstat, readlink } from 'node:fs/promises';
import { promisify } from 'node:util';
import { bwrapArgs } from './command-line.ts';

const run = promisify(execFile);

/** bwrap flags reproducing /bin, /lib, /lib64 and /sbin: a symlink where the host has one, else a read-only bind. */
export async function systemLayout(): Promise<string[]> {
  const args: string[] = [];
  for (const dir of ['/bin', '/lib', '/lib64', '/sbin']) {
    try {
      const info = await lstat(dir);
      if (info.isSymbolicLink()) args.push('--symlink', await readlink(dir), dir);
      else args.push('--ro-bind', dir, dir);
    } catch {
      // absent on this host (e.g. no /lib64): nothing to mirror
    }
  }
  return args;
}

let probed: Promise<string | null> | null = null;

/** Why bubblewrap cannot be used here (missing, or no namespaces allowed), or null when it works; probed once. */
export function bwrapProblem(python: string, layout: string[]): Promise<string | null> {
  probed ??= (async () => {
    try {
      const args = bwrapArgs({ interpreters: { python, javascript: python }, layout }, null);
      const { stdout } = await run(args[0]!, [...args.slice(1), '--', python, '-c', 'print("ok")'], { timeout: 10_000 });
      return stdout.trim() === 'ok' ? null : `bwrap ran but printed ${JSON.stringify(stdout)}`;
    } catch (error) {
      return (error as Error).message.split('\n')[0] ?? 'bwrap failed';
    }
  })();
  return probed;
}
