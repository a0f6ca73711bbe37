// `molrl serve`: parses flags and runs @molrl/serve's server in the foreground until Ctrl-C / SIGTERM.
// Exit codes: 130 after Ctrl-C / SIGTERM with the server stopped cleanly; 2 bad flags or config; 3 the sandbox
// could not start (Docker down, image missing); 1 the server failed otherwise (e.g. the port is taken).
import { errors as commonErrors } from '@molrl/common';
import { readScoreConfig } from '@molrl/core';
import { openapiDocument, SERVE_DEFAULTS, SERVE_ROUTES, startServer } from '@molrl/serve';
import { builtinPlugins } from '@molrl/plugins';
import type { Command } from 'commander';
import { dirname, resolve } from 'node:path';
import { EXIT_INTERRUPTED } from '../exit-codes.ts';
import { integer } from '../integer-option.ts';
import { nextSignal } from '../next-signal.ts';

/** Flags of `molrl serve` as commander hands them over. */
interface ServeFlags {
  config?: string;
  host: string;
  port: number;
  token?: string;
  json?: boolean;
  concurrency?: number;
  queue?: number;
  requestTimeoutMs?: number;
  bodyLimitMb?: number;
  scoreConcurrency?: number;
  timeoutMs?: number;
  retries?: number;
  workers?: number;
  printOpenapi?: boolean;
}

const HELP = `
Routes:
  POST /run_code      SandboxFusion: { code, language, stdin?, run_timeout? (s), memory_limit_MB?, files? (base64) }
  GET  /v1/ping       SandboxFusion liveness ("pong")
  POST /get_reward    OpenRLHF remote reward: { query, prompts, labels } -> { rewards, scores, extra_logs }
  POST /v1/score      molrl: { samples: [{ id, completion, prompt?, groundTruth?, metadata? }] }; NDJSON with accept: application/x-ndjson
  GET  /healthz       200, or 503 when the Docker daemon or the pool is down (no token needed)
  GET  /metrics       Prometheus text format
  GET  /openapi.json  the OpenAPI document of these routes

The config holds the same rewards: and sandbox: sections as for 'molrl score'. A host other than loopback
needs --token (or $MOLRL_SERVE_TOKEN); clients then send 'authorization: Bearer <token>'. Beyond --concurrency
running and --queue waiting requests the answer is 429 with Retry-After (504 on /run_code, the status verl retries).
SIGTERM or Ctrl-C: stop accepting, finish the requests in flight, remove the containers.

Exit codes: 130 stopped by Ctrl-C / SIGTERM; 2 bad flags or config; 3 the sandbox could not start; 1 other failures.

Examples:
  molrl serve --config rewards.yaml
  molrl serve --config rewards.yaml --host 0.0.0.0 --port 8080 --token "$(openssl rand -hex 16)" --json`;

async function serve(flags: ServeFlags): Promise<void> {
  if (flags.printOpenapi) {
    process.stdout.write(JSON.stringify(await openapiDocument(), null, 2) + '\n');
    return;
  }
  if (!flags.config) throw commonErrors.CONFIG_INVALID("molrl serve needs --config <file> with rewards: [...] and sandbox: {...} (as for 'molrl score')", '--config');
  const config = readScoreConfig(flags.config);
  const server = await startServer({
    config,
    host: flags.host,
    port: flags.port,
    token: flags.token ?? (process.env.MOLRL_SERVE_TOKEN || undefined),
    concurrency: flags.concurrency,
    queue: flags.queue,
    requestTimeoutMs: flags.requestTimeoutMs,
    bodyLimitBytes: flags.bodyLimitMb === undefined ? undefined : flags.bodyLimitMb * 1024 * 1024,
    engine: {
      concurrency: flags.scoreConcurrency,
      sampleTimeoutMs: flags.timeoutMs,
      retries: flags.retries,
      workers: flags.workers === undefined ? undefined : flags.workers === 0 ? false : flags.workers,
      baseDir: dirname(resolve(flags.config)),
      builtins: builtinPlugins,
    },
  });
  if (flags.json) process.stdout.write(JSON.stringify({ url: server.url, pid: process.pid, routes: SERVE_ROUTES }) + '\n');
  else {
    process.stdout.write(`${server.url}\n`);
    process.stderr.write(`molrl serve: listening on ${server.url} (${config.sandbox.backend} sandbox, ${config.rewards.length} reward plugin(s)); Ctrl-C stops it\n`);
  }
  const signal = await nextSignal(new Promise(() => {}));
  if (!flags.json) process.stderr.write(`molrl serve: ${signal}, finishing the requests in flight\n`);
  await server.close();
  process.exitCode = EXIT_INTERRUPTED;
}

/** Adds `molrl serve`. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description("serve the sandbox and the reward plugins over HTTP: SandboxFusion's /run_code, OpenRLHF's /get_reward, molrl's /v1/score")
    .option('--config <file>', 'JSON or YAML config with rewards: [...] and sandbox: {...} (as for molrl score)')
    .option('--host <address>', 'bind address; anything but loopback needs --token', SERVE_DEFAULTS.host)
    .option('--port <n>', 'TCP port; 0 picks a free one', integer(0, 65_535), SERVE_DEFAULTS.port)
    .option('--token <secret>', "bearer token (8+ characters) clients must send ('authorization: Bearer <secret>'); default $MOLRL_SERVE_TOKEN")
    .option('--json', 'print {"url","pid","routes"} as one JSON line once listening')
    .option('--concurrency <n>', `requests worked on at once (default ${SERVE_DEFAULTS.concurrency})`, integer(1, 65_536))
    .option('--queue <n>', `requests waiting beyond --concurrency before 429 / 504 (default ${SERVE_DEFAULTS.queue})`, integer(0, 1_000_000))
    .option('--request-timeout-ms <ms>', `time limit of one request, queueing included (default ${SERVE_DEFAULTS.requestTimeoutMs})`, integer(100, 3_600_000))
    .option('--body-limit-mb <mb>', `largest request body (default ${SERVE_DEFAULTS.bodyLimitBytes / 1024 / 1024})`, integer(1, 1024))
    .option('--score-concurrency <n>', 'samples of one /v1/score or /get_reward request scored at once (default 32)', integer(1, 4096))
    .option('--timeout-ms <ms>', "per-sample time limit of one plugin's score (default 60000)", integer(1, 3_600_000))
    .option('--retries <n>', 'retries after a sandbox infrastructure fault before a sample is infra_error (default 2)', integer(0, 10))
    .option('--workers <n>', 'worker threads for plugin code; 0 runs plugins in-process (default 0)', integer(0, 256))
    .option('--print-openapi', 'print the OpenAPI document of the routes and exit (no --config needed)')
    .addHelpText('after', HELP)
    .action((flags: ServeFlags) => serve(flags));
}
