// Starts the Python policy server as a child process (execa), waits for its ready line and health,
// forwards its log, and stops it with the parent (signal-exit: exit, SIGINT, SIGTERM, SIGHUP; stdin EOF).
import { execa } from 'execa';
import { createInterface } from 'node:readline';
import { onExit } from 'signal-exit';
import { fileURLToPath } from 'node:url';
import { errors } from './errors.ts';
import { PolicyClient } from './policy-client.ts';
import { defaultPython } from './default-python.ts';

/** Options of `launchPolicyServer`; server flags map one to one onto `python -m molrl_policy.server`. */
export interface LaunchOptions {
  /** `tiny`, `hf:<path-or-id>` or `hf-random:<config>`. */
  model: string;
  /** Model config (tiny: layers/width...; hf-random: the HF config), passed as `--model-config` JSON. */
  modelConfig?: object;
  /** Port; 0 (the default) picks a free one. */
  port?: number;
  /** Bind address. Default 127.0.0.1; any other host needs `token`. */
  host?: string;
  /** Bearer token the server requires (and the client sends). */
  token?: string;
  /** LoRA rank for hf: models. */
  loraR?: number;
  /** Seed of the server's RNGs. */
  seed?: number;
  /** `cpu` or `cuda`. */
  device?: string;
  /** Torch CPU threads. */
  threads?: number;
  /** hf models: `auto` (bf16 on CUDA, fp32 on CPU), `float32`, `bfloat16`, `float16`. */
  dtype?: string;
  /** hf models: `eager`, `sdpa`, `flash_attention_2`. */
  attnImplementation?: string;
  /** hf models: activation checkpointing (server default on). */
  gradientCheckpointing?: boolean;
  /** Default token budget of a train micro-batch (rows x longest sequence). */
  microBatchTokens?: number;
  /** KV-cache budget of one generation batch, GiB. */
  kvCacheGb?: number;
  /** Generation engine: `auto` (static on CUDA, eager on CPU), `eager`, `static`, `vllm`. */
  engine?: string;
  /**
   * The only directory the server saves checkpoints to and loads them from (`--checkpoint-root`; relative
   * checkpoint paths are taken from it). Default: the server's working directory, which is this process's.
   */
  checkpointRoot?: string;
  /**
   * Data-parallel ranks on this node (`torchrun --nproc-per-node`); default 1 (a plain process, no torchrun).
   * Rank 0 serves HTTP; the others follow it (gloo on CPU, NCCL on GPUs: one GPU per rank).
   */
  nproc?: number;
  /**
   * Under torchrun (`--shard`): `fsdp` shards weights, gradients and Adam moments across ranks (FSDP2, full
   * fine-tuning of hf models), `none` keeps a replica per rank; default `auto` (fsdp for an hf model with
   * loraR 0 on several ranks).
   */
  shard?: 'auto' | 'fsdp' | 'none';
  /** Nodes of the group (`torchrun --nnodes`, static rendezvous); default 1. More than 1 needs `rdzv`. */
  nnodes?: number;
  /** This node's rank (0 serves HTTP; start the others with {@link launchFollowerNode}). Default 0. */
  nodeRank?: number;
  /** `HOST:PORT` of node 0's rendezvous (a free port on node 0 that every node reaches); needs nnodes > 1. */
  rdzv?: string;
  /** Extra server flags, appended as is (e.g. `['--rollout-store', '128']`). */
  extraArgs?: string[];
  /** Python with torch (and transformers/peft for hf: models). Default: {@link defaultPython}. */
  python?: string;
  /** Directory holding the `molrl_policy` package. Default: packages/policy-server of this checkout. */
  serverDir?: string;
  /** Receives each line the server logs (stderr, and stdout after the ready line). Default: stderr, prefixed. */
  onLog?: (line: string) => void;
  /** How long to wait for the ready line and health. Default 300000 (HF models load slowly). */
  startTimeoutMs?: number;
  /** How long `stop()` waits after SIGTERM before SIGKILL. Default 5000. */
  stopGraceMs?: number;
  /** Cancels the start; the child is killed and the launch rejects with POLICY_REQUEST_ABORTED. */
  signal?: AbortSignal;
}

