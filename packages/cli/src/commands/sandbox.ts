// `molrl sandbox run`: runs program files in a sandbox backend and prints one result per file.
import { createSandbox, type RunResult, type Sandbox } from '@molrl/sandbox';
import type { Command } from 'commander';
import { EXIT_INFRA, EXIT_INTERRUPTED, EXIT_OK } from '../exit-codes.ts';
import { reportError } from '../report-error.ts';
import { planSandboxRun, type SandboxRunFlags } from '../sandbox-run-options.ts';
import { formatSandboxResult, formatSandboxSummary } from '../sandbox-run-output.ts';

const RUN_HELP = `
Runs each FILE (or standard input, '-') as one program and prints its RunResult.
Status is data: ok | compile_error | runtime_error | timeout | memory_limit | output_limit | killed | sandbox_error.

Languages (inferred from the extension): python (.py), javascript / nodejs (.js), typescript (.ts), cpp (.cpp),
c (.c), java (.java), go (.go), rust (.rs), bash (.sh). The docker backend runs python in its default image and
the others in the multi-language image ('npm run setup -- --languages all' builds it); compiled languages
compile inside the sandbox first (--compile-timeout-ms) and report compile_error with the compiler's message.

Backends:
  docker        warm pool of hardened containers (the default; needs 'npm run setup'), every language
  isolated-vm   JavaScript in V8 isolates; the program reads its input from the global string 'stdin'
  process       process-unsafe: a host subprocess with rlimits (and bubblewrap where it works).
                Runs untrusted code on THIS machine: development only.

Exit codes: 0 every program ran (whatever its status), 2 bad usage, 3 a sandbox_error occurred, 130 interrupted.

Examples:
  molrl sandbox run solution.py --backend process --stdin '3 4'
  molrl sandbox run solution.cpp --stdin '3 4'        # docker, multi-language image
  echo 'console.log(1 + 1)' | molrl sandbox run - --backend isolated-vm --language javascript --json`;

/** Registers `molrl sandbox` and its `run` sub-command. */
export function registerSandbox(program: Command): void {
  const sandbox = program.command('sandbox').description('run programs in a sandbox backend (docker, isolated-vm, process-unsafe)');
  sandbox
    .command('run')
    .description('run program files (or stdin) in a sandbox and print one result per file')
    .argument('[FILE...]', "program files, or '-' for standard input (the default)")
    .option('--backend <name>', 'docker | isolated-vm | process (process-unsafe: runs on this host)', 'docker')
    .option('--language <name>', 'python | cpp | c | java | go | rust | nodejs | javascript | typescript | bash (default: from the file extension)')
    .option('--timeout-ms <n>', 'wall-clock limit per program, ms (default: 5000)')
    .option('--memory-mb <n>', 'memory limit per program, MB (default: 256)')
    .option('--output-limit-bytes <n>', 'cap on stdout and on stderr, bytes (default: 65536)')
    .option('--compile-timeout-ms <n>', 'wall-clock limit of compiling (cpp, c, java, go, rust, typescript), ms (default: 30000)')
    .option('--stdin <text>', 'text fed to every program on standard input (default: none)')
    .option('--json', 'print one RunResult JSON object per line, in file order, with "file" added')
    .addHelpText('after', RUN_HELP)
    .action(async (files: string[] | undefined, flags: SandboxRunFlags) => {
      process.exitCode = await runSandboxCommand(files ?? [], flags);
    });
  sandbox.action(() => {
    sandbox.help();
  });
}

/** The body of `sandbox run`; resolves to the exit code and never leaves a sandbox open. */
async function runSandboxCommand(files: string[], flags: SandboxRunFlags): Promise<number> {
  let sandbox: Sandbox | null = null;
  const controller = new AbortController();
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const plan = await planSandboxRun(files, flags);
    const { compileTimeoutMs: _compile, ...limits } = plan.limits;
    sandbox = await createSandbox({ backend: plan.backend, limits }, 'sandbox');
    const results: Array<RunResult & { file: string }> = [];
    for (const program of plan.programs) {
      if (interrupted) break;
      const result = await sandbox.run({ ...plan.limits, language: program.language, code: program.code, stdin: plan.stdin }, { signal: controller.signal });
      const row = { file: program.file, ...result };
      results.push(row);
      process.stdout.write(flags.json ? `${JSON.stringify(row)}\n` : formatSandboxResult(row));
    }
    if (!flags.json) process.stdout.write(formatSandboxSummary(results));
    if (interrupted) return EXIT_INTERRUPTED;
    return results.some((r) => r.status === 'sandbox_error') ? EXIT_INFRA : EXIT_OK;
  } catch (error) {
    return interrupted ? EXIT_INTERRUPTED : reportError(error, flags.json === true);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await sandbox?.close();
  }
}
