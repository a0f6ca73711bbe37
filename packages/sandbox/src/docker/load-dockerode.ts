// dockerode, imported on first use: it brings ssh2 and grpc-js (~0.15 s of CPU to load), which a process that only
// needs the sandbox's types, languages or another backend (a scoring worker thread, say) never uses.
import type Docker from 'dockerode';

/** The dockerode client class. */
export async function loadDockerode(): Promise<typeof Docker> {
  return (await import('dockerode')).default;
}