/** A running policy server. */
export interface PolicyServerHandle {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** A client of this server (with its token). */
  client: PolicyClient;
  /** Process id of the server. */
  pid: number;
  /** SIGTERM, then SIGKILL after the grace period; resolves once the process is gone. Idempotent. */
  stop(): Promise<void>;
  /** Resolves when the process exits, for whatever reason. */
  exited: Promise<{ code: number | null; signal: string | null }>;
}

const READY = /molrl-policy listening on (https?:\/\/\S+)/;
const TAIL_LINES = 20;

/** The default directory of the `molrl_policy` package (works from src/ and dist/). */
export const defaultServerDir = fileURLToPath(new URL('../../policy-server', import.meta.url));

/**
 * Runs `module` as `python -m` would, plus a thread that sends the process SIGTERM (its clean shutdown) when
 * stdin reaches EOF: the parent holds the other end of that pipe, so even a parent killed with SIGKILL, which
 * no exit hook sees, leaves no orphan server holding the port or the GPU (torchrun passes SIGTERM to its ranks).
 */
export function parentWatch(module: string): string {
  return [
    'import os, runpy, signal, threading',
    'def _watch():',
    '    while os.read(0, 4096):  # the raw fd: a daemon thread blocked in sys.stdin aborts interpreter shutdown',
    '        pass',
    '    os.kill(os.getpid(), signal.SIGTERM)',
    'threading.Thread(target=_watch, daemon=True).start()',
    `runpy.run_module('${module}', run_name='__main__', alter_sys=True)`,
  ].join('\n');
}

/** {@link parentWatch} of the policy server itself (one process). */
export const PARENT_WATCH = parentWatch('molrl_policy.server');

/** Whether `options` ask for torchrun (several ranks or nodes). */
export function isDistributed(options: Pick<LaunchOptions, 'nproc' | 'nnodes'>): boolean {
  return (options.nproc ?? 1) > 1 || (options.nnodes ?? 1) > 1;
}

/**
 * The Python arguments that start the server: `-c <watch> <server flags>` for one process, or torchrun
 * (`--standalone` on one node, static rendezvous at `rdzv` on several) running `-m molrl_policy.server` per rank.
 */
export function launchArgs(options: LaunchOptions): string[] {
  const nnodes = options.nnodes ?? 1;
  const nodeRank = options.nodeRank ?? 0;
  if (!Number.isInteger(options.nproc ?? 1) || (options.nproc ?? 1) < 1) throw errors.POLICY_LAUNCH_INVALID('nproc', String(options.nproc), 'an integer >= 1 (ranks on this node)');
  if (!Number.isInteger(nnodes) || nnodes < 1) throw errors.POLICY_LAUNCH_INVALID('nnodes', String(nnodes), 'an integer >= 1');
  if (!Number.isInteger(nodeRank) || nodeRank < 0 || nodeRank >= nnodes) throw errors.POLICY_LAUNCH_INVALID('nodeRank', String(nodeRank), `an integer in [0, ${nnodes - 1}] (nnodes ${nnodes})`);
  if (!isDistributed(options)) return ['-c', PARENT_WATCH, ...serverArgs(options)];
  const where = nnodes === 1 ? ['--standalone'] : ['--nnodes', String(nnodes), '--node-rank', String(nodeRank), '--rdzv-backend', 'static', '--rdzv-endpoint', rdzvEndpoint(options.rdzv)];
  return ['-c', parentWatch('torch.distributed.run'), '--nproc-per-node', String(options.nproc ?? 1), ...where, '--max-restarts', '0', '-m', 'molrl_policy.server', ...serverArgs(options)];
}

function rdzvEndpoint(rdzv: string | undefined): string {
  const match = rdzv === undefined ? null : /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(rdzv);
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) throw errors.POLICY_LAUNCH_INVALID('rdzv', String(rdzv), 'HOST:PORT of node 0 (a free port there that every node reaches), e.g. 10.0.0.1:29500');
  return rdzv as string;
}

