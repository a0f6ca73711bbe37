"""The built-in tiny byte-level GPT with a KV cache, and the model-adapter interface shared with hf.py.

A `PolicyModel` is what generate.py, losses.py and mol.py see: a trainable module, a tokenizer, a full
forward for training (right-padded), a frozen reference forward, and prefill/decode/select for KV-cache
generation (left-padded prompts).
"""
from __future__ import annotations

import contextlib
import copy
import math
from dataclasses import asdict
from typing import Any

import torch
import torch.nn as nn
import torch.nn.functional as F

from .config import TinyConfig
from .tokenizer import VOCAB_SIZE, ByteTokenizer


class PolicyModel:
    """Adapter interface; see TinyPolicy and hf.HFPolicy."""

    spec: str  # the --model value
    device: torch.device
    tok: Any
    module: nn.Module  # what the optimizer trains (its requires_grad parameters)
    context: int | None  # most positions per sequence, None = unbounded
    lora: bool = False
    phase_ref: Any = None  # KL reference snapshot taken at a phase start (reference.py); None = the loaded model
    root: Any = None  # the FSDP root (distributed_fsdp.py) when the weights are sharded across ranks

    def run(self, fn, *args):
        """fn(*args): one computation on the weights (hidden states, heads); sharded weights: inside the FSDP
        root's forward, which gathers what the layers' own forwards do not (embeddings, head)."""
        if self.root is None:
            return fn(*args)
        from . import distributed_fsdp

        return distributed_fsdp.run(self, fn, *args)

    def gathered(self):
        """Within: this rank holds the whole weights (generation); only sharded weights need gathering."""
        if self.root is None:
            return contextlib.nullcontext()
        from . import distributed_fsdp

        return distributed_fsdp.gathered(self)

    def full_state_dict(self) -> dict[str, Any] | None:
        """Sharded weights: the whole state dict (a collective, every rank calls it); else None (save as held)."""
        if self.root is None:
            return None
        from . import distributed_fsdp

        return distributed_fsdp.full_state_dict(self)

    def logits(self, ids: torch.Tensor, attn: torch.Tensor) -> torch.Tensor:
        """Policy forward on right-padded ids (B, T) -> logits (B, T, V)."""
        raise NotImplementedError

    def ref_logits(self, ids: torch.Tensor, attn: torch.Tensor) -> torch.Tensor:
        """Reference-model forward (frozen copy / adapter disabled), no grad -> (B, T, V)."""
        raise NotImplementedError

    def hidden(self, ids: torch.Tensor, attn: torch.Tensor) -> torch.Tensor:
        """Policy forward on right-padded ids (B, T) -> final hidden states (B, T, D), before the output head."""
        raise NotImplementedError

    def ref_hidden(self, ids: torch.Tensor, attn: torch.Tensor) -> torch.Tensor:
        """Reference forward, no grad -> final hidden states (B, T, D)."""
        raise NotImplementedError

    def head(self) -> torch.Tensor:
        """The policy's output projection (V, D): logits = hidden @ head.T."""
        raise NotImplementedError

    def ref_head(self) -> torch.Tensor:
        raise NotImplementedError

    def kv_bytes_per_token(self) -> int:
        """KV-cache bytes one token of one sequence takes (generation batches are sized by it)."""
        raise NotImplementedError

    def save_weights(self, path: str, state: dict[str, Any] | None = None) -> list[str]:
        """Writes the weights (`state`: full_state_dict() of sharded weights) into checkpoint directory `path`
        (beside model.pt); returns the names written."""
        return []

    def load_weights(self, path: str) -> None:
        """Reads what save_weights wrote."""

    def full_last_logits(self, ids: torch.Tensor, attn: torch.Tensor) -> torch.Tensor:
        """No-KV-cache decoding (benchmarks): recompute the whole left-padded prefix -> last logits (B, V)."""
        with torch.no_grad():
            return self.logits(ids, attn)[:, -1]

    def prefill(self, ids: torch.Tensor, attn: torch.Tensor, max_new: int = 0) -> tuple[Any, torch.Tensor]:
        """Left-padded prompts (B, T) -> (cache state with room for max_new tokens, last logits (B, V))."""
        raise NotImplementedError

    def decode(self, state: Any, tokens: torch.Tensor) -> torch.Tensor:
        """Append one token per row (B,) to the cache -> next-token logits (B, V)."""
        raise NotImplementedError

    def select(self, state: Any, keep: torch.Tensor) -> Any:
        """Keep only rows `keep` (K,) of the cache."""
        raise NotImplementedError

    def checkpoint_state(self) -> dict[str, Any]:
        """Tensors to save: the trained weights (or adapter) and, for tiny, the reference."""
        raise NotImplementedError

    def load_checkpoint_state(self, state: dict[str, Any]) -> None:
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        """JSON-able model description stored in checkpoints and compared on load."""
        raise NotImplementedError

    def parameter_counts(self) -> tuple[int, int]:
        """(all parameters, trainable parameters)."""
        ps = list(self.module.parameters())
        return sum(p.numel() for p in ps), sum(p.numel() for p in ps if p.requires_grad)


