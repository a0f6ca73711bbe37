"""HTTP server and command line: `python3 -m molrl_policy.server --model tiny [--port 8100] ...`.

Standard-library ThreadingHTTPServer (HTTP/1.1, keep-alive, chunked NDJSON streaming). Model work is
serialised by one lock; /v1/health answers without it, also while a generation runs.
"""
from __future__ import annotations

import argparse
import hmac
import ipaddress
import json
import os
import pickle
import signal
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import torch

from . import checkpoint, distributed, distributed_fsdp, limits, protocol
from .checkpoint_root import CheckpointRoot
from .config import ConfigError, tiny_config_from_json
from .engine import Engine
from .errors import ApiError, bad_request
from .limits import Limits
from .ndjson_stream import ClientGone, StreamWriter


def log(msg: str) -> None:
    print(f"molrl-policy: {msg}", file=sys.stderr, flush=True)


def is_oom(err: BaseException) -> bool:
    return isinstance(err, (RuntimeError, MemoryError)) and (
        isinstance(err, MemoryError) or "out of memory" in str(err).lower())


DRAIN_BYTES = 1 << 20  # of a body left unread: read (and dropped) so that the client sees the answer, not a reset
DRAIN_SECONDS = 2.0
MAX_LEARNING_RATE = 1.0  # as the protocol schemas: AdamW moves every weight by about lr per step