/** The server's command-line flags for `options` (after the module name). */
export function serverArgs(options: LaunchOptions): string[] {
  const args = ['--model', options.model];
  if (options.modelConfig !== undefined) args.push('--model-config', JSON.stringify(options.modelConfig));
  args.push('--port', String(options.port ?? 0));
  if (options.host !== undefined) args.push('--host', options.host);
  if (options.token !== undefined) args.push('--token', options.token);
  if (options.loraR !== undefined) args.push('--lora-r', String(options.loraR));
  if (options.seed !== undefined) args.push('--seed', String(options.seed));
  if (options.device !== undefined) args.push('--device', options.device);
  if (options.threads !== undefined) args.push('--threads', String(options.threads));
  if (options.dtype !== undefined) args.push('--dtype', options.dtype);
  if (options.attnImplementation !== undefined) args.push('--attn-implementation', options.attnImplementation);
  if (options.gradientCheckpointing !== undefined) args.push(options.gradientCheckpointing ? '--gradient-checkpointing' : '--no-gradient-checkpointing');
  if (options.microBatchTokens !== undefined) args.push('--micro-batch-tokens', String(options.microBatchTokens));
  if (options.kvCacheGb !== undefined) args.push('--kv-cache-gb', String(options.kvCacheGb));
  if (options.engine !== undefined) args.push('--engine', options.engine);
  if (options.shard !== undefined) args.push('--shard', options.shard);
  if (options.checkpointRoot !== undefined) args.push('--checkpoint-root', options.checkpointRoot);
  args.push(...(options.extraArgs ?? []));
  return args;
}

/** A hint for the usual start failures, from the last log lines. */
export function startHint(tail: string[], python: string, serverDir: string): string | undefined {
  const text = tail.join('\n');
  if (/No module named '?torch/.test(text)) return `PyTorch is missing for ${python}: run 'npm run setup' (it makes .venv with torch), or set MOLRL_PYTHON / server.start.python to a Python with torch.`;
  if (/No module named '?molrl_policy/.test(text)) return `the molrl_policy package is not under ${serverDir}; check serverDir.`;
  if (/No module named '?(transformers|peft)/.test(text)) return `hf: models need transformers and peft, which ${python} lacks: run 'npm run setup' (it installs molrl-policy[hf] into .venv), or 'pip install molrl-policy[hf]' into that Python.`;
  if (/Address already in use/i.test(text)) return 'the port is taken: pick another --port, or --port 0 for a free one.';
  if (/ENOENT/.test(text)) return `${python} was not found: run 'npm run setup', or pass the python with torch.`;
  return undefined;
}

/** Runs `python args` with the server package on PYTHONPATH, in its own process group, stopped with the parent. */
function spawnServer(python: string, serverDir: string, args: string[]) {
  const child = execa(python, args, {
    env: { PYTHONPATH: [serverDir, process.env.PYTHONPATH].filter(Boolean).join(':'), PYTHONUNBUFFERED: '1' },
    stdin: 'pipe', // never written; its EOF tells the server that the parent is gone (PARENT_WATCH)
    buffer: false,
    reject: false,
    // Own process group, so a terminal's Ctrl-C reaches only the parent, which stops the server cleanly;
    // execa's `cleanup` skips detached children, so signal-exit kills it when the parent exits.
    detached: true,
    cleanup: false,
    forceKillAfterDelay: false,
  });
  const removeExitHook = onExit(() => {
    child.kill('SIGTERM');
  });
  void child.finally(removeExitHook);
  return child;
}

/** Starts a policy server and resolves once it answers /v1/health. */
export async function launchPolicyServer(options: LaunchOptions): Promise<PolicyServerHandle> {
  const python = options.python ?? defaultPython();
  const serverDir = options.serverDir ?? defaultServerDir;
  const onLog = options.onLog ?? ((line: string) => process.stderr.write(`[policy-server] ${line}\n`));
  const tail: string[] = [];
  const log = (line: string): void => {
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
    onLog(line);
  };
  if ((options.nodeRank ?? 0) > 0) throw errors.POLICY_LAUNCH_INVALID('nodeRank', String(options.nodeRank), '0 here: node 0 serves HTTP; start the other nodes with launchFollowerNode (molrl server start --node-rank K)');
  const child = spawnServer(python, serverDir, launchArgs(options));
  const exited = child.then((result) => {
    if (result.failed && result.exitCode === undefined && result.signal === undefined) log(result.shortMessage ?? 'the process failed to start');
    return { code: result.exitCode ?? null, signal: result.signal ?? null };
  });
  createInterface({ input: child.stderr }).on('line', log);
  const stdout = createInterface({ input: child.stdout });

  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  let url: string;
  try {
    url = await new Promise<string>((resolve, reject) => {
      stdout.on('line', (line) => {
        const match = READY.exec(line);
        if (match) resolve((match[1] ?? '').replace(/\/+$/, ''));
        else log(line);
      });
      void exited.then((how) => {
        const reason = `the process exited (${how.signal ? `signal ${how.signal}` : `code ${how.code}`}) before it was ready`;
        reject(errors.POLICY_SERVER_START_FAILED(reason, [...tail], startHint(tail, python, serverDir)));
      });
      const timeoutMs = options.startTimeoutMs ?? 300_000;
      timer = setTimeout(
        () => reject(errors.POLICY_SERVER_START_FAILED(`no ready line within ${timeoutMs} ms`, [...tail], startHint(tail, python, serverDir))),
        timeoutMs,
      );
      if (options.signal) {
        onAbort = () => reject(errors.POLICY_REQUEST_ABORTED('launch', options.signal?.reason));
        if (options.signal.aborted) onAbort();
        else options.signal.addEventListener('abort', onAbort, { once: true });
      }
    });
    stdout.removeAllListeners('line');
    stdout.on('line', log);
    const client = new PolicyClient({ url, ...(options.token ? { token: options.token } : {}), retries: 5 });
    try {
      await client.health({ timeoutMs: 30_000, ...(options.signal ? { signal: options.signal } : {}) });
    } catch (error) {
      await client.close().catch(() => {});
      if ((error as { code?: unknown }).code === 'POLICY_REQUEST_ABORTED') throw error;
      throw errors.POLICY_SERVER_START_FAILED(`it printed its URL ${url} but /v1/health failed: ${(error as Error).message}`, [...tail]);
    }
    const stopProcess = makeStop(child, exited, options.stopGraceMs ?? (isDistributed(options) ? 15_000 : 5000));
    const stop = async (): Promise<void> => {
      await stopProcess();
      await client.close().catch(() => {});
    };
    return { url, client, pid: child.pid as number, stop, exited };
  } catch (error) {
    killGroup(child, 'SIGKILL');
    await exited;
    throw error;
  } finally {
    clearTimeout(timer);
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
  }
}

/** Kills the child's process group (it is detached: its own group, with torchrun's agent in it). */
function killGroup(child: { pid?: number | undefined; kill(signal?: NodeJS.Signals): boolean }, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    child.kill(signal);
  }
}

function makeStop(child: { pid?: number | undefined; kill(signal?: NodeJS.Signals): boolean }, exited: Promise<unknown>, graceMs: number): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () =>
    (stopping ??= (async () => {
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const gone = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), graceMs)))]);
      clearTimeout(timer);
      if (!gone) {
        killGroup(child, 'SIGKILL');
        await exited;
      }
    })());
}

