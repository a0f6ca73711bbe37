// Checks that the sandbox image was built from this checkout's runner and Dockerfiles (build.sh labels it
// with their sha256), so an edited runner never runs silently against an old image.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The label build.sh writes: sha256 of the runner's Python files and the Dockerfiles, in SOURCES order. */
export const RUNNER_HASH_LABEL = 'molrl.runner-sha256';

const IMAGE_DIR = fileURLToPath(new URL('../../../../sandbox-images/python/', import.meta.url));
/** The image's sources, in the order build.sh hashes them. */
export const IMAGE_SOURCES = ['runner.py', 'zygote.py', 'judge.py', 'serve.py', 'wire.py', 'Dockerfile', 'Dockerfile.offline'];

/** The hash build.sh would label an image with from this checkout, or null outside a checkout (e.g. an installed package). */
export function expectedRunnerHash(dir = IMAGE_DIR): string | null {
  if (!IMAGE_SOURCES.every((f) => existsSync(dir + f))) return null;
  const hash = createHash('sha256');
  for (const f of IMAGE_SOURCES) hash.update(readFileSync(dir + f));
  return hash.digest('hex');
}

/**
 * Why the image is stale, or null: only the default image of a checkout is checked; an image without the
 * label (built elsewhere, or a custom image) is trusted.
 */
export function staleImageReason(labels: Record<string, string> | null | undefined, expected: string | null): string | null {
  const actual = labels?.[RUNNER_HASH_LABEL];
  if (expected === null || actual === undefined || actual === expected) return null;
  return `its runner label ${actual.slice(0, 12)}… differs from this checkout's runner ${expected.slice(0, 12)}…`;
}
