"""Fixed-shape decoders for the `static` engine: a KV cache of B rows x Tmax positions allocated once, a prefill,
and a decode step whose tensors keep their shapes and addresses from step to step (what CUDA graphs need).

- `prefill(ids, attn)`: left-padded prompts (B, T) fill cache positions [0, T) -> last logits (B, V).
- `step(fn, tokens, pos, width)`: writes cache position `self.t` (a device tensor, advanced in place) and attends
  over the first `width` positions (a multiple of the bucket: the cache is read up to the current length rounded
  up, not to Tmax) -> logits (B, V). `pos` (B,) are the rows' own positions (left padding). `fn` is `run_step` or
  its compiled form; the width reaches it only as the mask's last dimension, marked dynamic, so that one compiled
  graph serves every width (CUDA graphs then record one replay per width, which costs no compilation).
Keys a row may see: its prompt's real tokens and every generated position up to t; everything else is masked.

HF models run their own modules on a transformers `StaticCache` with a 4-D additive mask, through one attention
function registered with transformers (`molrl_static`): the keys are cut to the mask's width and, for one query
token, grouped-query heads attend as (B, KV heads, group, D) without repeating K and V. Longer queries (prefill)
go to the model's own attention implementation. The built-in tiny model has a decoder of its own here.
"""
from __future__ import annotations

import contextlib
import math

import torch
import torch.nn.functional as F

from .config import ConfigError

ATTENTION_NAME = "molrl_static"
_BASE_ATTENTION: dict[str, object] = {}
_BASE_OF: dict[int, str] = {}  # id(model config) -> the attention implementation longer queries go to


