"""Byte-level tokenizer of the tiny model, its chat template, and segment rendering for MoL.

Vocabulary: ids 0..255 are bytes, then BOS (256), EOS (257), PAD (258): 259 ids.
Chat template: every turn is the bytes of `<|ROLE|>\\n` + content, ended by EOS; the generation prompt is
`<|assistant|>\\n`. A prompt is BOS + turns (+ generation prompt); raw text is BOS + its UTF-8 bytes.
"""
from __future__ import annotations

from typing import Iterable, Sequence

BOS, EOS, PAD = 256, 257, 258
VOCAB_SIZE = 259

# Loss tags per token (see mol.py): what a target token is trained with.
TAG_NONE, TAG_CE, TAG_KL = 0, 1, 2
TAGS = {"none": TAG_NONE, "ce": TAG_CE, "kl": TAG_KL}


class ByteTokenizer:
    """Tokenizer interface shared with hf.HFTokenizer: encode prompts, decode completions, render segments."""

    vocab_size = VOCAB_SIZE
    bos_id = BOS
    eos_ids: tuple[int, ...] = (EOS,)
    pad_id = PAD
    # Ids the sampler never picks (a byte model must not emit BOS or PAD).
    banned_ids: tuple[int, ...] = (BOS, PAD)

    def encode_text(self, text: str) -> list[int]:
        """Raw text -> BOS + UTF-8 bytes."""
        return [BOS, *text.encode("utf-8")]

    def turn_parts(self, role: str, content: str) -> tuple[list[int], list[int], list[int]]:
        """One chat turn as (template prefix, content, end marker) ids."""
        return list(f"<|{role}|>\n".encode("utf-8")), list(content.encode("utf-8")), [EOS]

    def encode_messages(self, messages: Sequence[dict], add_generation_prompt: bool = True,
                        kwargs: dict | None = None) -> list[int]:
        """Chat messages -> BOS + turns (+ `<|assistant|>\\n`); this template takes no options (kwargs ignored)."""
        ids = [BOS]
        for m in messages:
            pre, body, end = self.turn_parts(m["role"], m["content"])
            ids += pre + body + end
        if add_generation_prompt:
            ids += list(b"<|assistant|>\n")
        return ids

    def decode(self, ids: Iterable[int]) -> str:
        """Completion ids -> text (special ids dropped, invalid UTF-8 replaced)."""
        return bytes(i for i in ids if i < 256).decode("utf-8", errors="replace")


def render_segments(tok, segments: Sequence[dict]) -> tuple[list[int], list[int]]:
    """MoL example -> (ids, tags), one tag per token.

    BOS first (tag none). A segment with `role` is one chat turn: template prefix tagged none, content and the
    turn's end marker tagged with the segment's loss (the model learns to stop). A segment without `role` is
    raw text; if it is the example's last segment an EOS follows, tagged with its loss.
    A role segment with `continues: true` continues the previous segment's turn: no template prefix, and the
    previous piece gets no end marker (one chat turn split into pieces with different losses).
    """
    if hasattr(tok, "render_turns"):
        return _render_with_template(tok, segments)
    ids: list[int] = [tok.bos_id] if tok.bos_id is not None else []
    tags: list[int] = [TAG_NONE] * len(ids)
    for k, seg in enumerate(segments):
        tag = TAGS[seg["loss"]]
        last = k == len(segments) - 1
        if seg.get("role"):
            pre, body, end = tok.turn_parts(seg["role"], seg["text"])
            if seg.get("continues"):
                pre = []
            if not last and segments[k + 1].get("continues"):
                end = []
            ids += pre + body + end
            tags += [TAG_NONE] * len(pre) + [tag] * (len(body) + len(end))
        else:
            body = tok.encode_raw(seg["text"]) if hasattr(tok, "encode_raw") else list(seg["text"].encode("utf-8"))
            ids += body
            tags += [tag] * len(body)
            if last:
                ids.append(tok.eos_ids[0])
                tags.append(tag)
    return ids, tags


def _render_with_template(tok, segments: Sequence[dict]) -> tuple[list[int], list[int]]:
    """A tokenizer with a real chat template (hf_chat.HFTokenizer): each run of role segments is one conversation
    rendered by the template (ids as apply_chat_template); raw segments are tokenized as they are, the example's
    last raw segment followed by EOS."""
    ids: list[int] = []
    tags: list[int] = []
    run: list[tuple[str, str, int, bool]] = []

    def flush() -> None:
        if run:
            i, t = tok.render_turns(run)
            ids.extend(i)
            tags.extend(t)
            run.clear()

    for k, seg in enumerate(segments):
        tag = TAGS[seg["loss"]]
        if seg.get("role"):
            run.append((seg["role"], seg["text"], tag, bool(seg.get("continues"))))
            continue
        flush()
        body = tok.encode_text(seg["text"]) if not ids else tok.encode_raw(seg["text"])
        ids.extend(body)
        tags.extend([tag] * len(body))
        if k == len(segments) - 1:
            ids.append(tok.eos_ids[0])
            tags.append(tag)
    flush()
    return ids, tags