/** The ranks of a node other than 0 (they follow node 0's rank 0 and serve no HTTP). */
export interface FollowerNodeHandle {
  /** Process id of this node's torchrun agent. */
  pid: number;
  /** SIGTERM (torchrun stops its ranks), then SIGKILL after the grace period. Idempotent. */
  stop(): Promise<void>;
  /** Resolves when the agent exits (when node 0 stops, or a rank fails). */
  exited: Promise<{ code: number | null; signal: string | null }>;
}

/** Starts node `nodeRank` (> 0) of a multi-node server: torchrun joins node 0's rendezvous at `rdzv`. */
export function launchFollowerNode(options: LaunchOptions): FollowerNodeHandle {
  if ((options.nodeRank ?? 0) < 1) throw errors.POLICY_LAUNCH_INVALID('nodeRank', String(options.nodeRank ?? 0), 'an integer >= 1 for a follower node (node 0 is started with launchPolicyServer)');
  const python = options.python ?? defaultPython();
  const serverDir = options.serverDir ?? defaultServerDir;
  const onLog = options.onLog ?? ((line: string) => process.stderr.write(`[policy-server node ${options.nodeRank}] ${line}\n`));
  const child = spawnServer(python, serverDir, launchArgs(options));
  createInterface({ input: child.stderr }).on('line', onLog);
  createInterface({ input: child.stdout }).on('line', onLog);
  const exited = child.then((result) => ({ code: result.exitCode ?? null, signal: result.signal ?? null }));
  return { pid: child.pid as number, stop: makeStop(child, exited, options.stopGraceMs ?? 15_000), exited };
}
