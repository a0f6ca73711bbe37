"""The `static` generation engine (default on CUDA): a KV cache allocated once per batch shape, a decode step whose
shapes never change (compiled on CUDA with torch.compile(mode="reduce-overhead"): CUDA graphs, one per width
bucket), sampling on the device, and the host looking at the tokens only every `sync_every` steps.

Why not transformers' `generate(cache_implementation="static")`: it cannot return pi_old (the log-prob of each
sampled token at the sampling temperature, before top-k / top-p) without keeping (steps, B, V) logits, has no
presence penalty, and draws from the global RNG; this loop shares the eager reference's sampling semantics
(device_sampling.py) and its stop / EOS / length rules, and streams finished rows the same way.

Finished rows stay in the batch, masked (their next tokens are PAD and ignored): dropping them would change the
shapes of a captured step. The host reads the new tokens every `sync_every` steps: it applies the stop strings
(the tokens a row drew after its stop are discarded, which is exactly what stopping earlier would have kept, as
rows never see each other), hands finished rows to `on_finish`, and ends the batch once every row is done.
"""
from __future__ import annotations

from typing import Callable

import torch

from .device_sampling import DeviceSampler
from .gen_engine import EagerEngine, GenerationEngine
from .generate import Row, Sampling, _finish_text, _stop_hit, left_pad
from .static_decoders import make_decoder, round_up


def _raise_recompile_limit(n: int) -> None:
    cfg = torch._dynamo.config
    for name in ("recompile_limit", "cache_size_limit"):
        if hasattr(cfg, name) and getattr(cfg, name) < n:
            setattr(cfg, name, n)


