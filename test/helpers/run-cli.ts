// Runs `molrl <args>` as a user would, in a separate node process on the CLI sources (no build needed).
import { spawn, type ChildProcess } from 'node:child_process';

/** `node -e` entry equivalent to packages/cli/bin/molrl.js, but on src/ through the molrl-src condition. */
const ENTRY = "import('@molrl/cli').then(async (m) => { process.exitCode = await m.main(['node', 'molrl', ...process.argv.slice(1)]); })";

/** What a CLI run printed and how it exited. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `molrl <args>`; `input` goes to stdin, `onStart` sees the child (to send signals), `cwd`/`env` as for spawn. */
export function runCli(
  args: string[],
  options: { input?: string; cwd?: string; env?: NodeJS.ProcessEnv; onStart?: (child: ChildProcess) => void; onStdout?: (chunk: string) => void; onStderr?: (chunk: string) => void } = {},
): Promise<CliRun> {
  const child = spawn(
    process.execPath,
    ['--no-node-snapshot', '--conditions=molrl-src', '--disable-warning=ExperimentalWarning', '--input-type=module', '-e', ENTRY, '--', ...args],
    { stdio: ['pipe', 'pipe', 'pipe'], cwd: options.cwd, env: options.env ?? process.env },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    options.onStdout?.(d.toString());
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    options.onStderr?.(d.toString());
  });
  child.stdin!.end(options.input ?? '');
  options.onStart?.(child);
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}