def round_up(x: int, m: int) -> int:
    return -(-x // m) * m


class StaticDecoder:
    """Shared state: rows B, positions Tmax, key validity (B, Tmax), the next cache position t (1,)."""

    def __init__(self, B: int, Tmax: int, device: torch.device) -> None:
        self.B, self.Tmax, self.device = B, Tmax, device
        self.valid = torch.ones(B, Tmax, dtype=torch.bool, device=device)  # (B, Tmax) keys a row may see
        self.cols = torch.arange(Tmax, device=device)  # (Tmax,)
        self.t = torch.zeros(1, dtype=torch.long, device=device)  # next cache position

    def _reset(self, attn: torch.Tensor) -> None:
        T = attn.shape[1]
        self.valid.fill_(True)
        self.valid[:, :T] = attn
        self.t.fill_(T)

    def step_mask(self, width: int) -> torch.Tensor:
        """(B, width) bool: the keys each row sees when writing position t."""
        return self.valid[:, :width] & (self.cols[:width] <= self.t)


# -- Hugging Face models ------------------------------------------------------------------------------------------
def _static_attention(module, query, key, value, attention_mask, scaling=None, dropout=0.0, **kwargs):
    """query (B, H, q, D), key/value (B, KVH, Tmax, D), attention_mask (B, 1, q, L) additive -> (B, q, H, D)."""
    L = attention_mask.shape[-1]
    key, value = key[:, :, :L], value[:, :, :L]
    groups = getattr(module, "num_key_value_groups", 1)
    if query.shape[2] != 1 or groups == 1:
        base = _BASE_ATTENTION[_BASE_OF.get(id(module.config), "sdpa")]
        return base(module, query, key, value, attention_mask, scaling=scaling, dropout=0.0, **kwargs)
    B, H, _, D = query.shape
    q = query.reshape(B, H // groups, groups, D)  # query head h = kv head h // groups, as repeat_kv
    out = F.scaled_dot_product_attention(q, key, value, attn_mask=attention_mask, scale=scaling)  # (B, KVH, g, D)
    return out.reshape(B, 1, H, D), None


def _register_attention() -> None:
    if _BASE_ATTENTION:
        return
    from transformers import AttentionInterface
    from transformers.modeling_utils import ALL_ATTENTION_FUNCTIONS

    try:
        from transformers.models.llama.modeling_llama import eager_attention_forward
    except ImportError as err:  # pragma: no cover - every transformers 5 has it
        raise ConfigError(f"--engine static: transformers has no eager attention to fall back on ({err})") from err
    _BASE_ATTENTION["eager"] = eager_attention_forward
    _BASE_ATTENTION["sdpa"] = ALL_ATTENTION_FUNCTIONS["sdpa"]
    AttentionInterface.register(ATTENTION_NAME, _static_attention)


class HFStaticDecoder(StaticDecoder):
    """An hf.HFPolicy on a transformers StaticCache; generation runs with the `molrl_static` attention."""

    def __init__(self, policy, B: int, Tmax: int) -> None:
        import transformers

        super().__init__(B, Tmax, policy.device)
        self.policy = policy
        cfg = policy.base_model.config
        text = cfg.get_text_config(decoder=True) if hasattr(cfg, "get_text_config") else cfg
        kinds = set(getattr(text, "layer_types", None) or ["full_attention"])
        if kinds != {"full_attention"}:
            raise ConfigError(f"--engine static: layer types {sorted(kinds)} (sliding or linear attention) are not "
                              "supported; use --engine eager")
        base = cfg._attn_implementation or "sdpa"
        if base not in ("sdpa", "eager", ATTENTION_NAME):
            raise ConfigError(f"--engine static needs --attn-implementation sdpa or eager (the model uses {base!r}); "
                              "or use --engine eager")
        _register_attention()
        if base != ATTENTION_NAME:
            _BASE_OF[id(cfg)] = base
        for sub in policy.base_model.modules():  # attention layers may hold sub-configs of their own
            if getattr(sub, "config", None) is not None and sub.config is not cfg and base != ATTENTION_NAME:
                _BASE_OF[id(sub.config)] = base
        self.cache = transformers.StaticCache(config=cfg, max_cache_len=Tmax)
        self.kw = policy.cache_kw
        self.dtype = policy.compute_dtype
        self.neg = torch.finfo(self.dtype).min

    def _additive(self, allowed: torch.Tensor) -> torch.Tensor:
        """allowed (B, q, L) bool -> (B, 1, q, L) additive mask in the compute dtype."""
        zero = torch.zeros((), dtype=self.dtype, device=allowed.device)
        return torch.where(allowed, zero, torch.full_like(zero, self.neg))[:, None]

    @contextlib.contextmanager
    def _use(self):
        """The model's attention is `molrl_static` inside (restored afterwards: nothing saved ever names it)."""
        cfg = self.policy.base_model.config
        old = cfg._attn_implementation
        cfg._attn_implementation = ATTENTION_NAME
        try:
            yield
        finally:
            cfg._attn_implementation = old

    def prefill(self, ids: torch.Tensor, attn: torch.Tensor) -> torch.Tensor:
        T = ids.shape[1]
        self._reset(attn)
        for layer in getattr(self.cache, "layers", []):
            if getattr(layer, "is_initialized", False):
                layer.cumulative_length.zero_()
        eye = torch.eye(T, dtype=torch.bool, device=ids.device)
        allowed = torch.ones(T, T, dtype=torch.bool, device=ids.device).tril() & (attn[:, None, :] | eye)  # (B, T, T)
        pos = (attn.long().cumsum(1) - 1).clamp(min=0)  # (B, T)
        with torch.no_grad(), self._use(), self.policy._ctx():
            out = self.policy.module(input_ids=ids, attention_mask=self._additive(allowed), position_ids=pos,
                                     use_cache=True, logits_to_keep=1, **{self.kw: self.cache})
        return out.logits[:, -1].float()

    def run_step(self, tokens: torch.Tensor, pos: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """The decode step proper (what is compiled): tokens, pos (B,), mask (B, 1, 1, width) -> logits (B, V)."""
        out = self.policy.module(input_ids=tokens[:, None], attention_mask=mask, position_ids=pos[:, None],
                                 use_cache=True, logits_to_keep=1, **{self.kw: self.cache})
        return out.logits[:, -1].float()

    def step(self, fn, tokens: torch.Tensor, pos: torch.Tensor, width: int) -> torch.Tensor:
        mask = self._additive(self.step_mask(width)[:, None, :])  # (B, 1, 1, width)
        torch._dynamo.maybe_mark_dynamic(mask, 3)  # one compiled graph for every width (CUDA graphs: one per width)
        with torch.no_grad(), self._use(), self.policy._ctx():
            logits = fn(tokens, pos, mask)
        self.t.add_(1)
        return logits


# -- the built-in tiny model --------------------------------------------------------------------------------------
class TinyStaticDecoder(StaticDecoder):
    """model.TinyPolicy: per-layer K, V (B, H, Tmax, hd); the same arithmetic as Block.step over masked keys."""

    def __init__(self, policy, B: int, Tmax: int) -> None:
        super().__init__(B, Tmax, policy.device)
        self.policy = policy
        cfg = policy.cfg
        hd = cfg.d_model // cfg.n_head
        self.K = [torch.zeros(B, cfg.n_head, Tmax, hd, device=policy.device) for _ in range(cfg.n_layer)]
        self.V = [torch.zeros_like(k) for k in self.K]

    def prefill(self, ids: torch.Tensor, attn: torch.Tensor) -> torch.Tensor:
        from .model import padded_mask

        T = ids.shape[1]
        self._reset(attn)
        pos = (attn.long().cumsum(1) - 1).clamp(min=0)  # (B, T)
        with torch.no_grad():
            logits, kvs = self.policy.module(ids, pos, padded_mask(attn), keep_kv=True)
        for (k, v), K, V in zip(kvs, self.K, self.V):
            K[:, :, :T] = k
            V[:, :, :T] = v
        return logits[:, -1]

    def run_step(self, tokens: torch.Tensor, pos: torch.Tensor, seen: torch.Tensor) -> torch.Tensor:
        """tokens, pos (B,), seen (B, 1, width) bool -> logits (B, V)."""
        m = self.policy.module
        B, width = tokens.shape[0], seen.shape[-1]
        x = m.wte(tokens) + m.wpe(pos.clamp(max=self.policy.cfg.context - 1))  # (B, D)
        for blk, K, V in zip(m.blocks, self.K, self.V):
            D, H = x.shape[1], blk.n_head
            q, k, v = blk.qkv(blk.ln1(x)).split(D, dim=-1)  # (B, D) each
            K.index_copy_(2, self.t, k.view(B, H, 1, -1))
            V.index_copy_(2, self.t, v.view(B, H, 1, -1))
            q = q.view(B, H, 1, -1)  # (B, H, 1, hd)
            att = (q * K[:, :, :width]).sum(-1) / math.sqrt(q.shape[-1])  # (B, H, width)
            att = att.masked_fill(~seen, float("-inf")).softmax(-1)
            y = (att.unsqueeze(-1) * V[:, :, :width]).sum(2).reshape(B, D)  # (B, D)
            x = x + blk.proj(y)
            x = x + blk.out(F.gelu(blk.fc(blk.ln2(x))))
        return m.ln_f(x) @ m.wte.weight.T  # (B, V)

    def step(self, fn, tokens: torch.Tensor, pos: torch.Tensor, width: int) -> torch.Tensor:
        seen = self.step_mask(width)[:, None, :]  # (B, 1, width)
        torch._dynamo.maybe_mark_dynamic(seen, 2)
        with torch.no_grad():
            logits = fn(tokens, pos, seen)
        self.t.add_(1)
        return logits


def make_decoder(policy, B: int, Tmax: int) -> StaticDecoder:
    from .model import TinyPolicy

    if isinstance(policy, TinyPolicy):
        return TinyStaticDecoder(policy, B, Tmax)
    if hasattr(policy, "cache_kw"):
        return HFStaticDecoder(policy, B, Tmax)
    raise ConfigError(f"--engine static does not support {type(policy).__name__}; use --engine eager")
