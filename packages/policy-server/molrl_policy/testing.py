"""Tiny Hugging Face models and tokenizers made offline, for tests and benchmarks (nothing is downloaded).

- `corpus()`: deterministic chat / code / arithmetic text to train the tokenizer on.
- `tokenizer()`: a 512-token byte-level BPE with Qwen3's specials and chat template (hf_tokenizers.train_bpe).
- `QWEN3` / `LLAMA`: configs of a tiny Qwen3-architecture model (2 layers, hidden 64, 4 heads, 2 KV heads) and
  a tiny llama-architecture one, sized for that tokenizer.
- `model_dir(out, arch)`: a `save_pretrained` directory (random weights, tokenizer, generation config with both
  EOS ids) that `hf:<out>` and `AutoModelForCausalLM.from_pretrained(out)` load.

Command line: `python -m molrl_policy.testing --out DIR [--arch qwen3|llama] [--seed N]` writes such a directory
(for tests of other packages: `molrl serve` with TRL, distributed tests).
"""
from __future__ import annotations

import argparse
import json
import os
import random
from functools import lru_cache

VOCAB = 512

QWEN3 = {"model_type": "qwen3", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
         "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "max_position_embeddings": 512,
         "rms_norm_eps": 1e-6, "tie_word_embeddings": True}
LLAMA = {"model_type": "llama", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
         "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512,
         "tie_word_embeddings": False}
ARCHS = {"qwen3": QWEN3, "llama": LLAMA}


def corpus(n: int = 400, seed: int = 0) -> list[str]:
    """Chat turns, Python snippets, arithmetic and tool output, with the template's markers."""
    r = random.Random(seed)
    words = ("the model writes code that prints a value and the sandbox runs it then returns output error "
             "observation answer question think step result test file line number list sum print def return "
             "import for in range if else while true false none").split()
    out = []
    for i in range(n):
        a, b = r.randrange(100), r.randrange(100)
        op = r.choice("+-*")
        say = " ".join(r.choice(words) for _ in range(r.randrange(4, 14)))
        out += [
            f"<|im_start|>user\nQ: {a}{op}{b}\nA:<|im_end|>\n<|im_start|>assistant\n<think>\n{say}\n</think>\n\n"
            f"```python\nprint({a}{op}{b})\n```<|im_end|>\n",
            f"<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n{say}?<|im_end|>\n",
            f"<|im_start|>user\n<tool_response>\nTraceback (most recent call last):\n  line {i % 9}\n"
            f"NameError: name 'x{i % 7}' is not defined\n</tool_response><|im_end|>\n",
            f"def f{i % 13}(x):\n    return x {op} {b}\n\nprint(f{i % 13}({a}))\n",
        ]
    return out


@lru_cache(maxsize=1)
def _tokenizer_json() -> str:
    return train_tokenizer()._tokenizer.to_str()


def train_tokenizer():
    from .hf_tokenizers import train_bpe

    return train_bpe(corpus(), vocab_size=VOCAB)


def tokenizer():
    """The fixture tokenizer (trained once per process, then copied)."""
    from tokenizers import Tokenizer

    from .hf_tokenizers import QWEN3_CHAT_TEMPLATE, _fast

    return _fast(Tokenizer.from_str(_tokenizer_json()), eos_token="<|im_end|>", pad_token="<|endoftext|>",
                 chat_template=QWEN3_CHAT_TEMPLATE, clean_up_tokenization_spaces=False)


def config(arch: str = "qwen3", tok=None) -> dict:
    """The tiny config of `arch` with the fixture tokenizer's vocabulary and special ids."""
    tok = tok or tokenizer()
    eos = [tok.convert_tokens_to_ids("<|im_end|>"), tok.convert_tokens_to_ids("<|endoftext|>")]
    return {**ARCHS[arch], "vocab_size": len(tok), "eos_token_id": eos, "pad_token_id": tok.pad_token_id,
            "bos_token_id": None}


def model_dir(out: str, arch: str = "qwen3", seed: int = 0, **overrides) -> str:
    """Writes a random tiny model of `arch` (config `overrides` applied) + the fixture tokenizer + a generation
    config to `out`; returns out."""
    import torch
    import transformers

    tok = tokenizer()
    cfg = {**config(arch, tok), **overrides}
    torch.manual_seed(seed)
    model = transformers.AutoModelForCausalLM.from_config(transformers.AutoConfig.for_model(**cfg),
                                                          dtype=torch.float32)
    model.generation_config = transformers.GenerationConfig(eos_token_id=cfg["eos_token_id"],
                                                            pad_token_id=cfg["pad_token_id"])
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return out


def random_spec(arch: str = "qwen3", tokenizer_dir: str | None = None) -> str:
    """An `hf-random:` model argument for `arch` (with `tokenizer` = a directory holding the fixture tokenizer)."""
    cfg = config(arch)
    if tokenizer_dir:
        cfg["tokenizer"] = tokenizer_dir
    return "hf-random:" + json.dumps(cfg)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="molrl_policy.testing", description="write a tiny random HF model directory")
    p.add_argument("--out", required=True)
    p.add_argument("--arch", choices=sorted(ARCHS), default="qwen3")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    print(model_dir(a.out, a.arch, a.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
