"""A tiny random Qwen3-architecture model and a byte-level BPE tokenizer, built offline (nothing is downloaded)."""
from __future__ import annotations

CORPUS = [
    "Write a program that prints the sum of two numbers.\n```python\nprint(3 + 4)\n```\n",
    "Q: what is 6 times 7?\nA: ```python\nprint(6 * 7)\n```\n",
    "def add(a, b):\n    return a + b\n\nprint(add(1, 2))\n",
    "The answer is 42. The sandbox runs the code and returns the output.\n",
] * 8


def tokenizer():
    """A 320-token byte-level BPE with an end-of-text pad token and <|im_end|> as EOS."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=320, special_tokens=["<|endoftext|>", "<|im_end|>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(CORPUS, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>", clean_up_tokenization_spaces=False)


def model_dir(out: str, seed: int = 0) -> str:
    """Writes a random 2-layer Qwen3 model (hidden 32) and the tokenizer to `out`; returns out."""
    import torch
    from transformers import AutoModelForCausalLM, Qwen3Config

    tok = tokenizer()
    config = Qwen3Config(vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                         num_key_value_heads=1, head_dim=16, max_position_embeddings=256, tie_word_embeddings=True,
                         eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id, bos_token_id=None)
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.generation_config.eos_token_id = tok.eos_token_id
    model.generation_config.pad_token_id = tok.pad_token_id
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return out
