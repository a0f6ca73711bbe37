"""Data-parallel ranks under torchrun: rank 0 serves HTTP and leads, the other ranks replay its engine calls.

Every rank holds a full replica (weights, optimizer, step, RNGs, rollout store). Rank 0 validates a request,
posts the engine call (JSON) in the rendezvous store and runs it; the followers run the same call. Inside it,
a generation splits the prompts across ranks and gathers the rows in canonical order; a policy / MoL step splits
the batch, normalises every rank's loss by the whole batch's counts and sums the gradients (one all-reduce after
the micro-batches, as DDP's reducer does), so every replica takes the same optimizer step. After each call the
ranks all-reduce an error flag: a rank that died or failed turns into the coded error RANK_FAILED, never a hang.
gloo on CPU; NCCL for gradients on GPUs (commands, flags and gathered rows stay on a gloo group).
"""
from __future__ import annotations

import dataclasses
import json
import os
import sys
import threading
import time
import traceback
import uuid
from datetime import timedelta

import torch
import torch.distributed as dist

from .errors import ApiError
from .generate import Sampling

IDLE_WAIT = timedelta(hours=1)  # a follower's wait for the next command, renewed (c10d logs each expiry once)
FLAT_BUCKET = 1 << 25  # gradient elements per all-reduce (a bounded copy, not the whole model twice)
# fault injection for tests, comma-separated specs: "exit:<call>:<rank>[:<k>]": that rank dies on its k-th call;
# "raise:<phase>:<rank>": that rank raises in its first local phase `phase` (generate, policy_step, mol_step)
FAULT_ENV = "MOLRL_DIST_FAULT"
_calls: dict[str, int] = {}


def log(msg: str) -> None:
    print(f"molrl-policy: {msg}", file=sys.stderr, flush=True)


def world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1"))