class App:
    """Everything a request handler needs: the engine, its lock, auth, the protocol, limits, the checkpoint root."""

    def __init__(self, engine: Engine, model: str, token: str | None, limits: Limits | None = None,
                 checkpoint_root: str | None = None, socket_timeout: float = 60.0, verbose: bool = False) -> None:
        self.verbose = verbose
        self.engine = engine
        self.model = model
        self.token = token
        self.lock = threading.Lock()
        self.protocol = protocol.Protocol()
        self.openapi = protocol.OPENAPI_FILE.read_bytes()
        self.limits = limits or Limits()
        self.checkpoints = CheckpointRoot(checkpoint_root if checkpoint_root is not None else os.getcwd())
        self.socket_timeout = socket_timeout
        self.load_checkpoint = getattr(engine, "load_checkpoint", None) or (lambda path: checkpoint.load(engine, path))
        self.save_checkpoint = getattr(engine, "save_checkpoint", None) or (lambda path: checkpoint.save(engine, path))
        self.inflight = 0  # requests being handled (a data-parallel server answers them before it stops)
        self.inflight_lock = threading.Lock()
        self.exit_code = 0

    def health(self) -> dict:
        total, trainable = self.engine.policy.parameter_counts()
        return {"status": "ok", "model": self.model, "device": str(self.engine.policy.device),
                "step": self.engine.step, "protocolVersion": protocol.PROTOCOL_VERSION, "parameters": total,
                "trainableParameters": trainable, "lora": bool(self.engine.policy.lora),
                "engine": self.engine.generator.name}

    def locked(self, fn, *args):
        with self.lock:
            try:
                return fn(*args)
            except BaseException as err:
                if distributed.is_rank_failure(err):
                    self.stop_soon()
                    raise
                if is_oom(err):
                    self.engine.opt.zero_grad(set_to_none=True)
                    if torch.cuda.is_available():
                        torch.cuda.empty_cache()
                    raise ApiError(500, "OUT_OF_MEMORY", f"out of memory: {err}; lower microBatchSize, n or "
                                   "maxTokens") from err
                raise


    def stop_soon(self) -> None:
        """A rank failed: answer this request (and any in flight), then stop with exit code 3."""
        if not self.exit_code:
            self.exit_code = 3
            log("a rank failed: stopping the server (exit code 3) once the requests in flight are answered")
            threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGTERM)).start()

    def drain(self, seconds: float) -> None:
        """Wait (at most `seconds`) until no request is being handled."""
        deadline = time.monotonic() + seconds
        while self.inflight and time.monotonic() < deadline:
            time.sleep(0.05)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes: Nagle + delayed ACK cost ~40 ms per keep-alive request
    server_version = "molrl-policy/1"
    app: App  # set on the subclass made by make_server
    body_pending = False  # a request body not read (yet): the connection cannot serve another request

    def log_message(self, fmt: str, *args: Any) -> None:
        log(f"{self.address_string()} {fmt % args}")

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        status = getattr(code, "value", code)
        if self.app.verbose or (isinstance(status, int) and status >= 400):
            super().log_request(code, size)

    # -- plumbing ------------------------------------------------------------------------------
    def send_json(self, status: int, obj: Any) -> None:
        try:
            data = json.dumps(obj, allow_nan=False).encode()
        except ValueError:  # NaN / Infinity are not JSON; never send what a client cannot parse
            status, data = 500, json.dumps(ApiError(500, "INTERNAL", "the result holds a non-finite number").body()).encode()
        self.send_bytes(status, data, "application/json")

    def send_bytes(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        if self.body_pending:
            self.close_connection = True
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def metrics(self, area: str, t0: float | None = None, **values: Any) -> None:
        """One namespaced metrics line on stderr per model request (with --verbose)."""
        if not self.app.verbose:
            return
        if t0 is not None:
            dt = time.perf_counter() - t0
            values["perf/seconds"] = dt
            if "tokens" in values:
                values["perf/tokens_per_s"] = values["tokens"] / max(dt, 1e-9)
        log(" ".join([f"{k if '/' in k else area + '/' + k}={v:.4g}" if isinstance(v, float)
                               else f"{k if '/' in k else area + '/' + k}={v}" for k, v in values.items()]))

    def send_error_json(self, err: ApiError) -> None:
        self.send_json(err.status, err.body())

    def content_length(self) -> int:
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked" or length is None:
            raise bad_request("request body needs a Content-Length header (chunked uploads are not supported)")
        if not length.isascii() or not length.isdigit():
            raise bad_request(f"bad Content-Length {length[:40]!r}: expected a non-negative decimal integer")
        return int(length)

    def read_body(self) -> Any:
        if self.headers.get_content_type() != "application/json":
            raise ApiError(415, "UNSUPPORTED_MEDIA_TYPE",
                           f"Content-Type {self.headers.get('Content-Type')!r}: send the body as 'application/json' "
                           "(other types are refused, so that a web page cannot post to the server)")
        n = self.content_length()
        self.app.limits.check_body(n)
        raw = self.rfile.read(n)
        self.body_pending = False
        if len(raw) < n:
            self.close_connection = True
            raise bad_request(f"request body ended after {len(raw)} of {n} bytes (Content-Length)")
        return protocol.parse_body(raw)

    def drain(self) -> None:
        """Read and drop (a bounded part of) an unread request body after answering, then close the connection."""
        self.close_connection = True
        try:
            left = min(self.content_length(), DRAIN_BYTES)
        except ApiError:
            return
        deadline = time.monotonic() + DRAIN_SECONDS
        try:
            self.connection.settimeout(DRAIN_SECONDS)
            while left > 0 and time.monotonic() < deadline:
                chunk = self.rfile.read1(min(left, 65536))
                if not chunk:
                    break
                left -= len(chunk)
        except OSError:
            pass

    def authorize(self) -> None:
        tok = self.app.token
        if tok and not hmac.compare_digest(self.headers.get("Authorization", "").encode(), f"Bearer {tok}".encode()):
            raise ApiError(401, "UNAUTHORIZED", "missing or wrong 'Authorization: Bearer <token>' header")

    def handle_safely(self, fn) -> None:
        self.body_pending = self.headers.get("Content-Length", "0") != "0" or "Transfer-Encoding" in self.headers
        with self.app.inflight_lock:
            self.app.inflight += 1
        try:
            self.handle_counted(fn)
        finally:
            with self.app.inflight_lock:
                self.app.inflight -= 1

    def handle_counted(self, fn) -> None:
        try:
            fn()
        except ApiError as err:
            self.send_error_json(err)
        except (ConnectionError, TimeoutError, ClientGone):  # the client went away or stopped reading / sending
            self.close_connection = True
            return
        except Exception as err:  # never a stack trace to the client, never a dead server
            traceback.print_exc(file=sys.stderr)
            self.send_error_json(ApiError(500, "INTERNAL", f"{type(err).__name__}: {err}"))
        if self.body_pending:
            self.drain()

    # -- routes --------------------------------------------------------------------------------
    def do_GET(self) -> None:
        def run():
            self.authorize()
            route = self.path.split("?")[0]
            if route == "/v1/health":
                return self.send_json(200, self.app.health())
            if route == "/openapi.json":
                return self.send_bytes(200, self.app.openapi, "application/json")
            raise ApiError(404, "NOT_FOUND", f"no route GET {self.path}; GET /v1/health and GET /openapi.json exist")
        self.handle_safely(run)

    def do_POST(self) -> None:
        def run():
            self.authorize()  # before a byte of the body is read
            routes = {"/v1/generate": self.generate, "/v1/train/policy": self.train_policy,
                      "/v1/train/mol": self.train_mol, "/v1/checkpoint/save": self.ckpt_save,
                      "/v1/checkpoint/load": self.ckpt_load, "/v1/phase/start": self.phase_start}
            route = routes.get(self.path.split("?")[0])
            if route is None:
                raise ApiError(404, "NOT_FOUND", f"no route POST {self.path}; routes: {', '.join(routes)}")
            route(self.read_body())
        self.handle_safely(run)

    def generate(self, body: Any) -> None:
        prompts, n, sampling, seed, kv = self.app.protocol.parse_generate(body)
        self.app.limits.check_generate(prompts, n, sampling)
        tkw = body.get("chatTemplateKwargs") if isinstance(body, dict) else None
        app = self.app
        t0 = time.perf_counter()
        if "application/x-ndjson" not in self.headers.get("Accept", ""):
            rid, comps = app.locked(app.engine.generate, prompts, n, sampling, seed, None, None, kv, tkw)
            self.metrics("generate", completions=len(comps), tokens=sum(c["tokenCount"] for c in comps), t0=t0)
            return self.send_json(200, {"rolloutId": rid, "completions": comps})

        def write(data: bytes) -> None:
            self.wfile.write(data)
            self.wfile.flush()

        def headers() -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson")
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()

        stream = StreamWriter(write, headers, lambda why: log(f"generate: dropped a streaming client ({why}); "
                                                              "generation abandoned"))

        def on_start(rid: str) -> None:
            stream.open()
            stream.put({"type": "rollout", "rolloutId": rid})

        try:
            rid, comps = app.locked(app.engine.generate, prompts, n, sampling, seed, on_start,
                                    lambda c: stream.put({"type": "completion", "completion": c}), kv, tkw)
            stream.put({"type": "done", "rolloutId": rid, "completions": len(comps)})
            self.metrics("generate", completions=len(comps), tokens=sum(c["tokenCount"] for c in comps), t0=t0)
        except ClientGone:
            pass
        except Exception as err:
            if not stream.started:
                raise
            if not isinstance(err, ApiError):
                traceback.print_exc(file=sys.stderr)
                err = ApiError(500, "INTERNAL", f"{type(err).__name__}: {err}")
            try:
                stream.put({"type": "error", "error": err.body()["error"]})
            except ClientGone:
                pass
        if not stream.close():
            self.close_connection = True

    def train_policy(self, body: Any) -> None:
        req = self.app.protocol.parse_train_policy(body)
        out = self.app.locked(self.app.engine.train_policy, req)
        keys = ("step", "loss", "kl", "clipFraction", "approxKl", "gradNorm", "tokens", "updates")
        self.metrics("train/policy", **{k: out[k] for k in keys})
        self.send_json(200, out)

    def train_mol(self, body: Any) -> None:
        req = self.app.protocol.parse_train_mol(body)
        out = self.app.locked(self.app.engine.train_mol, req, log)
        self.metrics("train/mol", **{k: out[k] for k in ("step", "loss", "ce", "kl", "ceTokens", "klTokens")})
        self.send_json(200, out)

    def phase_start(self, body: Any) -> None:
        req = self.app.protocol.parse_phase_start(body)
        out = self.app.locked(self.app.engine.start_phase, req)
        self.metrics("phase/start", **out)
        self.send_json(200, out)

    def ckpt_save(self, body: Any) -> None:
        path = self.app.checkpoints.resolve(self.app.protocol.parse_checkpoint(body), checkpoint.FILES)
        self.send_json(200, self.app.locked(self.app.save_checkpoint, path))

    def ckpt_load(self, body: Any) -> None:
        path = self.app.checkpoints.resolve(self.app.protocol.parse_checkpoint(body), checkpoint.FILES)
        try:
            out = self.app.locked(self.app.load_checkpoint, path)
        except pickle.UnpicklingError as err:
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise ApiError(400, "CHECKPOINT_UNSAFE",
                           f"checkpoint at {path} holds a file that is not plain tensor data, refused without running "
                           f"it (torch.load weights_only=True: {first[:200]}); load only checkpoints written by "
                           "/v1/checkpoint/save", "path") from None
        self.send_json(200, out)


def make_server(app: App, host: str, port: int, handler_class: type = Handler) -> ThreadingHTTPServer:
    # timeout: a client that neither sends nor reads for this long is dropped (StreamRequestHandler.setup)
    handler = type("BoundHandler", (handler_class,), {"app": app, "timeout": app.socket_timeout})
    httpd = ThreadingHTTPServer((host, port), handler)
    httpd.daemon_threads = True
    return httpd


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def build_policy(args):
    if args.model == "tiny":
        from .model import TinyPolicy

        cfg = tiny_config_from_json(args.model_config)
        if "seed" not in json.loads(args.model_config or "{}"):
            cfg.seed = args.seed  # --seed also seeds the initial weights unless the config names one
        return TinyPolicy(cfg, device=args.device)
    if args.model.startswith(("hf:", "hf-random:")):
        from . import hf

        opts = hf.HFOptions(lora_r=args.lora_r, dtype=args.dtype, attn_implementation=args.attn_implementation,
                            gradient_checkpointing=args.gradient_checkpointing)
        return hf.load_policy(args.model, device=args.device, seed=args.seed, model_config=args.model_config,
                              opts=opts)
    raise ConfigError(f"--model {args.model!r}: expected tiny, hf:<path-or-id> or hf-random:<config json or path>")


def build_generator(args, policy):
    """The generation engine of --engine (auto: static on CUDA, eager elsewhere); ConfigError if it cannot run."""
    from .gen_engine import make_engine, resolve_name

    name = resolve_name(args.engine, policy.device)
    options = {}
    if name == "vllm":
        options = {"memory_utilization": args.vllm_memory_utilization, "max_model_len": args.vllm_max_model_len}
    return make_engine(name, policy, **options)


def kv_budget(gb: float | None, device: torch.device) -> int:
    """Bytes of KV cache one generation batch may take: --kv-cache-gb, else 40 % of free CUDA memory, else 4 GiB."""
    if gb:
        return int(gb * 2**30)
    if device.type == "cuda":
        free, _ = torch.cuda.mem_get_info(device)
        return int(0.4 * free)
    return 4 * 2**30


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="molrl_policy.server", description="molrl policy server",
        epilog="Data parallel: run it under torchrun (python -m torch.distributed.run --nproc-per-node N "
               "--standalone -m molrl_policy.server ...); rank 0 serves HTTP, the other ranks follow it "
               "(molrl server start --nproc N does this).")
    p.add_argument("--model", default="tiny", help="tiny | hf:<path-or-id> | hf-random:<config json or path>")
    p.add_argument("--model-config", default=None, help="JSON: tiny config (n_layer, n_head, d_model, ...); hf-random: "
                   "the HF config; hf: config overrides")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8100, help="0 picks a free port")
    p.add_argument("--token", default=None, help="bearer token; required when --host is not loopback")
    p.add_argument("--lora-r", type=int, default=64, help="LoRA rank for hf models; 0 = full fine-tune")
    p.add_argument("--dtype", default="auto", help="hf models: auto (bf16 on CUDA, fp32 on CPU) | float32 | bfloat16 | "
                   "float16; full fine-tuning keeps fp32 master weights and runs this dtype through autocast")
    p.add_argument("--attn-implementation", default=None, help="hf models: eager | sdpa | flash_attention_2 "
                   "(default: transformers' choice)")
    p.add_argument("--gradient-checkpointing", action=argparse.BooleanOptionalAction, default=True,
                   help="hf models: recompute activations in the backward pass (default on)")
    p.add_argument("--engine", default="auto", choices=["auto", "eager", "static", "vllm"],
                   help="generation engine: auto (static on CUDA, eager on CPU) | eager (the reference loop) | static "
                   "(pre-allocated KV cache, decode step compiled on CUDA) | vllm (vLLM in this process; hf models)")
    p.add_argument("--vllm-memory-utilization", type=float, default=None, help="--engine vllm: share of the GPU's "
                   "memory vLLM takes for weights and KV cache while awake (default 0.3; CPU: share of host memory, 0.05)")
    p.add_argument("--vllm-max-model-len", type=int, default=None, help="--engine vllm: longest prompt + completion "
                   "(default: the model context)")
    p.add_argument("--micro-batch-tokens", type=int, default=None, help="default token budget of a train "
                   "micro-batch (rows x longest sequence); requests may set microBatchTokens (default: hf 16384, "
                   "tiny none)")
    p.add_argument("--kv-cache-gb", type=float, default=None, help="KV-cache budget of one generation batch in GiB "
                   "(rows per batch follow from it; default: CUDA 40%% of free memory, CPU 4)")
    p.add_argument("--logits-chunk", type=int, default=None, help="positions per output-head chunk in training "
                   "(default: 2^25 logit elements / vocabulary)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cpu", help="cpu | cuda | cuda:N (under torchrun with cuda: each rank "
                   "takes cuda:LOCAL_RANK)")
    p.add_argument("--shard", default="auto", choices=["auto", "fsdp", "none"],
                   help="under torchrun: fsdp = FSDP2 fully_shard of weights, gradients and Adam moments across ranks "
                        "(full fine-tuning of hf models, eager generation on gathered weights); none = a replica per "
                        "rank; auto (default) = fsdp for hf models with --lora-r 0 on several ranks, else none")
    p.add_argument("--dist-timeout", type=float, default=1800.0, metavar="SECONDS",
                   help="under torchrun: how long a rank waits in a collective (the slowest rank's generation or "
                        "step) before the group counts as failed. Default 1800.")
    p.add_argument("--threads", type=int, default=1, help="torch intra-op threads (1 is fastest on small CPUs)")
    p.add_argument("--lr", type=float, default=None, help="initial learning rate (tiny 3e-4, hf 1e-5)")
    p.add_argument("--weight-decay", type=float, default=0.0)
    p.add_argument("--rollout-store", type=int, default=64, help="rollouts kept for train/policy (LRU)")
    p.add_argument("--checkpoint-root", default=None, metavar="DIR",
                   help="checkpoints are saved and loaded only under this directory (relative request paths are "
                        "taken from it); default: the working directory. The trainer sets it to the run directory.")
    p.add_argument("--socket-timeout", type=float, default=60.0, metavar="SECONDS",
                   help="a client that neither sends nor reads for this long is dropped (a stalled stream never "
                        "holds the model). Default 60.")
    limits.add_flags(p)
    p.add_argument("--verbose", action="store_true", help="log every request and a metrics line per model call")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if not is_loopback(args.host) and not args.token:
        print(f"molrl-policy: refusing to bind non-loopback host {args.host!r} without --token: anyone who "
              "can reach it could drive the model. Pass --token <secret> (clients send 'Authorization: Bearer "
              "<secret>') or bind 127.0.0.1.", file=sys.stderr)
        return 2
    try:
        request_limits = limits.from_args(args)
    except ValueError as err:
        print(f"molrl-policy: {err}", file=sys.stderr)
        return 2
    if args.lr is not None and not 0 < args.lr <= MAX_LEARNING_RATE:
        print(f"molrl-policy: --lr {args.lr}: expected a learning rate in (0, {MAX_LEARNING_RATE:g}]", file=sys.stderr)
        return 2
    if not args.socket_timeout > 0:
        print(f"molrl-policy: --socket-timeout {args.socket_timeout}: expected seconds > 0", file=sys.stderr)
        return 2
    torch.set_num_threads(max(1, args.threads))
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        print(f"molrl-policy: --device {args.device} but torch {torch.__version__} sees no CUDA GPU; use --device cpu",
              file=sys.stderr)
        return 2
    ranks = None
    if distributed.world_size() > 1:  # under torchrun: every rank runs this; rank 0 serves HTTP
        ranks = distributed.Ranks(args.device, args.dist_timeout)
        if args.device.startswith("cuda"):
            args.device = ranks.device
    try:
        sharded = distributed_fsdp.resolve(args.shard, args.model, args.lora_r, distributed.world_size()) == "fsdp" \
            and ranks is not None
        if sharded and args.engine not in ("auto", "eager"):
            raise ConfigError(f"--shard fsdp generates with the eager engine on the gathered weights; --engine "
                              f"{args.engine} keeps its own copy of them: drop --engine or use --shard none")
        if sharded:
            args.engine = "eager"
        policy = build_policy(args)
    except ConfigError as err:
        print(f"molrl-policy: {err}", file=sys.stderr)
        return 2
    if sharded:
        distributed_fsdp.shard_policy(policy)
    try:
        generator = build_generator(args, policy)
    except ConfigError as err:
        print(f"molrl-policy: {err}", file=sys.stderr)
        return 2
    lr = args.lr if args.lr is not None else (3e-4 if args.model == "tiny" else 1e-5)
    hf_model = args.model != "tiny"
    kw = dict(lr=lr, weight_decay=args.weight_decay, seed=args.seed, rollout_capacity=args.rollout_store,
              micro_batch_tokens=args.micro_batch_tokens or (16384 if hf_model else None),
              kv_cache_bytes=kv_budget(args.kv_cache_gb, policy.device), logits_chunk=args.logits_chunk,
              generator=generator)
    engine: Any = Engine(policy, **kw)
    if ranks is not None:
        from .distributed_engine import DataParallelEngine

        engine = DataParallelEngine(policy, ranks, **kw)
        if ranks.rank != 0:
            return distributed.follow(engine, ranks)
        engine = distributed.Leader(engine, ranks)
    try:
        app = App(engine, args.model, args.token, request_limits, args.checkpoint_root, args.socket_timeout,
                  verbose=args.verbose)
    except OSError as err:
        print(f"molrl-policy: --checkpoint-root {args.checkpoint_root}: cannot create it ({err.strerror})",
              file=sys.stderr)
        return 2
    total, trainable = policy.parameter_counts()
    where = f", rank 0 of {ranks.world} ({ranks.backend}, data parallel, " \
        f"{'weights sharded (FSDP2)' if policy.root is not None else 'replicas'})" if ranks else ""
    log(f"model {args.model} on {policy.device}{where}, engine {generator.name}: {total:,} parameters ({trainable:,} trainable), "
        f"{torch.get_num_threads()} thread(s); checkpoints under {app.checkpoints.root}")
    try:
        httpd = make_server(app, args.host, args.port)
    except OSError as err:
        print(f"molrl-policy: cannot bind {args.host}:{args.port}: {err.strerror}", file=sys.stderr)
        return 2

    def stop(signum, _frame):
        if ranks is not None:  # torchrun stops every rank when one dies: answer the requests in flight first
            app.drain(5.0)
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    host, port = httpd.server_address[:2]
    shown = f"[{host}]" if ":" in str(host) else host
    print(f"molrl-policy listening on http://{shown}:{port}", flush=True)
    try:
        httpd.serve_forever(poll_interval=0.2)
    except SystemExit:
        pass
    finally:
        httpd.server_close()
        log("stopped")
    if ranks is not None:  # the other ranks are stopping too: leave without the group's teardown (it waits)
        sys.stdout.flush()
        os._exit(app.exit_code)
    return app.exit_code


if __name__ == "__main__":
    sys.exit(main())
