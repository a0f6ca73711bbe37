"""A transformers tokenizer behind the tokenizer interface of tokenizer.ByteTokenizer, with its chat template.

Prompts are rendered with `apply_chat_template(..., tokenize=False, **chatTemplateKwargs)` and tokenized without
added special tokens, exactly as `apply_chat_template(tokenize=True)` does. MoL / SFT conversations (runs of role
segments) are rendered whole, so their ids equal `apply_chat_template` of the same messages whatever the template
does across turns (Qwen3 drops old <think> blocks and merges tool turns); each piece's characters are located in
the rendering with sentinels and their tokens take the piece's loss tag, as does the end of its turn up to and
including the first EOS id.
"""
from __future__ import annotations

from typing import Sequence

from .config import ConfigError
from .errors import ApiError
from .tokenizer import TAG_NONE

_S1, _S2 = "\ue000", "\ue001"  # private-use characters: no template or tokenizer rule touches them


class HFTokenizer:
    """encode_text / encode_raw / encode_messages / render_turns / decode over a transformers tokenizer."""

    banned_ids: tuple[int, ...] = ()

    def __init__(self, tok, eos_ids: Sequence[int], name: str = "") -> None:
        self.tok = tok
        self.name = name
        self.vocab_size = len(tok)
        self.set_eos(eos_ids)
        probe = tok("a").input_ids
        self.bos_id = probe[0] if tok.bos_token_id is not None and probe and probe[0] == tok.bos_token_id else None

    @classmethod
    def load(cls, path: str, eos_ids: Sequence[int] | None) -> "HFTokenizer":
        import transformers

        try:
            tok = transformers.AutoTokenizer.from_pretrained(path)
        except (OSError, ValueError) as err:
            first = (str(err).strip().splitlines() or [type(err).__name__])[0]
            raise ConfigError(f"tokenizer {path!r} cannot be loaded ({first}); give a directory written by "
                              "save_pretrained (tokenizer.json / tokenizer_config.json) or a cached hub id") from err
        return cls(tok, eos_ids if eos_ids is not None else [tok.eos_token_id], path)

    def set_eos(self, eos_ids: Sequence[int]) -> None:
        self.eos_ids = tuple(dict.fromkeys(i for i in eos_ids if i is not None))
        if not self.eos_ids:
            raise ConfigError(f"tokenizer {self.name!r} has no EOS token and the model config names none: set "
                              "eos_token in tokenizer_config.json or eos_token_id in generation_config.json")
        self.pad_id = self.tok.pad_token_id if self.tok.pad_token_id is not None else self.eos_ids[0]

    # -- encoding -----------------------------------------------------------------------------------
    def encode_text(self, text: str) -> list[int]:
        return list(self.tok(text).input_ids)

    def encode_raw(self, text: str) -> list[int]:
        return list(self.tok(text, add_special_tokens=False).input_ids)

    def render(self, messages: Sequence[dict], add_generation_prompt: bool, kwargs: dict | None = None) -> str:
        if not self.tok.chat_template:
            raise ApiError(400, "CHAT_TEMPLATE_MISSING",
                           f"tokenizer {self.name or type(self.tok).__name__} has no chat template, so chat messages "
                           "cannot be rendered: send text prompts, or use a tokenizer with a chat_template "
                           "(tokenizer_config.json / chat_template.jinja)", "messages")
        return self.tok.apply_chat_template([dict(m) for m in messages], tokenize=False,
                                            add_generation_prompt=add_generation_prompt, **(kwargs or {}))

    def encode_messages(self, messages: Sequence[dict], add_generation_prompt: bool = True,
                        kwargs: dict | None = None) -> list[int]:
        """The ids of apply_chat_template(messages, tokenize=True) (a BatchEncoding in transformers 5)."""
        return self.encode_raw(self.render(messages, add_generation_prompt, kwargs))

    def render_turns(self, pieces: Sequence[tuple[str, str, int, bool]]) -> tuple[list[int], list[int]]:
        """Pieces (role, text, tag, continues) of one conversation -> (ids, tags), ids as apply_chat_template."""
        msgs: list[dict] = []
        owner: list[int] = []  # piece -> message index
        for role, text, _, cont in pieces:
            if cont and msgs:
                msgs[-1]["content"] += text
            else:
                msgs.append({"role": role, "content": text})
            owner.append(len(msgs) - 1)
        full = self.render(msgs, False)
        enc = self.tok(full, add_special_tokens=False, return_offsets_mapping=True)
        ids, offsets = list(enc.input_ids), list(enc.offset_mapping)
        char_tag = [TAG_NONE] * len(full)
        cursor = 0
        ends: dict[int, tuple[int, int]] = {}  # message -> (end char of its last piece, tag)
        for k, (role, text, tag, _) in enumerate(pieces):
            span = self._locate(msgs, owner, pieces, k, full, cursor)
            if span is None:
                continue  # the template printed nothing of this piece (e.g. an old <think> block)
            a, b = span
            for c in range(a, b):
                char_tag[c] = tag
            cursor = b
            ends[owner[k]] = (b, tag)
        tags = [TAG_NONE] * len(ids)
        eos = set(self.eos_ids)
        for t, (a, b) in enumerate(offsets):
            if b > a and any(char_tag[c] != TAG_NONE for c in range(a, b)):
                tags[t] = next(char_tag[c] for c in range(b - 1, a - 1, -1) if char_tag[c] != TAG_NONE)
        content = [b > a and char_tag[b - 1] != TAG_NONE for a, b in offsets]
        for end, tag in ends.values():  # the end of each turn, up to its EOS, takes the turn's tag
            for t, (a, b) in enumerate(offsets):
                if a < end:
                    continue
                if content[t]:
                    break  # the next piece's text: this turn ended without an EOS
                tags[t] = tag
                if ids[t] in eos:
                    break
        return ids, tags

    def _locate(self, msgs, owner, pieces, k, full, cursor) -> tuple[int, int] | None:
        """Character span of piece k in `full`: rendered with sentinels around it, else found after `cursor`."""
        text = pieces[k][1]
        if not text:
            return None
        m = owner[k]
        before = sum(len(pieces[j][1]) for j in range(k) if owner[j] == m)
        marked = [dict(x) for x in msgs]
        c = marked[m]["content"]
        marked[m]["content"] = c[:before] + _S1 + text + _S2 + c[before + len(text):]
        r = self.render(marked, False)
        a, b = r.find(_S1), r.find(_S2)
        if 0 <= a < b and r[:a] == full[:a]:
            shown = r[a + 1: b]
            if full[a: a + len(shown)] == shown and shown:
                return a, a + len(shown)
        for probe in (text, text.strip(), text.split("</think>")[-1].strip()):  # templates drop old reasoning
            i = full.find(probe, cursor) if probe else -1
            if i >= 0:
                return i, i + len(probe)
        return None

    def decode(self, ids) -> str:
        return self.tok.decode(list(ids), skip_special_tokens=True)
