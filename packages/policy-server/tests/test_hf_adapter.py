"""HFPolicy's plumbing (position ids, growing attention mask, legacy tuple KV cache, row selection) against a
stand-in for a transformers model built on TinyGPT: it must generate exactly what TinyPolicy generates."""
import math
import types

import torch
import torch.nn as nn

from conftest import make_engine
from molrl_policy.engine import Engine
from molrl_policy.generate import Sampling
from molrl_policy.hf import HFPolicy
from molrl_policy.model import padded_mask
from molrl_policy.tokenizer import ByteTokenizer


class FakeCausalLM(nn.Module):
    """The transformers calling convention (input_ids, attention_mask, position_ids, past_key_values) over TinyGPT."""

    def __init__(self, gpt):
        super().__init__()
        self.gpt = gpt
        self.config = types.SimpleNamespace(max_position_embeddings=gpt.cfg.context)

    def forward(self, input_ids, attention_mask, position_ids, past_key_values=None, use_cache=False):
        g = self.gpt
        if past_key_values is None:
            logits, kvs = g(input_ids, position_ids, padded_mask(attention_mask.bool()), keep_kv=True)
            return types.SimpleNamespace(logits=logits, past_key_values=tuple(kvs) if use_cache else None)
        x = g.wte(input_ids) + g.wpe(position_ids)  # (B, 1, D)
        valid = attention_mask.bool()[:, None, None, :]  # (B, 1, 1, T+1)
        new = []
        for blk, (K, V) in zip(g.blocks, past_key_values):
            q, k, v = blk.split(x)  # (B, H, 1, hd)
            K, V = torch.cat([K, k], 2), torch.cat([V, v], 2)
            att = ((q @ K.transpose(-2, -1)) / math.sqrt(q.shape[-1])).masked_fill(~valid, float("-inf")).softmax(-1)
            y = (att @ V).transpose(1, 2).reshape(x.shape)
            x = x + blk.proj(y)
            x = x + blk.out(torch.nn.functional.gelu(blk.fc(blk.ln2(x))))
            new.append((K, V))
        return types.SimpleNamespace(logits=g.ln_f(x) @ g.wte.weight.T, past_key_values=tuple(new))


def test_hf_adapter_generates_and_trains_like_the_tiny_adapter():
    tiny = make_engine()
    fake = Engine(HFPolicy("hf:fake", FakeCausalLM(tiny.policy.module), ByteTokenizer(), torch.device("cpu"), 0))
    P = [{"id": "a", "text": "Q: 1+2\nA:"}, {"id": "b", "text": "xy"}]
    s = Sampling(temperature=1.0, top_k=20, max_tokens=12, stop=["q"])
    want = tiny.generate(P, 3, s, 5)[1]
    got = fake.generate(P, 3, s, 5)[1]
    assert got == want
    rid = fake.generate(P, 3, s, 6)[0]
    out = fake.train_policy({"rolloutId": rid, "advantages": [1, -1, 0, 1, -1, 0], "beta": 0.1})
    assert out["clipFraction"] == 0 and abs(out["kl"]) < 1e-6 and out["step"] == 1
    assert fake.policy.parameter_counts()[0] == fake.policy.parameter_counts()[1]
