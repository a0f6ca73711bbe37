"""Hugging Face causal LMs behind the PolicyModel interface (`hf:<path-or-id>`, `hf-random:<config>`).

transformers and peft are imported lazily: nothing here is needed for the tiny model. Weights load in bf16
on CUDA (fp32 on CPU); with `--lora-r R > 0` a PEFT LoRA adapter (all linear layers, alpha = R) is the only
trained part and the reference model is the base with the adapter disabled; with `--lora-r 0` the whole
model trains and the reference is a frozen copy.
"""
from __future__ import annotations

import copy
import json
import os
from typing import Any, Sequence

import torch

from . import reference
from .config import ConfigError
from .model import PolicyModel
from .tokenizer import ByteTokenizer

_SENTINEL = "\u2063molrl-segment\u2063"


def _require(name: str):
    try:
        return __import__(name)
    except ImportError as err:
        raise ConfigError(f"hf models need {name} (No module named '{name}'): install transformers and peft on "
                          "a GPU machine, or use --model tiny on CPU") from err


class HFTokenizer:
    """The tokenizer interface of tokenizer.ByteTokenizer over a transformers tokenizer and its chat template."""

    banned_ids: tuple[int, ...] = ()

    def __init__(self, tok, eos_ids: Sequence[int]) -> None:
        self.tok = tok
        self.vocab_size = len(tok)
        self.eos_ids = tuple(dict.fromkeys(i for i in eos_ids if i is not None))
        self.pad_id = tok.pad_token_id if tok.pad_token_id is not None else self.eos_ids[0]
        probe = tok("a").input_ids
        self.bos_id = probe[0] if tok.bos_token_id is not None and probe and probe[0] == tok.bos_token_id else None

    def encode_text(self, text: str) -> list[int]:
        return list(self.tok(text).input_ids)

    def encode_raw(self, text: str) -> list[int]:
        return list(self.tok(text, add_special_tokens=False).input_ids)

    def encode_messages(self, messages: Sequence[dict], add_generation_prompt: bool = True) -> list[int]:
        ids = self.tok.apply_chat_template(list(messages), add_generation_prompt=add_generation_prompt, tokenize=True)
        return list(ids)

    def turn_parts(self, role: str, content: str) -> tuple[list[int], list[int], list[int]]:
        """Template text around one turn, found by rendering a sentinel after a fixed system turn."""
        render = lambda msgs: self.tok.apply_chat_template(msgs, tokenize=False, add_generation_prompt=False)
        if role == "system":
            turn = render([{"role": "system", "content": _SENTINEL}])
        else:
            head = [{"role": "system", "content": "s"}]
            a, b = render(head), render(head + [{"role": role, "content": _SENTINEL}])
            turn = b[len(a):] if b.startswith(a) else b
        pre, _, post = turn.partition(_SENTINEL)
        if self.bos_id is not None and self.tok.bos_token and pre.startswith(self.tok.bos_token):
            pre = pre[len(self.tok.bos_token):]
        return self.encode_raw(pre), self.encode_raw(content), self.encode_raw(post)

    def decode(self, ids) -> str:
        return self.tok.decode(list(ids), skip_special_tokens=True)


