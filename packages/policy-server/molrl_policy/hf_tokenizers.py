"""Hugging Face tokenizers built offline: the byte tokenizer's HF twin and small byte-level BPEs with a Qwen3 chat template.

`byte_tokenizer()` maps exactly like tokenizer.ByteTokenizer (ids 0..255 = bytes, BOS 256, EOS 257, PAD 258), so an
`hf-random:` model trained with the byte tokenizer can be saved and loaded anywhere with a standard tokenizer.
`train_bpe()` trains a byte-level BPE with `tokenizers` on text the caller provides (no download) and gives it a
chat template of Qwen3's shape: `<|im_start|>role\\n...<|im_end|>\\n`, `<think>` blocks, tool turns as
`<tool_response>` inside a user turn, `enable_thinking`.
"""
from __future__ import annotations

from typing import Iterable, Sequence

# Qwen3's chat template (tool calls left out): system first, user turns, assistant turns whose <think> block is
# dropped before the last user query and kept (or added empty) after it, consecutive tool turns merged into one
# user turn of <tool_response> blocks, and `enable_thinking=False` adding an empty think block to the prompt.
QWEN3_CHAT_TEMPLATE = (
    "{%- if messages[0].role == 'system' %}"
    "{{- '<|im_start|>system\\n' + messages[0].content + '<|im_end|>\\n' }}"
    "{%- endif %}"
    "{%- set ns = namespace(multi_step_tool=true, last_query_index=messages|length - 1) %}"
    "{%- for message in messages[::-1] %}"
    "{%- set index = (messages|length - 1) - loop.index0 %}"
    "{%- if ns.multi_step_tool and message.role == 'user' and message.content is string and "
    "not(message.content.startswith('<tool_response>') and message.content.endswith('</tool_response>')) %}"
    "{%- set ns.multi_step_tool = false %}{%- set ns.last_query_index = index %}"
    "{%- endif %}"
    "{%- endfor %}"
    "{%- for message in messages %}"
    "{%- if message.content is string %}{%- set content = message.content %}{%- else %}{%- set content = '' %}{%- endif %}"
    "{%- if (message.role == 'user') or (message.role == 'system' and not loop.first) %}"
    "{{- '<|im_start|>' + message.role + '\\n' + content + '<|im_end|>' + '\\n' }}"
    "{%- elif message.role == 'assistant' %}"
    "{%- set reasoning_content = '' %}"
    "{%- if message.reasoning_content is string %}{%- set reasoning_content = message.reasoning_content %}"
    "{%- elif '</think>' in content %}"
    "{%- set reasoning_content = content.split('</think>')[0].rstrip('\\n').split('<think>')[-1].lstrip('\\n') %}"
    "{%- set content = content.split('</think>')[-1].lstrip('\\n') %}"
    "{%- endif %}"
    "{%- if loop.index0 > ns.last_query_index and (loop.last or reasoning_content) %}"
    "{{- '<|im_start|>' + message.role + '\\n<think>\\n' + reasoning_content.strip('\\n') + '\\n</think>\\n\\n' + content.lstrip('\\n') }}"
    "{%- else %}"
    "{{- '<|im_start|>' + message.role + '\\n' + content }}"
    "{%- endif %}"
    "{{- '<|im_end|>\\n' }}"
    "{%- elif message.role == 'tool' %}"
    "{%- if loop.first or (messages[loop.index0 - 1].role != 'tool') %}{{- '<|im_start|>user' }}{%- endif %}"
    "{{- '\\n<tool_response>\\n' + content + '\\n</tool_response>' }}"
    "{%- if loop.last or (messages[loop.index0 + 1].role != 'tool') %}{{- '<|im_end|>\\n' }}{%- endif %}"
    "{%- endif %}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}"
    "{{- '<|im_start|>assistant\\n' }}"
    "{%- if enable_thinking is defined and enable_thinking is false %}{{- '<think>\\n\\n</think>\\n\\n' }}{%- endif %}"
    "{%- endif %}"
)

# The byte tokenizer's chat template (tokenizer.ByteTokenizer.encode_messages): BOS, `<|role|>\n` + content + EOS.
BYTE_CHAT_TEMPLATE = (
    "{{- bos_token }}{%- for m in messages %}{{- '<|' + m.role + '|>\\n' + m.content + eos_token }}{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|assistant|>\\n' }}{%- endif %}"
)

QWEN3_SPECIAL = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")
QWEN3_ADDED = ("<think>", "</think>", "<tool_response>", "</tool_response>")


def _fast(tok, **kw):
    from transformers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast(tokenizer_object=tok, **kw)


def byte_tokenizer():
    """A PreTrainedTokenizerFast with ByteTokenizer's ids: bytes 0..255, `<s>` 256 (BOS, prepended), `</s>` 257
    (EOS), `<pad>` 258, and its chat template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    vocab = {ch: b for b, ch in bytes_to_unicode().items()}  # byte b -> id b
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens(["<s>", "</s>", "<pad>"])  # 256, 257, 258
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A $B", special_tokens=[("<s>", 256)])
    return _fast(tok, bos_token="<s>", eos_token="</s>", pad_token="<pad>", chat_template=BYTE_CHAT_TEMPLATE,
                 clean_up_tokenization_spaces=False)


def train_bpe(texts: Iterable[str], vocab_size: int = 512, chat_template: str = QWEN3_CHAT_TEMPLATE,
              special: Sequence[str] = QWEN3_SPECIAL, added: Sequence[str] = QWEN3_ADDED):
    """A byte-level BPE trained on `texts` (deterministic for the same texts), Qwen3 specials and chat template:
    eos `<|im_end|>`, pad `<|endoftext|>`, no BOS (as Qwen3)."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=list(special), show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(list(texts), trainer)
    tok.add_tokens([AddedToken(t, normalized=False, special=False) for t in added])
    return _fast(tok, eos_token="<|im_end|>", pad_token="<|endoftext|>", chat_template=chat_template,
                 clean_up_tokenization_spaces=False)
