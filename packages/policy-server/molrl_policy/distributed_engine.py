"""The engine of one data-parallel rank: generation and training steps split across ranks (distributed.py).

Rank r of W takes the contiguous part shard(B, W, r) of the prompts (generation) or of the batch (policy and
MoL steps). Generation: each rank samples its prompts with its own seed stream; rows are gathered in rank order,
which is the canonical order (prompt, then index). Steps: each rank's loss is divided by the whole batch's
counts (sequences, tokens), so the summed gradient equals the single-process one up to float summation order.
"""
from __future__ import annotations

from typing import Callable

from .distributed import Ranks, shard
from .engine import Engine
from .generate import Row, Sampling
from .losses import policy_step
from .mol import loss_token_counts, mol_step

RANK_SEED_STRIDE = 1_000_003  # rank r samples with seed + r * stride (distinct streams, reproducible for one W)
MAX_STATS = ("logprobMismatchMax",)


class DataParallelEngine(Engine):
    def __init__(self, policy, ranks: Ranks, **kw) -> None:
        super().__init__(policy, **kw)
        self.ranks = ranks
        self.rollout_id: str | None = None  # set by rank 0 before a generation and sent with it to the followers

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
        mine = self.generator.generate(self.policy, ids[part.start: part.stop], n, s, seed, local, kv_cache=kv_cache,
                                       max_batch=max_batch)
        parts = self.ranks.gather(mine)
        rows: list[Row] = []
        for r, rank_rows in enumerate(parts):
            rows.extend(mine if r == self.ranks.rank else rank_rows)
            if on_row and r != self.ranks.rank:
                for row in rank_rows:
                    on_row(row)
        return rows

    def _policy_step(self, items: list, **kw) -> dict:
        max_len = kw["max_len"]
        totals = (len(items), sum(min(len(c), max_len) for _, c, _, _ in items))  # B, N of the whole batch
        part = shard(len(items), self.ranks.world, self.ranks.rank)
        stats = policy_step(self.policy, items[part.start: part.stop], totals=totals, **kw)
        self.ranks.sum_grads(self.params)
        return self.ranks.sum_stats(stats, keep=("tokens",), maxed=MAX_STATS)

    def _mol_step(self, seqs: list, mode: str, micro: int, backward: bool = True, **kw) -> dict:
        totals = loss_token_counts(seqs, mode)
        part = shard(len(seqs), self.ranks.world, self.ranks.rank)
        stats = mol_step(self.policy, seqs[part.start: part.stop], mode, micro, backward=backward, totals=totals, **kw)
        if backward:
            self.ranks.sum_grads(self.params)
        return self.ranks.sum_stats(stats, keep=("ceTokens", "klTokens"), maxed=())