class StaticEngine(GenerationEngine):
    name = "static"

    def __init__(self, policy, compile: bool | None = None, sync_every: int = 16, bucket: int = 64,
                 row_bucket: int = 8, backend: str = "inductor") -> None:
        self.compile = policy.device.type == "cuda" if compile is None else compile
        self.backend = backend  # torch.compile backend (tests trace through dynamo with "aot_eager": no codegen)
        self.sync_every = max(1, sync_every)  # decode steps between host syncs
        self.bucket = max(1, bucket)  # attention reads the cache up to the current length rounded up to this
        self.row_bucket = max(1, row_bucket)  # rows per batch rounded up to this: fewer shapes to compile
        self._key: tuple[int, int] | None = None
        self._dec = None
        self._fn: Callable | None = None
        make_decoder(policy, 1, self.bucket)  # refuses an unsupported model at start, not at the first request
        if self.compile:
            _raise_recompile_limit(256)  # one graph per (rows, Tmax, width bucket)

    def describe(self) -> dict:
        return {"engine": self.name, "compiled": self.compile}

    def _decoder(self, policy, B: int, Tmax: int):
        """The decoder of shape (B, Tmax) and its step function; the last one is kept (cache and graphs reused)."""
        if self._key != (B, Tmax):
            self._dec = self._fn = None  # free the old cache first
            dec = make_decoder(policy, B, Tmax)
            fn = dec.run_step
            if self.compile:
                for t in (dec.valid, dec.cols, dec.t, *getattr(dec, "K", ()), *getattr(dec, "V", ())):
                    torch._dynamo.mark_static_address(t)
                mode = "reduce-overhead" if policy.device.type == "cuda" and self.backend == "inductor" else None
                fn = torch.compile(fn, backend=self.backend, mode=mode, dynamic=False)
            self._key, self._dec, self._fn = (B, Tmax), dec, fn
        return self._dec, self._fn

    def generate(self, policy, prompts, n, s, seed, on_finish=None, kv_cache=True, max_batch=512):
        if not kv_cache:  # the no-cache path exists for benchmarks: it is the reference loop's
            return EagerEngine().generate(policy, prompts, n, s, seed, on_finish, kv_cache=False, max_batch=max_batch)
        rows = [Row(p, i, list(ids)) for p, ids in enumerate(prompts) for i in range(n)]
        gen = torch.Generator(device=policy.device).manual_seed(seed)
        for start in range(0, len(rows), max_batch):
            self._batch(policy, rows[start: start + max_batch], s, gen, on_finish)
        return rows

    def _batch(self, policy, rows: list[Row], s: Sampling, gen: torch.Generator, on_finish) -> None:
        tok, dev = policy.tok, policy.device
        R = len(rows)
        B = round_up(R, self.row_bucket)  # rows R..B-1 are empty and done from the start
        limits = [s.max_tokens if policy.context is None else min(s.max_tokens, policy.context - len(r.prompt_ids))
                  for r in rows]
        ids, attn = left_pad([r.prompt_ids for r in rows] + [[]] * (B - R), tok.pad_id, dev)  # (B, T)
        T, max_new = ids.shape[1], max(limits)
        Tmax = round_up(T + max_new, self.bucket) + 1  # + 1: no width equals Tmax, which a compiled step special-cases
        dec, fn = self._decoder(policy, B, Tmax)
        logits = dec.prefill(ids, attn)  # (B, V)
        pos = attn.long().sum(1)  # (B,) each row's next position
        limit = torch.tensor(limits + [0] * (B - R), device=dev)  # (B,)
        done = limit <= 0  # (B,)
        eos = torch.tensor(sorted(set(tok.eos_ids)) or [-1], device=dev)
        out_tok = torch.full((B, max_new), tok.pad_id, dtype=torch.long, device=dev)  # (B, N)
        out_lp = torch.zeros(B, max_new, device=dev)  # (B, N)
        seen = torch.zeros(B, tok.vocab_size, dtype=torch.bool, device=dev) if s.presence_penalty else None
        sampler = DeviceSampler(s, tok.vocab_size, tok.banned_ids, dev, gen)
        pad = torch.full((B,), tok.pad_id, dtype=torch.long, device=dev)
        open_rows = set(range(R))
        j0 = 0
        for j in range(max_new):
            nxt, lp = sampler(logits, seen)
            nxt = torch.where(done, pad, nxt)  # finished rows are masked
            out_tok[:, j] = nxt
            out_lp[:, j] = lp
            if seen is not None:
                seen.scatter_(1, nxt[:, None], True)
            done = done | torch.isin(nxt, eos) | (limit <= j + 1)
            last = j + 1 == max_new
            if j + 1 - j0 >= self.sync_every or last:
                stopped = self._collect(tok, rows, limits, open_rows, out_tok[:, j0: j + 1].tolist(),
                                        out_lp[:, j0: j + 1].tolist(), s, on_finish)
                if stopped:
                    done[torch.tensor(stopped, device=dev)] = True
                j0 = j + 1
                if not open_rows:
                    break
            if not last:
                width = min(Tmax, round_up(T + j + 1, self.bucket))  # position T + j is written, [0, T + j] read
                if self.compile and dev.type == "cuda":
                    torch.compiler.cudagraph_mark_step_begin()  # the last step's logits are consumed: reuse them
                logits = dec.step(fn, nxt, pos, width)
                pos = pos + 1

    @staticmethod
    def _collect(tok, rows: list[Row], limits: list[int], open_rows: set[int], toks: list[list[int]],
                 lps: list[list[float]], s: Sampling, on_finish) -> list[int]:
        """Host side of a sync: the rows' new tokens through the eager loop's rules -> rows ended by a stop string."""
        eos = set(tok.eos_ids)
        stops = [x for x in s.stop if x]
        window = 4 * max((len(x) for x in stops), default=0) + 4
        stopped = []
        for i in sorted(open_rows):
            r = rows[i]
            for t, lp in zip(toks[i], lps[i]):
                r.completion_ids.append(t)
                r.logps.append(lp)
                by_string = bool(stops) and _stop_hit(tok, r.completion_ids, stops, window)
                if t in eos or by_string:
                    r.finish_reason = "stop"
                elif len(r.completion_ids) >= limits[i]:
                    r.finish_reason = "length"
                else:
                    continue
                if by_string and t not in eos:
                    stopped.append(i)
                open_rows.discard(i)
                _finish_text(tok, r, stops)
                if on_finish:
                    on_finish(r)
                break
        return stopped
