// `molrl server`: `start` runs a policy server in the foreground until Ctrl-C; `health` asks a running one.
// Exit codes: 130 after Ctrl-C / SIGTERM with the server stopped cleanly; 2 bad flags; 3 server unreachable;
// 1 the server failed to start or exited on its own.
import { errors as commonErrors } from '@molrl/common';
import { errors, launchFollowerNode, launchPolicyServer, PolicyClient } from '@molrl/policy-client';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { resolve } from 'node:path';
import { integer } from '../integer-option.ts';
import { nextSignal } from '../next-signal.ts';
import { EXIT_INTERRUPTED } from '../exit-codes.ts';

/** Options of `molrl server start` as commander hands them over. */
interface StartFlags {
  model: string;
  port: number;
  host: string;
  token?: string;
  loraR?: number;
  modelConfig?: object;
  seed?: number;
  device?: string;
  threads?: number;
  dtype?: string;
  attnImplementation?: string;
  gradientCheckpointing?: boolean;
  engine?: string;
  checkpointRoot?: string;
  python?: string;
  serverDir?: string;
  nproc?: number;
  shard?: 'auto' | 'fsdp' | 'none';
  nnodes?: number;
  nodeRank?: number;
  rdzv?: string;
  json?: boolean;
}

function jsonObject(value: string): object {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new InvalidArgumentError(`not valid JSON (${(error as Error).message}); example: '{"n_layer":2,"d_model":64}'.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidArgumentError('expected a JSON object.');
  return parsed;
}

async function start(flags: StartFlags): Promise<void> {
  if (flags.host !== '127.0.0.1' && flags.host !== 'localhost' && flags.host !== '::1' && !flags.token) {
    throw commonErrors.CONFIG_INVALID(
      `--host ${flags.host} exposes the policy server beyond this machine; pass --token <secret> (clients send it as a bearer token) or bind 127.0.0.1`,
      '--token',
    );
  }
  if (flags.nnodes !== undefined && flags.nnodes > 1 && flags.rdzv === undefined) {
    throw commonErrors.CONFIG_INVALID(`--nnodes ${flags.nnodes} needs --rdzv HOST:PORT (node 0's address and a free port there that every node reaches)`, '--rdzv');
  }
  if (flags.nodeRank !== undefined && flags.nodeRank >= (flags.nnodes ?? 1)) {
    throw commonErrors.CONFIG_INVALID(`--node-rank ${flags.nodeRank} is not below --nnodes ${flags.nnodes ?? 1}; nodes are numbered 0..nnodes-1`, '--node-rank');
  }
  const launch = {
    model: flags.model,
    port: flags.port,
    host: flags.host,
    ...(flags.token !== undefined ? { token: flags.token } : {}),
    ...(flags.loraR !== undefined ? { loraR: flags.loraR } : {}),
    ...(flags.modelConfig !== undefined ? { modelConfig: flags.modelConfig } : {}),
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    ...(flags.device !== undefined ? { device: flags.device } : {}),
    ...(flags.threads !== undefined ? { threads: flags.threads } : {}),
    ...(flags.dtype !== undefined ? { dtype: flags.dtype } : {}),
    ...(flags.attnImplementation !== undefined ? { attnImplementation: flags.attnImplementation } : {}),
    ...(flags.gradientCheckpointing === false ? { gradientCheckpointing: false } : {}),
    ...(flags.engine !== undefined ? { engine: flags.engine } : {}),
    ...(flags.checkpointRoot !== undefined ? { checkpointRoot: resolve(flags.checkpointRoot) } : {}),
    ...(flags.python !== undefined ? { python: flags.python } : {}),
    ...(flags.serverDir !== undefined ? { serverDir: flags.serverDir } : {}),
    ...(flags.nproc !== undefined ? { nproc: flags.nproc } : {}),
    ...(flags.shard !== undefined ? { shard: flags.shard } : {}),
    ...(flags.nnodes !== undefined ? { nnodes: flags.nnodes } : {}),
    ...(flags.nodeRank !== undefined ? { nodeRank: flags.nodeRank } : {}),
    ...(flags.rdzv !== undefined ? { rdzv: flags.rdzv } : {}),
  };
  if ((flags.nodeRank ?? 0) > 0) return followNode(launch, flags);
  const server = await launchPolicyServer(launch);
  const health = await server.client.health();
  if (flags.json) process.stdout.write(JSON.stringify({ url: server.url, pid: server.pid, model: health.model, device: health.device, engine: health.engine }) + '\n');
  else {
    process.stdout.write(`${server.url}\n`);
    process.stderr.write(`molrl server: ${health.model} on ${health.device} (engine ${health.engine ?? 'eager'}) at ${server.url} (pid ${server.pid}); Ctrl-C stops it\n`);
  }
  const signal = await nextSignal(server.exited);
  if (signal === null) {
    const how = await server.exited;
    throw errors.POLICY_SERVER_EXITED(server.url, how.code, how.signal);
  }
  if (!flags.json) process.stderr.write(`molrl server: ${signal}, stopping the server\n`);
  await server.stop();
  process.exitCode = EXIT_INTERRUPTED;
}

/** `--node-rank K` (K > 0): this node's ranks follow node 0 until it stops (or Ctrl-C). */
async function followNode(launch: Parameters<typeof launchFollowerNode>[0], flags: StartFlags): Promise<void> {
  const node = launchFollowerNode(launch);
  if (flags.json) process.stdout.write(JSON.stringify({ node: flags.nodeRank, pid: node.pid, rdzv: flags.rdzv }) + '\n');
  else process.stderr.write(`molrl server: node ${flags.nodeRank} of ${flags.nnodes}, ${flags.nproc ?? 1} rank(s) following node 0 at ${flags.rdzv} (pid ${node.pid}); Ctrl-C stops them\n`);
  const signal = await nextSignal(node.exited);
  if (signal === null) {
    const how = await node.exited;
    if (how.code === 0) return;
    throw errors.POLICY_SERVER_EXITED(`node ${flags.nodeRank} (rendezvous ${flags.rdzv})`, how.code, how.signal);
  }
  await node.stop();
  process.exitCode = EXIT_INTERRUPTED;
}

async function health(flags: { url: string; token?: string; json?: boolean }): Promise<void> {
  const client = new PolicyClient({ url: flags.url, retries: 0, timeoutMs: 10_000, ...(flags.token ? { token: flags.token } : {}) });
  const answer = await client.health();
  if (flags.json) process.stdout.write(JSON.stringify(answer) + '\n');
  else process.stdout.write(`ok: ${answer.model} on ${answer.device}, step ${answer.step}, protocol ${answer.protocolVersion}\n`);
}

/** Adds `molrl server start` and `molrl server health`. */
export function registerServer(program: Command): void {
  const server = program.command('server').description('run or query the Python policy server');
  server
    .command('start')
    .description('start a policy server, print its URL once healthy, and run it until Ctrl-C (then exit 130)')
    .requiredOption('--model <spec>', "model: 'tiny' (CPU), 'hf:<path-or-id>' or 'hf-random:<config>'")
    .option('--port <n>', 'port; 0 picks a free one', integer(0, 65535), 8100)
    .option('--host <address>', 'bind address; anything but loopback needs --token', '127.0.0.1')
    .option('--token <secret>', "bearer token clients must send ('Authorization: Bearer <secret>')")
    .option('--lora-r <n>', 'LoRA rank for hf: models (server default 64; 0 = full fine-tune)', integer(0, 4096))
    .option('--model-config <json>', 'model config as JSON, e.g. \'{"n_layer":2,"d_model":64}\' for tiny', jsonObject)
    .option('--seed <n>', 'seed of the server RNGs and initial weights', integer(0, 2 ** 31 - 1))
    .option('--device <device>', 'cpu | cuda | cuda:N (server default cpu)')
    .option('--threads <n>', 'torch CPU threads (server default 1)', integer(1, 1024))
    .option('--dtype <dtype>', 'hf models: auto (bf16 on CUDA, fp32 on CPU) | float32 | bfloat16 | float16')
    .option('--attn-implementation <impl>', 'hf models: eager | sdpa | flash_attention_2')
    .option('--no-gradient-checkpointing', 'hf models: keep activations instead of recomputing them (faster, more memory)')
    .addOption(new Option('--engine <name>', 'generation engine: auto (static on CUDA, eager on CPU) | eager | static | vllm').choices(['auto', 'eager', 'static', 'vllm']))
    .option('--checkpoint-root <dir>', 'the only directory checkpoints are saved to and loaded from (default: the current directory)')
    .option('--python <path>', 'python with torch (default: $MOLRL_PYTHON, else the checkout\'s .venv made by npm run setup, else python3)')
    .option('--server-dir <dir>', 'directory holding the molrl_policy package (default: this checkout)')
    .option('--nproc <n>', 'data-parallel ranks on this node through torchrun (one per GPU; default 1 = no torchrun)', integer(1, 1024))
    .addOption(new Option('--shard <mode>', 'under torchrun: fsdp (FSDP2 sharding of weights, gradients and Adam moments; full fine-tuning of hf models) | none (a replica per rank) | auto (fsdp for hf models with --lora-r 0 on several ranks)').choices(['auto', 'fsdp', 'none']))
    .option('--nnodes <n>', 'nodes of the group (default 1); more need --rdzv and --node-rank on each node', integer(1, 4096))
    .option('--node-rank <k>', 'this node (0 serves HTTP; the others follow it)', integer(0, 4095))
    .option('--rdzv <host:port>', "node 0's rendezvous address: a free port on node 0 that every node reaches")
    .option('--json', 'print {"url","pid","model","device"} as JSON once healthy')
    .action((flags: StartFlags) => start(flags));
  server
    .command('health')
    .description('ask a running policy server for its health')
    .requiredOption('--url <url>', 'server URL, e.g. http://127.0.0.1:8100')
    .option('--token <secret>', 'bearer token')
    .option('--json', 'print the health answer as JSON')
    .action((flags: { url: string; token?: string; json?: boolean }) => health(flags));
}
