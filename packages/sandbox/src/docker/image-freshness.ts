// Checks that a sandbox image was built from this checkout's runner and build files (each build.sh labels its
// image with their sha256), so an edited runner never runs silently against an old image.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The label build.sh writes: sha256 of the image's sources (IMAGE_SOURCES), concatenated in order. */
export const RUNNER_HASH_LABEL = 'molrl.runner-sha256';

const RUNNER_FILES = ['runner.py', 'zygote.py', 'judge.py', 'serve.py', 'wire.py', 'languages.py'];

/** Per image: the folder its build.sh hashes from (relative to sandbox-images/) and the files, in its order. */
export const IMAGE_SOURCES = {
  python: { dir: 'python/', files: [...RUNNER_FILES, 'Dockerfile', 'Dockerfile.offline'] },
  languages: { dir: '', files: [...RUNNER_FILES.map((f) => `python/${f}`), 'languages/Dockerfile', 'languages/packages.txt'] },
} as const;

const IMAGES_DIR = fileURLToPath(new URL('../../../../sandbox-images/', import.meta.url));

/**
 * The hash build.sh would label the `kind` image with from this checkout (files read below `dir`, default its
 * folder in sandbox-images/), or null outside a checkout (e.g. an installed package).
 */
export function expectedRunnerHash(kind: keyof typeof IMAGE_SOURCES = 'python', dir = IMAGES_DIR + IMAGE_SOURCES[kind].dir): string | null {
  const { files } = IMAGE_SOURCES[kind];
  if (!files.every((f) => existsSync(dir + f))) return null;
  const hash = createHash('sha256');
  for (const f of files) hash.update(readFileSync(dir + f));
  return hash.digest('hex');
}

/**
 * Why the image is stale, or null: only the default images of a checkout are checked; an image without the
 * label (built elsewhere, or a custom image) is trusted.
 */
export function staleImageReason(labels: Record<string, string> | null | undefined, expected: string | null): string | null {
  const actual = labels?.[RUNNER_HASH_LABEL];
  if (expected === null || actual === undefined || actual === expected) return null;
  return `its runner label ${actual.slice(0, 12)}… differs from this checkout's runner ${expected.slice(0, 12)}…`;
}