def shard(n: int, world: int, rank: int) -> range:
    """The contiguous part [a, b) of n items that `rank` of `world` takes (sizes differ by at most one)."""
    return range(n * rank // world, n * (rank + 1) // world)


def rank_failed(what: str) -> ApiError:
    return ApiError(503, "RANK_FAILED", f"a policy-server rank failed ({what}); the process group is unusable and "
                    "the server stops: restart it (or resume the run), and see the rank logs for the cause")


def is_rank_failure(err: BaseException) -> bool:
    return isinstance(err, ApiError) and err.code == "RANK_FAILED"


def _summary(err: BaseException) -> str:
    text = str(err).strip()
    return f"{type(err).__name__}: {text.splitlines()[0][:300]}" if text else type(err).__name__


def rank_error(rank: int, phase: str, summary: str) -> ApiError:
    """The error every rank raises when `rank` failed in its local part of `phase` (the group is still usable)."""
    where = f"rank {rank} failed in its part of the {phase} ({summary}); the call was abandoned on every rank"
    if "out of memory" in summary.lower() or summary.startswith("MemoryError"):
        return ApiError(500, "OUT_OF_MEMORY", f"out of memory: {where}; lower microBatchSize, n or maxTokens")
    return ApiError(500, "RANK_ERROR", f"{where} (weights unchanged); its log has the traceback. The server keeps "
                    "serving: retry, or fix the cause the message names")


class Ranks:
    """This process's place in the group and the group's collectives (each turns a failure into RANK_FAILED)."""

    def __init__(self, device: str, timeout_s: float) -> None:
        self.world = world_size()
        self.rank = int(os.environ["RANK"])
        self.local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        self.backend = "nccl" if device.startswith("cuda") else "gloo"
        self.timeout = timedelta(seconds=timeout_s)
        if self.backend == "nccl":
            torch.cuda.set_device(self.local_rank)
        dist.init_process_group(self.backend, timeout=self.timeout)
        # commands, flags and Python objects on gloo (CPU tensors); gradients on the default group
        self.cpu = dist.new_group(backend="gloo", timeout=self.timeout) if self.backend == "nccl" else None
        self.store = dist.PrefixStore("molrl/cmd/", dist.distributed_c10d._get_default_store())
        self.failed: str | None = None
        self.seq = 0
        watch_parent()

    @property
    def device(self) -> str:
        return f"cuda:{self.local_rank}" if self.backend == "nccl" else "cpu"

    def guard(self, what: str, fn, *args):
        if self.failed:
            raise rank_failed(self.failed)
        try:
            return fn(*args)
        except ApiError:
            raise
        except (dist.DistError, RuntimeError, OSError) as err:
            self.failed = f"{what}: {type(err).__name__}: {str(err).strip().splitlines()[0][:300] if str(err).strip() else ''}"
            raise rank_failed(self.failed) from err

    # -- commands (rank 0 -> followers, through the rendezvous store: waiting for one never times out) --------
    def post(self, call: str, args: list, rid: str | None = None) -> None:
        self.seq += 1
        cmd = json.dumps({"call": call, "args": args, "rid": rid})
        self.guard("posting a command", self.store.set, str(self.seq), cmd)
        if self.seq > 1:
            self.store.delete_key(str(self.seq - 1))  # every follower has read it: it acknowledged that call

    def next_command(self) -> dict:
        self.seq += 1
        key = str(self.seq)
        while True:
            try:
                self.store.wait([key], IDLE_WAIT)
                return json.loads(self.store.get(key))
            except (dist.DistStoreError, RuntimeError) as err:
                if "timeout" not in str(err).lower():
                    raise

    # -- collectives ----------------------------------------------------------------------------------------
    def gather(self, obj) -> list:
        out: list = [None] * self.world
        self.guard("gathering results", dist.all_gather_object, out, obj, self.cpu)
        return out

    def local(self, phase: str, fn, *args):
        """fn(*args): this rank's local part of `phase` (no collectives inside), then one gather of (error, result):
        a rank that raised makes every rank raise the same coded error at once (rank_error), never a wait for
        --dist-timeout in the next collective. -> every rank's result."""
        err: BaseException | None = None
        out = None
        try:
            maybe_raise(phase, self.rank)
            out = fn(*args)
        except Exception as e:  # noqa: BLE001 - reported to every rank below
            err = e
            traceback.print_exc(file=sys.stderr)
        parts = self.gather((None if err is None else _summary(err), out))
        if isinstance(err, ApiError):
            raise err  # a coded error of this rank's own (the other ranks answer theirs)
        for r, (summary, _) in enumerate(parts):
            if summary is not None:
                raise rank_error(r, phase, summary) from err
        return [o for _, o in parts]

    def acknowledge(self, ok: bool) -> list[int]:
        """-> ranks whose call failed (all-reduced flags: every rank learns who)."""
        flags = torch.zeros(self.world, dtype=torch.int32)
        flags[self.rank] = 0 if ok else 1
        self.guard("acknowledging a call", dist.all_reduce, flags, dist.ReduceOp.SUM, self.cpu)
        return [r for r in range(self.world) if flags[r]]

    def sum_grads(self, params: list[torch.nn.Parameter]) -> None:
        """Sum the gradients over ranks in flat buckets; a parameter without a gradient counts as zeros."""
        for p in params:
            if p.grad is None:
                p.grad = torch.zeros_like(p)
        i = 0
        while i < len(params):
            j, n = i, 0
            while j < len(params) and (j == i or n + params[j].numel() <= FLAT_BUCKET):
                n += params[j].numel()
                j += 1
            group = params[i:j]
            flat = torch.cat([p.grad.reshape(-1) for p in group])  # (n,)
            self.guard("summing gradients", dist.all_reduce, flat)
            k = 0
            for p in group:
                p.grad.copy_(flat[k: k + p.numel()].view_as(p.grad))
                k += p.numel()
            i = j

    def sum_stats(self, stats: dict, keep: tuple[str, ...], maxed: tuple[str, ...]) -> dict:
        """Per-rank step stats (each already divided by the whole batch's counts) -> the batch's: numbers are
        summed, `keep` (whole-batch counts) kept, `maxed` maximised."""
        parts = self.gather(stats)
        out = dict(stats)
        for k, v in stats.items():
            if k in keep or not isinstance(v, (int, float)) or isinstance(v, bool):
                continue
            vals = [p[k] for p in parts]
            out[k] = max(vals) if k in maxed else type(v)(sum(vals))
        return out

    def close(self) -> None:
        try:
            dist.destroy_process_group()
        except Exception:  # noqa: BLE001 - a broken group has nothing left to close
            pass


def watch_parent() -> None:
    """torchrun starts each rank in its own session: a rank whose agent is gone (killed) exits too."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(3)

    threading.Thread(target=watch, daemon=True, name="molrl-parent-watch").start()


def maybe_fault(call: str, rank: int) -> None:
    specs = os.environ.get(FAULT_ENV, "").split(",")
    if not any(specs):
        return
    _calls[call] = _calls.get(call, 0) + 1
    hits = (f"exit:{call}:{rank}:{_calls[call]}", f"exit:{call}:{rank}" if _calls[call] == 1 else None)
    for spec in (x for x in specs if x in hits):
        log(f"rank {rank}: fault injection ({FAULT_ENV}={spec}): exiting on {call}")
        os._exit(1)


def maybe_raise(phase: str, rank: int) -> None:
    if f"raise:{phase}:{rank}" in os.environ.get(FAULT_ENV, "").split(",") and not _calls.get("raise:" + phase):
        _calls["raise:" + phase] = 1
        raise RuntimeError(f"fault injection ({FAULT_ENV}): rank {rank} raises in its {phase}")


def encode_args(call: str, args: tuple) -> list:
    """The JSON form of an engine call's arguments (a Sampling travels as its fields)."""
    return [dataclasses.asdict(a) if isinstance(a, Sampling) else a for a in args]


def decode_args(call: str, args: list) -> list:
    if call == "generate":
        args = list(args)
        args[2] = Sampling(**args[2])
    return args


def run_call(engine, call: str, args: list):
    if call in ("load_checkpoint", "save_checkpoint"):
        from . import checkpoint

        if call == "save_checkpoint":  # sharded weights: every rank gathers, rank 0 writes
            return checkpoint.save(engine, *args, write=engine.ranks.rank == 0)
        return checkpoint.load(engine, *args)
    return getattr(engine, call)(*args)


def lead(engine, ranks: Ranks, call: str, args: tuple, sent: tuple | None = None):
    """Rank 0: post `call` (with `sent`, the arguments without local callbacks), run it here with `args`, and
    learn whether every rank ran it."""
    rid = None
    if call == "generate":
        rid = engine.rollout_id = "r-" + uuid.uuid4().hex[:16]
    ranks.post(call, encode_args(call, sent if sent is not None else args), rid)
    maybe_fault(call, 0)
    err: BaseException | None = None
    try:
        out = run_call(engine, call, list(args))
    except BaseException as e:
        if is_rank_failure(e):
            raise  # noqa: BLE001 - answered below, after the ranks agreed
        err = e
    failed = [r for r in ranks.acknowledge(err is None) if r != 0]
    if failed:
        ranks.failed = f"{call} failed on rank(s) {failed} (their log says why)"
        raise rank_failed(ranks.failed) from err
    if err is not None:
        raise err
    return out


class Leader:
    """Rank 0's view of its engine for the HTTP server: model calls go to every rank (lead); reads stay local."""

    def __init__(self, engine, ranks: Ranks) -> None:
        self.engine, self.ranks = engine, ranks

    def __getattr__(self, name: str):
        return getattr(self.engine, name)

    def generate(self, prompts, n, s, seed, on_start=None, on_finish=None, kv_cache=True, template_kwargs=None):
        return lead(self.engine, self.ranks, "generate", (prompts, n, s, seed, on_start, on_finish, kv_cache,
                                                           template_kwargs),
                    (prompts, n, s, seed, None, None, kv_cache, template_kwargs))

    def train_policy(self, req: dict) -> dict:
        return lead(self.engine, self.ranks, "train_policy", (req,))

    def train_mol(self, req: dict, log_fn=None) -> dict:
        return lead(self.engine, self.ranks, "train_mol", (req, log_fn) if log_fn else (req,), (req,))

    def start_phase(self, req: dict) -> dict:
        return lead(self.engine, self.ranks, "start_phase", (req,))

    def load_checkpoint(self, path: str) -> dict:
        return lead(self.engine, self.ranks, "load_checkpoint", (path,))

    def save_checkpoint(self, path: str) -> dict:
        """Replicas: rank 0 writes its own; sharded weights: every rank takes part in gathering them."""
        if self.engine.policy.root is None:
            from . import checkpoint

            return checkpoint.save(self.engine, path)
        return lead(self.engine, self.ranks, "save_checkpoint", (path,))


def follow(engine, ranks: Ranks) -> int:
    """A follower's life: replay rank 0's engine calls until the group breaks or the process is stopped."""
    log(f"rank {ranks.rank}/{ranks.world} following rank 0 ({ranks.backend})")
    while True:
        try:
            cmd = ranks.next_command()
        except Exception as err:  # noqa: BLE001 - the store (the launcher's agent) is gone
            log(f"rank {ranks.rank}: lost the command channel ({err}); exiting")
            return 3
        call = cmd["call"]
        maybe_fault(call, ranks.rank)
        ok = True
        try:
            engine.rollout_id = cmd.get("rid")
            run_call(engine, call, decode_args(call, cmd["args"]))
        except ApiError as err:
            if is_rank_failure(err):
                log(f"rank {ranks.rank}: {err.message}")
                return 3
            # any other coded error: rank 0 raises the same one on the same replica and answers it
        except Exception:  # noqa: BLE001 - reported to rank 0 through the acknowledgement
            traceback.print_exc(file=sys.stderr)
            ok = False
        try:
            ranks.acknowledge(ok)
        except ApiError as err:
            log(f"rank {ranks.rank}: {err.message}")
            return 3
