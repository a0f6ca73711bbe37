"""MoL: segments render with the right tags, each mode masks the right tokens, the loss equals a hand computation."""
import pytest
import torch

from conftest import make_engine
from molrl_policy.mol import encode_examples, loss_masks
from molrl_policy.tokenizer import BOS, EOS, TAG_CE, TAG_KL, TAG_NONE, ByteTokenizer, render_segments

TOK = ByteTokenizer()
EX = {"segments": [{"text": "hi", "role": "user", "loss": "none"},
                   {"text": "ok", "role": "assistant", "loss": "kl"},
                   {"text": "err", "role": "tool", "loss": "ce"}]}


def test_role_segments_render_as_turns_with_markers_untrained_and_end_of_turn_trained():
    ids, tags = render_segments(TOK, EX["segments"])
    want = [BOS, *b"<|user|>\nhi", EOS, *b"<|assistant|>\nok", EOS, *b"<|tool|>\nerr", EOS]
    assert ids == want
    n_user = 1 + len(b"<|user|>\nhi") + 1
    assert tags[:n_user] == [TAG_NONE] * n_user
    n_pre = len(b"<|assistant|>\n")
    assert tags[n_user: n_user + n_pre] == [TAG_NONE] * n_pre
    assert tags[n_user + n_pre: n_user + n_pre + 3] == [TAG_KL] * 3  # "ok" + EOS
    assert tags[-4:] == [TAG_CE] * 4 and tags[-5] == TAG_NONE  # "err" + EOS, marker untrained
    assert ids == TOK.encode_messages([{"role": "user", "content": "hi"}, {"role": "assistant", "content": "ok"},
                                       {"role": "tool", "content": "err"}], add_generation_prompt=False)


def test_raw_segments_get_bos_first_and_eos_after_the_last_with_its_loss():
    ids, tags = render_segments(TOK, [{"text": "Q:", "loss": "none"}, {"text": "ab", "loss": "ce"}])
    assert ids == [BOS, *b"Q:ab", EOS]
    assert tags == [TAG_NONE, TAG_NONE, TAG_NONE, TAG_CE, TAG_CE, TAG_CE]


def test_modes_mask_the_right_tags():
    tags = torch.tensor([[TAG_NONE, TAG_CE, TAG_KL, TAG_KL]])
    ce, kl = loss_masks(tags, "mol")
    assert ce.tolist() == [[0, 1, 0, 0]] and kl.tolist() == [[0, 0, 1, 1]]
    ce, kl = loss_masks(tags, "ce")
    assert ce.tolist() == [[0, 1, 1, 1]] and kl.sum() == 0
    ce, kl = loss_masks(tags, "ce_nokl")
    assert ce.tolist() == [[0, 1, 0, 0]] and kl.sum() == 0


def hand(eng, examples, mode):
    """Mean CE over CE targets + mean full-vocabulary KL(p_theta || p_0) over KL targets, one sequence at a time."""
    ce, kl, n_ce, n_kl = 0.0, 0.0, 0, 0
    for ids, tags in encode_examples(TOK, examples, eng.policy.context)[0]:
        x = torch.tensor([ids[:-1]])
        attn = torch.ones_like(x, dtype=torch.bool)
        with torch.no_grad():
            lp = torch.log_softmax(eng.policy.logits(x, attn)[0], -1)
            rp = torch.log_softmax(eng.policy.ref_logits(x, attn)[0], -1)
        for t in range(len(ids) - 1):
            tag = tags[t + 1]  # the TARGET token's tag
            if tag == TAG_CE or (mode == "ce" and tag == TAG_KL):
                ce += -lp[t, ids[t + 1]].item()
                n_ce += 1
            elif mode == "mol" and tag == TAG_KL:
                kl += (lp[t].exp() * (lp[t] - rp[t])).sum().item()
                n_kl += 1
    return ce / max(1, n_ce) + kl / max(1, n_kl), n_ce, n_kl


@pytest.mark.parametrize("mode", ["mol", "ce", "ce_nokl"])
def test_mol_loss_matches_hand_computation(mode):
    eng = make_engine()
    with torch.no_grad():
        g = torch.Generator().manual_seed(1)
        for p in eng.policy.module.parameters():
            p.add_(torch.randn(p.shape, generator=g) * 0.05)
    examples = [EX, {"segments": [{"text": "Q: 1+1", "loss": "none"}, {"text": " A: 2", "loss": "kl"},
                                  {"text": " ok", "loss": "ce"}]}]
    want, n_ce, n_kl = hand(eng, examples, mode)
    got = eng.train_mol({"examples": examples, "mode": mode, "microBatchSize": 1})
    assert got["loss"] == pytest.approx(want, rel=1e-5)
    assert (got["ceTokens"], got["klTokens"]) == (n_ce, n_kl)
    assert got["step"] == 1 and (got["kl"] > 0) == (mode == "mol")


def test_untrained_targets_do_not_change_the_loss():
    a = make_engine().train_mol({"examples": [{"segments": [{"text": "abc", "loss": "ce"},
                                                            {"text": "xyz", "loss": "none"}]}], "mode": "ce"})
    b = make_engine().train_mol({"examples": [{"segments": [{"text": "abc", "loss": "ce"},
                                                            {"text": "qrs!!", "loss": "none"}]}], "mode": "ce"})
    assert a["loss"] == b["loss"] and a["ceTokens"] == b["ceTokens"] == 3


def test_examples_are_truncated_to_the_context():
    seqs, cut = encode_examples(TOK, [{"segments": [{"text": "x" * 100, "loss": "ce"}]}], 48)
    assert cut == 1 and len(seqs[0][0]) == 49


def test_continued_segments_render_as_one_turn():
    segs = [{"text": "q", "role": "user", "loss": "none"},
            {"text": "<think>\n\n</think>\n\n", "role": "assistant", "loss": "none"},
            {"text": "x=1", "role": "assistant", "loss": "ce", "continues": True}]
    ids, tags = render_segments(TOK, segs)
    whole = TOK.encode_messages([{"role": "user", "content": "q"},
                                 {"role": "assistant", "content": "<think>\n\n</think>\n\nx=1"}], add_generation_prompt=False)
    assert ids == whole
    n_think = len(b"<think>\n\n</think>\n\n")
    assert tags[-(3 + 1):] == [TAG_CE] * 4  # "x=1" + the one EOS of the turn
    assert tags[-(4 + n_think):-4] == [TAG_NONE] * n_think


def test_eval_only_reports_the_loss_without_a_step():
    eng = make_engine()
    before = [p.detach().clone() for p in eng.policy.module.parameters()]
    ev = eng.train_mol({"examples": [EX], "mode": "mol", "evalOnly": True})
    assert ev["step"] == 0 and ev["ceTokens"] == 4 and ev["klTokens"] == 3
    assert all(torch.equal(a, b) for a, b in zip(before, eng.policy.module.parameters()))
    tr = eng.train_mol({"examples": [EX], "mode": "mol"})
    assert tr["step"] == 1 and tr["loss"] == pytest.approx(ev["loss"], rel=1e-5)