class Block(nn.Module):
    def __init__(self, cfg: TinyConfig) -> None:
        super().__init__()
        self.n_head = cfg.n_head
        self.ln1 = nn.LayerNorm(cfg.d_model)
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model)
        self.ln2 = nn.LayerNorm(cfg.d_model)
        self.fc = nn.Linear(cfg.d_model, 4 * cfg.d_model)
        self.out = nn.Linear(4 * cfg.d_model, cfg.d_model)
        self.drop = nn.Dropout(cfg.dropout)

    def split(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        B, T, D = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(D, dim=-1)  # (B, T, D) each
        shape = (B, T, self.n_head, D // self.n_head)
        return (t.view(shape).transpose(1, 2) for t in (q, k, v))  # (B, H, T, hd)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """x (B, T, D), mask (B|1, 1, T, T) True = may attend -> (x, k, v)."""
        B, T, D = x.shape
        q, k, v = self.split(x)  # (B, H, T, hd)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(q.shape[-1])  # (B, H, T, T)
        att = att.masked_fill(~mask, float("-inf")).softmax(-1)
        y = (self.drop(att) @ v).transpose(1, 2).reshape(B, T, D)  # (B, T, D)
        x = x + self.drop(self.proj(y))
        x = x + self.drop(self.out(F.gelu(self.fc(self.ln2(x)))))
        return x, k, v

    def step(self, x: torch.Tensor, K: torch.Tensor, V: torch.Tensor, t: int, valid: torch.Tensor) -> torch.Tensor:
        """One decoding step. x (B, D); K, V (B, H, Tmax, hd) cache written at t; valid (B, t+1)."""
        B, D = x.shape
        H = self.n_head
        q, k, v = self.qkv(self.ln1(x)).split(D, dim=-1)  # (B, D) each
        K[:, :, t] = k.view(B, H, -1)
        V[:, :, t] = v.view(B, H, -1)
        q = q.view(B, H, 1, -1)  # (B, H, 1, hd)
        # Single-token attention as multiply-and-sum (much faster than bmm on this CPU).
        att = (q * K[:, :, : t + 1]).sum(-1) / math.sqrt(q.shape[-1])  # (B, H, t+1)
        att = att.masked_fill(~valid[:, None, :], float("-inf")).softmax(-1)
        y = (att.unsqueeze(-1) * V[:, :, : t + 1]).sum(2).reshape(B, D)  # (B, D)
        x = x + self.proj(y)
        return x + self.out(F.gelu(self.fc(self.ln2(x))))


class TinyGPT(nn.Module):
    """nanoGPT-style byte model: token + learned position embeddings, pre-LN blocks, tied output head."""

    def __init__(self, cfg: TinyConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.wte = nn.Embedding(VOCAB_SIZE, cfg.d_model)
        self.wpe = nn.Embedding(cfg.context, cfg.d_model)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(cfg.d_model)
        self.drop = nn.Dropout(cfg.dropout)
        g = torch.Generator().manual_seed(cfg.seed)
        for name, p in self.named_parameters():
            if p.dim() >= 2:
                std = 0.02 / math.sqrt(2 * cfg.n_layer) if name.endswith(("proj.weight", "out.weight")) else 0.02
                with torch.no_grad():
                    p.copy_(torch.randn(p.shape, generator=g) * std)
            elif name.endswith("bias"):
                nn.init.zeros_(p)

    def forward(self, ids: torch.Tensor, pos: torch.Tensor, mask: torch.Tensor, keep_kv: bool = False,
                hidden: bool = False):
        """ids, pos (B, T); mask (B|1, 1, T, T) -> logits (B, T, V) [and per-layer (k, v)]; hidden: ln_f output."""
        x = self.drop(self.wte(ids) + self.wpe(pos))  # (B, T, D)
        kvs = []
        for blk in self.blocks:
            x, k, v = blk(x, mask)
            if keep_kv:
                kvs.append((k, v))
        if hidden:
            return self.ln_f(x)  # (B, T, D)
        logits = self.ln_f(x) @ self.wte.weight.T  # (B, T, V)
        return (logits, kvs) if keep_kv else logits


def causal_mask(T: int, device: torch.device) -> torch.Tensor:
    return torch.ones(T, T, dtype=torch.bool, device=device).tril()[None, None]  # (1, 1, T, T)


def padded_mask(attn: torch.Tensor) -> torch.Tensor:
    """Left-padded key mask: causal, real keys only, plus the diagonal so pad rows never softmax over nothing."""
    T = attn.shape[1]
    eye = torch.eye(T, dtype=torch.bool, device=attn.device)
    return causal_mask(T, attn.device) & (attn[:, None, None, :] | eye)  # (B, 1, T, T)


class TinyCache:
    """Preallocated per-layer K, V (B, H, Tmax, hd), key validity (B, Tmax), next positions (B,)."""

    def __init__(self, K, V, valid, pos, t):
        self.K, self.V, self.valid, self.pos, self.t = K, V, valid, pos, t


class TinyPolicy(PolicyModel):
    """Adapter for TinyGPT; the reference is a frozen copy of the initial weights."""

    def __init__(self, cfg: TinyConfig, device: str = "cpu", spec: str = "tiny") -> None:
        self.spec = spec
        self.cfg = cfg
        self.device = torch.device(device)
        self.tok = ByteTokenizer()
        self.context = cfg.context
        self.module = TinyGPT(cfg).to(self.device)
        self.ref = copy.deepcopy(self.module).eval()
        for p in self.ref.parameters():
            p.requires_grad_(False)

    def _pos(self, attn: torch.Tensor) -> torch.Tensor:
        return (attn.long().cumsum(1) - 1).clamp(min=0)  # (B, T)

    def logits(self, ids, attn):
        return self.module(ids, self._pos(attn), padded_mask(attn))

    def _ref_model(self) -> TinyGPT:
        """The reference: the phase-start snapshot when one is held, else the frozen initial weights."""
        return self.ref if self.phase_ref is None else self.phase_ref

    def ref_logits(self, ids, attn):
        with torch.no_grad():
            return self._ref_model()(ids, self._pos(attn), padded_mask(attn))

    def hidden(self, ids, attn):
        return self.module(ids, self._pos(attn), padded_mask(attn), hidden=True)

    def ref_hidden(self, ids, attn):
        with torch.no_grad():
            return self._ref_model()(ids, self._pos(attn), padded_mask(attn), hidden=True)

    def head(self):
        return self.module.wte.weight  # tied output head (V, D)

    def ref_head(self):
        return self._ref_model().wte.weight

    def kv_bytes_per_token(self) -> int:
        return 2 * self.cfg.n_layer * self.cfg.d_model * 4  # K and V, fp32

    def prefill(self, ids, attn, max_new: int = 0):
        B, T = ids.shape
        with torch.no_grad():
            logits, kvs = self.module(ids, self._pos(attn), padded_mask(attn), keep_kv=True)
        Tmax = T + max_new
        K, V = [], []
        for k, v in kvs:
            Kc = k.new_zeros(B, k.shape[1], Tmax, k.shape[3])  # (B, H, Tmax, hd)
            Vc = torch.zeros_like(Kc)
            Kc[:, :, :T] = k
            Vc[:, :, :T] = v
            K.append(Kc)
            V.append(Vc)
        valid = torch.zeros(B, Tmax, dtype=torch.bool, device=ids.device)
        valid[:, :T] = attn
        pos = attn.long().sum(1)  # (B,) next position per row
        return TinyCache(K, V, valid, pos, T), logits[:, -1]

    def decode(self, st: TinyCache, tokens):
        m = self.module
        t = st.t
        st.valid[:, t] = True
        with torch.no_grad():
            x = m.wte(tokens) + m.wpe(st.pos)  # (B, D)
            valid = st.valid[:, : t + 1]
            for blk, K, V in zip(m.blocks, st.K, st.V):
                x = blk.step(x, K, V, t, valid)
            logits = m.ln_f(x) @ m.wte.weight.T  # (B, V)
        st.t += 1
        st.pos = st.pos + 1
        return logits

    def select(self, st: TinyCache, keep):
        return TinyCache(
            [K.index_select(0, keep) for K in st.K], [V.index_select(0, keep) for V in st.V],
            st.valid.index_select(0, keep), st.pos.index_select(0, keep), st.t,
        )

    def checkpoint_state(self):
        return {"model": self.module.state_dict(), "reference": self.ref.state_dict()}

    def load_checkpoint_state(self, state):
        self.module.load_state_dict(state["model"])
        self.ref.load_state_dict(state["reference"])

    def describe(self):
        cfg = asdict(self.cfg)
        cfg.pop("seed")  # only the initial weights; the checkpoint holds the weights and the reference
        return {"kind": "tiny", "config": cfg}