class HFPolicy(PolicyModel):
    def __init__(self, spec: str, model, tok, device: torch.device, lora_r: int) -> None:
        self.spec, self.module, self.tok, self.device = spec, model, tok, device
        self.lora = lora_r > 0
        self.lora_r = lora_r
        cfg = model.config
        self.context = getattr(cfg, "max_position_embeddings", None)
        self.ref = None
        if not self.lora:
            self.ref = copy.deepcopy(model).eval()
            for p in self.ref.parameters():
                p.requires_grad_(False)

    @staticmethod
    def _pos(attn: torch.Tensor) -> torch.Tensor:
        return (attn.long().cumsum(1) - 1).clamp(min=0)  # (B, T)

    def _run(self, model, ids, attn, **kw):
        return model(input_ids=ids, attention_mask=attn.long(), position_ids=kw.pop("pos", self._pos(attn)), **kw)

    def logits(self, ids, attn):
        return self._run(self.module, ids, attn, use_cache=False).logits  # (B, T, V)

    def ref_logits(self, ids, attn):
        with torch.no_grad():
            if self.lora:
                with reference.lora_reference(self):
                    return self._run(self.module, ids, attn, use_cache=False).logits
            return self._run(self.ref if self.phase_ref is None else self.phase_ref, ids, attn, use_cache=False).logits

    def prefill(self, ids, attn, max_new: int = 0):
        with torch.no_grad():
            out = self._run(self.module, ids, attn, use_cache=True)
        st = {"past": out.past_key_values, "attn": attn.long(), "pos": attn.long().sum(1)}
        return st, out.logits[:, -1]

    def decode(self, st, tokens):
        st["attn"] = torch.cat([st["attn"], torch.ones_like(st["attn"][:, :1])], 1)  # (B, T+1)
        with torch.no_grad():
            out = self.module(input_ids=tokens[:, None], attention_mask=st["attn"], position_ids=st["pos"][:, None],
                              past_key_values=st["past"], use_cache=True)
        st["past"], st["pos"] = out.past_key_values, st["pos"] + 1
        return out.logits[:, -1]

    def select(self, st, keep):
        past = st["past"]
        if hasattr(past, "batch_select_indices"):
            past.batch_select_indices(keep)
        else:
            past = tuple(tuple(t.index_select(0, keep) for t in layer) for layer in past)
        return {"past": past, "attn": st["attn"].index_select(0, keep), "pos": st["pos"].index_select(0, keep)}

    def checkpoint_state(self):
        if self.lora:
            peft = _require("peft")
            return {"adapter": peft.get_peft_model_state_dict(self.module)}
        return {"model": self.module.state_dict()}

    def load_checkpoint_state(self, state):
        if self.lora:
            _require("peft").set_peft_model_state_dict(self.module, state["adapter"])
        else:
            self.module.load_state_dict(state["model"])

    def describe(self):
        return {"kind": "hf", "model": self.spec, "lora_r": self.lora_r}


def _random_config(text: str, transformers) -> tuple[Any, str | None]:
    """`hf-random:` argument -> (config, tokenizer id or None). JSON object, JSON file, or a config directory."""
    if text.lstrip().startswith("{"):
        data = json.loads(text)
    elif os.path.isfile(text):
        with open(text) as f:
            data = json.load(f)
    else:
        return transformers.AutoConfig.from_pretrained(text), text
    tok = data.pop("tokenizer", None)
    if "model_type" not in data:
        raise ConfigError("hf-random config needs a model_type (e.g. \"qwen3\", \"llama\")")
    return transformers.AutoConfig.for_model(**data), tok


def load_policy(spec: str, device: str = "cpu", lora_r: int = 64, seed: int = 0,
                model_config: str | None = None) -> HFPolicy:
    transformers = _require("transformers")
    dev = torch.device(device)
    dtype = torch.bfloat16 if dev.type == "cuda" else torch.float32
    torch.manual_seed(seed)
    if spec.startswith("hf-random:"):
        cfg, tok_id = _random_config(model_config or spec[len("hf-random:"):], transformers)
        model = transformers.AutoModelForCausalLM.from_config(cfg, torch_dtype=dtype)
        if tok_id:
            t = transformers.AutoTokenizer.from_pretrained(tok_id)
            tok = HFTokenizer(t, [t.eos_token_id])
        else:
            tok = ByteTokenizer()  # random weights: byte tokens are enough for benchmarks and tests
            if cfg.vocab_size < tok.vocab_size:
                raise ConfigError(f"hf-random without a tokenizer needs vocab_size >= {tok.vocab_size}")
    else:
        path = spec[len("hf:"):]
        model = transformers.AutoModelForCausalLM.from_pretrained(path, torch_dtype=dtype)
        t = transformers.AutoTokenizer.from_pretrained(path)
        gen_eos = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
        eos = [t.eos_token_id] + (gen_eos if isinstance(gen_eos, list) else [gen_eos])
        tok = HFTokenizer(t, eos)
    model.to(dev)
    if lora_r > 0:
        peft = _require("peft")
        lcfg = peft.LoraConfig(r=lora_r, lora_alpha=lora_r, lora_dropout=0.0, target_modules="all-linear",
                               task_type="CAUSAL_LM")
        model = peft.get_peft_model(model, lcfg)
    return HFPolicy(spec, model, tok, dev, lora_r)
