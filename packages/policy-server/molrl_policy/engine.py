"""The model-side state of one server: policy, optimizer, step counter, rollout store, RNG.

Every method here touches the model; the server calls them under one lock.
"""
from __future__ import annotations

import math
import random
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable

import torch

from . import reference
from .errors import ApiError, bad_request
from .gen_engine import EagerEngine, GenerationEngine
from .generate import Row, Sampling
from .losses import policy_step, trainer_logps
from .mol import encode_examples, mol_step
from .reattach import reattach_items
from .model import PolicyModel


def _opt(req: dict, key: str, default):
    """An optional request field; absent or null -> the default (as in the JSON Schemas)."""
    value = req.get(key)
    return default if value is None else value


@dataclass
class Rollout:
    """What train/policy needs of a generation: rows in canonical order and the sampling temperature."""

    rows: list[Row]
    temperature: float
    max_tokens: int
    # pi_old of several updates per rollout: row index -> the trainer's log-probs before the rollout's first update
    old: dict[int, list[float]] = field(default_factory=dict)


class RolloutStore:
    """Bounded LRU map rolloutId -> Rollout."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.items: OrderedDict[str, Rollout] = OrderedDict()

    def put(self, rid: str, r: Rollout) -> None:
        self.items[rid] = r
        self.items.move_to_end(rid)
        while len(self.items) > self.capacity:
            self.items.popitem(last=False)

    def get(self, rid: str) -> Rollout:
        if rid not in self.items:
            raise ApiError(404, "ROLLOUT_NOT_FOUND",
                           f'rollout "{rid}" is unknown or was evicted (the server keeps the last '
                           f"{self.capacity}); generate again", "rolloutId")
        self.items.move_to_end(rid)
        return self.items[rid]


class Engine:
    def __init__(self, policy: PolicyModel, lr: float = 3e-4, weight_decay: float = 0.0, seed: int = 0,
                 rollout_capacity: int = 64, micro_batch_tokens: int | None = None, kv_cache_bytes: int | None = None,
                 logits_chunk: int | None = None, generator: GenerationEngine | None = None) -> None:
        self.policy = policy
        self.generator = generator or EagerEngine()  # the generation engine (gen_engine.py): eager, static, vllm
        self.micro_batch_tokens = micro_batch_tokens  # default token budget of a train micro-batch (None: rows only)
        self.kv_cache_bytes = kv_cache_bytes  # KV-cache budget of one generation batch (None: 512 rows)
        self.logits_chunk = logits_chunk  # positions per output-head chunk (None: head.CHUNK_ELEMENTS / V)
        self.params = [p for p in policy.module.parameters() if p.requires_grad]
        self.opt = torch.optim.AdamW(self.params, lr=lr, weight_decay=weight_decay)
        self.base_lr = lr  # the rate of a step whose request names none (never the previous request's)
        self.step = 0
        self.rng = random.Random(seed)
        torch.manual_seed(seed)
        self.rollouts = RolloutStore(rollout_capacity)

    # -- generation -----------------------------------------------------------------------------
    def encode_prompt(self, p: dict, i: int, template_kwargs: dict | None = None) -> list[int]:
        tok = self.policy.tok
        if "messages" in p:
            kwargs = {**(template_kwargs or {}), **(p.get("chatTemplateKwargs") or {})}
            ids = tok.encode_messages(p["messages"], True, kwargs)
        else:
            ids = tok.encode_text(p["text"])
        ctx = self.policy.context
        if ctx is not None and len(ids) >= ctx:
            raise ApiError(400, "PROMPT_TOO_LONG",
                           f"prompt {p['id']!r} is {len(ids)} tokens; the model context is {ctx} and at least one "
                           f"token must be left to generate: shorten the prompt", f"prompts[{i}]")
        return ids

    def generate(self, prompts: list[dict], n: int, s: Sampling, seed: int | None,
                 on_start: Callable[[str], None] | None = None,
                 on_finish: Callable[[dict], None] | None = None, kv_cache: bool = True,
                 template_kwargs: dict | None = None) -> tuple[str, list[dict]]:
        ids = [self.encode_prompt(p, i, template_kwargs) for i, p in enumerate(prompts)]
        rid = self._new_rollout_id()
        if on_start:
            on_start(rid)
        seed = self.rng.randrange(2**62) if seed is None else seed
        pid = [p["id"] for p in prompts]

        def view(r: Row) -> dict:
            return {"promptId": pid[r.prompt_index], "index": r.index, "text": r.text,
                    "tokenCount": len(r.completion_ids), "finishReason": r.finish_reason}

        self.policy.module.eval()
        rows = self._generate_rows(ids, n, s, seed, (lambda r: on_finish(view(r))) if on_finish else None,
                                   kv_cache, self._generation_rows(ids, s.max_tokens))
        self.rollouts.put(rid, Rollout(rows, s.logp_temperature, s.max_tokens))
        return rid, [view(r) for r in rows]

    # -- the parts a data-parallel engine (distributed_engine.py) splits across ranks ------------------------
    def _new_rollout_id(self) -> str:
        return "r-" + uuid.uuid4().hex[:16]

    def _generate_rows(self, ids: list[list[int]], n: int, s: Sampling, seed: int,
                       on_row: Callable[[Row], None] | None, kv_cache: bool, max_batch: int) -> list[Row]:
        return self.generator.generate(self.policy, ids, n, s, seed, on_row, kv_cache=kv_cache, max_batch=max_batch)

    def _policy_step(self, items: list, **kw) -> dict:
        return policy_step(self.policy, items, **kw)

    def _mol_step(self, seqs: list, mode: str, micro: int, **kw) -> dict:
        return mol_step(self.policy, seqs, mode, micro, **kw)

    def _generation_rows(self, ids: list[list[int]], max_new: int) -> int:
        """Rows per generation batch: as many as the KV-cache budget holds at the longest prompt + max_new."""
        if not self.kv_cache_bytes:
            return 512
        per_row = self.policy.kv_bytes_per_token() * (max(len(x) for x in ids) + max_new)
        return max(1, self.kv_cache_bytes // per_row)

    # -- training -------------------------------------------------------------------------------
    def _apply(self, lr: float, max_grad_norm: float, loss: float) -> float:
        """Clip, set the learning rate, step; a non-finite loss or gradient skips the update (coded error)."""
        norm = torch.nn.utils.clip_grad_norm_(self.params, max_grad_norm)
        norm = float(norm.full_tensor() if hasattr(norm, "full_tensor") else norm)  # sharded: a DTensor
        if not (math.isfinite(norm) and math.isfinite(loss)):
            self.opt.zero_grad(set_to_none=True)
            raise ApiError(500, "NON_FINITE_LOSS", f"loss {loss} / gradient norm {norm} is not finite; the update was "
                           "skipped (weights unchanged): lower the learning rate or check the advantages")
        for g in self.opt.param_groups:
            g["lr"] = lr
        self.opt.step()
        self.step += 1
        self.opt.zero_grad(set_to_none=True)
        return norm

    def _policy_items(self, req: dict) -> tuple[list[tuple], list[tuple[Rollout, int]], int, Rollout, list[tuple]]:
        """The trained (prompt, completion, sampler log-probs, advantage) items of the request's rollouts (the first
        and `moreRollouts`), each with its (rollout, row index); skipped (null) count; the first rollout; the
        reattached items (`moreRollouts[].reattach`) as (item index, prompt ids to train under, weight cap)."""
        parts = [(req["rolloutId"], req["advantages"], "advantages", None)]
        parts += [(m["rolloutId"], m["advantages"], f"moreRollouts[{k}].advantages", m.get("reattach"))
                  for k, m in enumerate(_opt(req, "moreRollouts", []))]
        items, where, skipped, first, moved = [], [], 0, None, []
        for rid, adv, path, ra in parts:
            at = path[: -len("advantages")]  # "moreRollouts[k]." (reattach's paths)
            ro = self.rollouts.get(rid)
            first = first or ro
            if len(adv) != len(ro.rows):
                raise bad_request(f"{path} has {len(adv)} entries; rollout {rid!r} has {len(ro.rows)} completions "
                                  "(one advantage per completion, in order)", path)
            if ra is not None and len(ra["rows"]) != len(ro.rows):
                raise bad_request(f"{at}reattach.rows has {len(ra['rows'])} entries; rollout {rid!r} has "
                                  f"{len(ro.rows)} completions (one prompt row per completion, in order)",
                                  f"{at}reattach.rows")
            if ro.temperature != first.temperature:
                raise bad_request(f"rollout {rid!r} was sampled at temperature {ro.temperature}, rollout "
                                  f"{req['rolloutId']!r} at {first.temperature}: the rollouts of one step need one "
                                  "temperature", path)
            for i, (r, a) in enumerate(zip(ro.rows, adv)):
                if a is None:
                    skipped += 1
                else:
                    if ra is not None:
                        x = self._prompt_of(ra["rows"][i], f"{at}reattach.rows[{i}]")
                        moved.append((len(items), x, float(ra["weightCap"])))
                    items.append((r.prompt_ids, r.completion_ids, r.logps, float(a)))
                    where.append((ro, i))
        return items, where, skipped, first, moved

    def _prompt_of(self, ref: dict, path: str) -> list[int]:
        """The prompt ids of row `ref.row` of rollout `ref.rolloutId`."""
        ro = self.rollouts.get(ref["rolloutId"])
        if ref["row"] >= len(ro.rows):
            raise bad_request(f"row {ref['row']} of rollout {ref['rolloutId']!r}, which has {len(ro.rows)} completions",
                              path)
        return ro.rows[ref["row"]].prompt_ids

    def train_policy(self, req: dict) -> dict:
        t0 = time.perf_counter()
        items, where, skipped, ro, moved = self._policy_items(req)
        clip = req.get("clip") or {}
        max_len = _opt(req, "maxCompletionLength", ro.max_tokens)
        updates, minis = _opt(req, "updatesPerBatch", 1), _opt(req, "miniBatches", 1)  # mu, mini-batches per update
        if _opt(req, "tisCap", None) and (updates > 1 or minis > 1):
            raise bad_request(f"tisCap with updatesPerBatch {updates} / miniBatches {minis}: truncated importance "
                              "sampling is implemented for one update per rollout only; drop tisCap or use "
                              "updatesPerBatch 1 and miniBatches 1", "tisCap")
        out = {"step": self.step, "loss": 0.0, "kl": 0.0, "clipFraction": 0.0, "clipFractionLow": 0.0,
               "clipFractionHigh": 0.0, "approxKl": 0.0, "gradNorm": 0.0, "entropy": 0.0, "tokens": 0,
               "logprobMismatch": 0.0, "logprobMismatchMax": 0.0, "updates": 0}
        if items:
            opts = dict(loss_type=_opt(req, "lossType", "grpo"), low=_opt(clip, "low", 0.2),
                        high=_opt(clip, "high", 0.2), beta=_opt(req, "beta", 0.0), max_len=max_len,
                        micro=_opt(req, "microBatchSize", 8), temperature=ro.temperature, chunk=self.logits_chunk,
                        micro_tokens=_opt(req, "microBatchTokens", self.micro_batch_tokens),
                        tis_cap=_opt(req, "tisCap", None))
            lr = _opt(req, "learningRate", self.base_lr)
            max_norm = _opt(req, "maxGradNorm", 1.0)
            self.policy.module.train()
            if moved:  # regenerated under x + o, trained under x with the capped importance weight
                moved_items, weights = reattach_items(
                    self.policy, [items[k] for k, _, _ in moved], [x for _, x, _ in moved], [c for _, _, c in moved],
                    micro=opts["micro"], temperature=opts["temperature"], micro_tokens=opts["micro_tokens"],
                    chunk=opts["chunk"])
                for (k, _, _), item in zip(moved, moved_items):
                    items[k] = item
                out["importanceWeightMean"] = sum(weights) / len(weights)
            if updates == 1 and minis == 1:  # one on-policy update: pi_old is the detached training log-prob
                out.update(self._update(items, opts, lr, max_norm))
                out["updates"] = 1
            else:
                out.update(self._several_updates(items, where, opts, lr, max_norm, updates, minis))
            out["learningRate"] = lr
            out["step"] = self.step
        out["skipped"] = skipped
        out["durationMs"] = (time.perf_counter() - t0) * 1000
        return out

    def _update(self, items: list[tuple], opts: dict, lr: float, max_norm: float, old_from_sampler: bool = False) -> dict:
        """One optimizer step on `items` -> the loss's stats and gradNorm."""
        self.opt.zero_grad(set_to_none=True)
        try:
            stats = self._policy_step(items, old_from_sampler=old_from_sampler, **opts)
        except BaseException:
            self.opt.zero_grad(set_to_none=True)
            raise
        stats["gradNorm"] = self._apply(lr, max_norm, stats["loss"])
        return stats

    def _several_updates(self, items, where, opts: dict, lr: float, max_norm: float, updates: int, minis: int) -> dict:
        """mu epochs over the rollout, each split into `minis` consecutive mini-batches, one optimizer step each,
        every ratio against pi_old: the trainer's log-probs before the rollout's first update, kept on the rollout
        (TRL num_iterations / steps_per_generation, verl ppo_epochs / ppo_mini_batch_size)."""
        missing = [k for k, (ro, i) in enumerate(where) if i not in ro.old]
        if missing:
            sub = [items[k] for k in missing]
            # whole completions (causal: a later, longer maxCompletionLength reuses the same pi_old)
            fresh = trainer_logps(self.policy, sub, max_len=max(len(c) for _, c, _, _ in sub), micro=opts["micro"],
                                  temperature=opts["temperature"], micro_tokens=opts["micro_tokens"],
                                  chunk=opts["chunk"])
            for k, lp in zip(missing, fresh):
                ro, i = where[k]
                ro.old[i] = lp
        olds = [ro.old[i] for ro, i in where]
        gaps = [abs(a - b) for (_, _, s, _), o in zip(items, olds) for a, b in zip(s, o)]  # sampler vs trainer
        train = [(p, c, o[:len(c)], a) for (p, c, _, a), o in zip(items, olds)]
        size = -(-len(train) // min(minis, len(train)))  # rows per mini-batch (the last may hold fewer)
        chunks = [train[k: k + size] for k in range(0, len(train), size)]
        runs = []
        for _ in range(updates):
            for chunk in chunks:
                st = self._update(chunk, opts, lr, max_norm, old_from_sampler=True)
                runs.append(st)
        N = max(1, sum(r["tokens"] for r in runs))
        mean = lambda k: sum(r[k] * r["tokens"] for r in runs) / N  # token-weighted over the updates  # noqa: E731
        return {"loss": sum(r["loss"] for r in runs) / len(runs), "kl": mean("kl"), "clipFraction": mean("clipFraction"),
                "clipFractionLow": mean("clipFractionLow"), "clipFractionHigh": mean("clipFractionHigh"),
                "approxKl": mean("approxKl"), "entropy": mean("entropy"),
                "gradNorm": sum(r["gradNorm"] for r in runs) / len(runs),
                "tokens": sum(min(len(c), opts["max_len"]) for _, c, _, _ in items),
                "logprobMismatch": sum(gaps) / max(1, len(gaps)), "logprobMismatchMax": max(gaps, default=0.0),
                "updates": len(runs)}

    def _mol_opts(self, req: dict) -> dict:
        return {"micro_tokens": _opt(req, "microBatchTokens", self.micro_batch_tokens), "chunk": self.logits_chunk}

    def train_mol(self, req: dict, log: Callable[[str], None] = lambda m: None) -> dict:
        t0 = time.perf_counter()
        seqs, cut = encode_examples(self.policy.tok, req["examples"], self.policy.context)
        if cut:
            log(f"train/mol: {cut} of {len(seqs)} examples truncated to the model context "
                f"({self.policy.context} tokens)")
        if _opt(req, "evalOnly", False):  # validation loss: forward only, no gradients, no optimizer step
            self.policy.module.eval()
            with torch.no_grad():
                stats = self._mol_step(seqs, _opt(req, "mode", "mol"), _opt(req, "microBatchSize", 8),
                                       backward=False, **self._mol_opts(req))
            stats.update(gradNorm=0.0, step=self.step, durationMs=(time.perf_counter() - t0) * 1000)
            return stats
        self.policy.module.train()
        self.opt.zero_grad(set_to_none=True)
        try:
            stats = self._mol_step(seqs, _opt(req, "mode", "mol"), _opt(req, "microBatchSize", 8),
                                   **self._mol_opts(req))
        except BaseException:
            self.opt.zero_grad(set_to_none=True)
            raise
        stats["learningRate"] = _opt(req, "learningRate", self.base_lr)
        stats["gradNorm"] = self._apply(stats["learningRate"], _opt(req, "maxGradNorm", 1.0), stats["loss"]) \
            if stats["ceTokens"] or stats["klTokens"] else 0.0
        stats["step"] = self.step
        stats["durationMs"] = (time.perf_counter() - t0) * 1000
        return stats

    # -- phases ---------------------------------------------------------------------------------
    def start_phase(self, req: dict) -> dict:
        """A training phase starts: optionally clear the optimizer's moments, and set the KL reference."""
        reset = bool(_opt(req, "resetOptimizer", False))
        if reset:
            self.opt.state.clear()  # Adam moments and step counts; param groups (the rate comes per step) stay
        if _opt(req, "reference", "base") == "phase-start":
            reference.take_snapshot(self.policy)
        else:
            reference.drop_snapshot(self.policy)
        return {"step": self.step, "reference": reference.current(self.policy), "optimizerReset": reset}
