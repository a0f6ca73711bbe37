"""The engine of one data-parallel rank: generation and training steps split across ranks (distributed.py).

Rank r of W takes the contiguous part shard(B, W, r) of the prompts (generation) or of the batch (policy and
MoL steps). Generation: each rank samples its prompts with its own seed stream; rows are gathered in rank order,
which is the canonical order (prompt, then index). Steps: each rank's loss is divided by the whole batch's
counts (sequences, tokens), so the summed gradient equals the single-process one up to float summation order.
Replicas sum the gradients after the local micro-batches (Ranks.sum_grads); sharded weights (distributed_fsdp.py)
reduce-scatter them in every backward, so every rank runs as many micro-batches (fillers of weight 0 on the
ranks with fewer) and generation runs on the gathered weights.
A rank that raises in its local part (generation; replicas: the micro-batches) makes every rank raise the same
coded error at the next gather (Ranks.local); sharded weights have collectives inside the training forwards, so
there a rank failing in a step leaves the others in a collective until --dist-timeout (RANK_FAILED).
"""
from __future__ import annotations

from typing import Callable

from .distributed import Ranks, shard
from .engine import Engine
from .generate import Row, Sampling
from .head import micro_batches
from .losses import policy_step
from .mol import loss_micro_batches, loss_token_counts, mol_step

RANK_SEED_STRIDE = 1_000_003  # rank r samples with seed + r * stride (distinct streams, reproducible for one W)
MAX_STATS = ("logprobMismatchMax",)


class DataParallelEngine(Engine):
    def __init__(self, policy, ranks: Ranks, **kw) -> None:
        super().__init__(policy, **kw)
        self.ranks = ranks
        self.rollout_id: str | None = None  # set by rank 0 before a generation and sent with it to the followers

    @property
    def sharded(self) -> bool:
        return self.policy.root is not None

    def _new_rollout_id(self) -> str:
        rid = self.rollout_id or super()._new_rollout_id()
        self.rollout_id = None
        return rid

    def _generate_rows(self, ids: list[list[int]], n: int, s: Sampling, seed: int,
                       on_row: Callable[[Row], None] | None, kv_cache: bool, max_batch: int) -> list[Row]:
        part = shard(len(ids), self.ranks.world, self.ranks.rank)

        def local(r: Row) -> None:  # every row finishes once: shift its prompt index to the whole request's
            r.prompt_index += part.start
            if on_row:
                on_row(r)

        seed = (seed + self.ranks.rank * RANK_SEED_STRIDE) % 2**63
        with self.policy.gathered():  # sharded weights: gathered once here, then no collective per token
            parts = self.ranks.local("generate", self.generator.generate, self.policy, ids[part.start: part.stop], n,
                                     s, seed, local, kv_cache, max_batch)
        rows: list[Row] = []
        for r, rank_rows in enumerate(parts):
            rows.extend(rank_rows)
            if on_row and r != self.ranks.rank:
                for row in rank_rows:
                    on_row(row)
        return rows

    def _fill(self, counts: list[int]) -> int:
        """Filler micro-batches this rank runs so that every rank runs max(counts) (sharded weights only)."""
        return max(counts) - counts[self.ranks.rank] if self.sharded else 0

    def _policy_step(self, items: list, **kw) -> dict:
        max_len = kw["max_len"]
        totals = (len(items), sum(min(len(c), max_len) for _, c, _, _ in items))  # B, N of the whole batch
        parts = [items[p.start: p.stop] for p in (shard(len(items), self.ranks.world, r)
                                                   for r in range(self.ranks.world))]
        counts = [len(micro_batches([len(p) + min(len(c), max_len) for p, c, _, _ in part], kw["micro"],
                                    kw["micro_tokens"])) for part in parts]
        mine = parts[self.ranks.rank]
        step = lambda: policy_step(self.policy, mine, totals=totals, fill=self._fill(counts),  # noqa: E731
                                   filler=items[:1], **kw)
        if self.sharded:  # collectives inside the forwards; the gradients are reduced in the backwards
            return self.ranks.sum_stats(step(), keep=("tokens",), maxed=MAX_STATS)
        stats = self.ranks.local("policy_step", step)[self.ranks.rank]
        self.ranks.sum_grads(self.params)
        return self.ranks.sum_stats(stats, keep=("tokens",), maxed=MAX_STATS)

    def _mol_step(self, seqs: list, mode: str, micro: int, backward: bool = True, **kw) -> dict:
        totals = loss_token_counts(seqs, mode)
        parts = [seqs[p.start: p.stop] for p in (shard(len(seqs), self.ranks.world, r)
                                                 for r in range(self.ranks.world))]
        plans = [loss_micro_batches(part, mode, micro, kw.get("micro_tokens")) for part in parts]
        filler = next(([part[i] for i in plan[0]][:1] for part, plan in zip(parts, plans) if plan), [])
        mine = parts[self.ranks.rank]
        step = lambda: mol_step(self.policy, mine, mode, micro, backward=backward, totals=totals,  # noqa: E731
                                fill=self._fill([len(p) for p in plans]), filler=filler, **kw)
        if self.sharded:
            return self.ranks.sum_stats(step(), keep=("ceTokens", "klTokens"), maxed=())
        stats = self.ranks.local("mol_step", step)[self.ranks.rank]
        if backward:
            self.ranks.sum_grads(self.params)
        return self.ranks.sum_stats(stats, keep=("ceTokens", "klTokens"), maxed=())
