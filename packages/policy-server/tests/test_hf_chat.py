"""Chat templates of a real tokenizer (Qwen3's template, offline BPE): prompts, template options, and MoL / SFT
conversations rendered exactly as apply_chat_template, with loss tags on the right tokens."""
import pytest

from conftest import make_hf_engine, require_modules
from molrl_policy.generate import Sampling
from molrl_policy.tokenizer import TAG_CE, TAG_KL, TAG_NONE, render_segments

CONVERSATIONS = [
    [{"role": "user", "content": "Q: 5-2\nA:"}, {"role": "assistant", "content": "print(5-2)"}],
    [{"role": "system", "content": "You write Python."},
     {"role": "user", "content": "Sum 1..4"},
     {"role": "assistant", "content": "<think>\nloop or formula\n</think>\n\nprint(sum(range(5)))"},
     {"role": "tool", "content": "10"},
     {"role": "tool", "content": "exit code 0"},
     {"role": "user", "content": "now the product"},
     {"role": "assistant", "content": "<think>\nmath.prod\n</think>\n\nimport math\nprint(math.prod(range(1, 5)))"}],
    [{"role": "system", "content": "s"}, {"role": "user", "content": "a"}, {"role": "assistant", "content": "s"},
     {"role": "user", "content": "<tool_response>\nx\n</tool_response>"}, {"role": "assistant", "content": "user"}],
]


@pytest.fixture(scope="module")
def tok(hf_dirs):
    from molrl_policy.hf_chat import HFTokenizer

    return HFTokenizer.load(hf_dirs("qwen3"), None)


def test_encode_messages_equals_apply_chat_template(tok):
    """transformers 5 returns a BatchEncoding from apply_chat_template(tokenize=True): its ids, not its keys."""
    for conv in CONVERSATIONS:
        want = tok.tok.apply_chat_template(conv[:-1], tokenize=True, add_generation_prompt=True)
        want = want["input_ids"] if hasattr(want, "keys") else want
        assert tok.encode_messages(conv[:-1]) == list(want)


@pytest.mark.parametrize("conv", CONVERSATIONS)
def test_the_per_turn_split_reproduces_apply_chat_template(tok, conv):
    segs = [{"role": m["role"], "text": m["content"], "loss": "ce" if m["role"] == "assistant" else "none"}
            for m in conv]
    ids, tags = render_segments(tok, segs)
    want = tok.tok.apply_chat_template(conv, tokenize=True)
    assert ids == list(want["input_ids"] if hasattr(want, "keys") else want)
    im_end = tok.tok.convert_tokens_to_ids("<|im_end|>")
    last = conv[-1]["content"].split("</think>")[-1].lstrip("\n")
    want_last = tok.encode_raw(last) + [im_end]
    assert ids[-len(want_last) - 1: -1] == want_last and tags[-len(want_last) - 1: -1] == [TAG_CE] * len(want_last)
    assert tags[-1] == TAG_NONE  # the "\n" after <|im_end|>
    # Only assistant turns are trained on: each shows its content as the template prints it (Qwen3 drops the
    # <think> block of turns before the last user query) plus its <|im_end|>.
    text = tok.tok.apply_chat_template(conv, tokenize=False)
    shown = [m["content"] if m["content"] in text else m["content"].split("</think>")[-1].lstrip("\n")
             for m in conv if m["role"] == "assistant"]
    assert tags.count(TAG_CE) == sum(len(tok.encode_raw(c)) + 1 for c in shown)


def test_enable_thinking_per_request_and_per_prompt(hf_dirs):
    eng = make_hf_engine(hf_dirs("qwen3"))
    msgs = [{"role": "user", "content": "hi"}]
    think = eng.policy.tok.encode_raw("<think>\n\n</think>\n\n")
    plain = eng.encode_prompt({"id": "a", "messages": msgs}, 0)
    off = eng.encode_prompt({"id": "a", "messages": msgs}, 0, {"enable_thinking": False})
    assert off == plain + think
    per_prompt = {"id": "b", "messages": msgs, "chatTemplateKwargs": {"enable_thinking": True}}
    assert eng.encode_prompt(per_prompt, 0, {"enable_thinking": False}) == plain  # the prompt's own wins
    rid, _ = eng.generate([{"id": "a", "messages": msgs}, per_prompt], 1, Sampling(max_tokens=2), 0,
                          template_kwargs={"enable_thinking": False})
    rows = eng.rollouts.get(rid).rows
    assert rows[0].prompt_ids == off and rows[1].prompt_ids == plain


MOL = [{"segments": [
    {"role": "system", "text": "You write Python.", "loss": "none"},
    {"role": "user", "text": "Sum 1..4", "loss": "none"},
    {"role": "assistant", "text": "print(sum(range(5)))", "loss": "kl"},
    {"role": "user", "text": "Observation: 10", "loss": "ce"},
    {"role": "assistant", "text": "done: 10", "loss": "kl"}]}]


@pytest.mark.parametrize("mode", ["mol", "ce", "ce_nokl"])
def test_mol_modes_train_on_the_tagged_turns_with_exact_token_counts(hf_dirs, mode):
    eng = make_hf_engine(hf_dirs("qwen3"))
    tok = eng.policy.tok
    n = lambda text: len(tok.encode_raw(text)) + 1  # content + its <|im_end|>
    kl = n("print(sum(range(5)))") + n("done: 10")
    ce = n("Observation: 10")
    want = {"mol": (ce, kl), "ce": (ce + kl, 0), "ce_nokl": (ce, 0)}[mode]
    out = eng.train_mol({"examples": MOL, "mode": mode})
    assert (out["ceTokens"], out["klTokens"]) == want
    if mode == "mol":
        assert out["kl"] == pytest.approx(0, abs=1e-6)  # before any step the policy is the reference
        assert eng.train_mol({"examples": MOL, "mode": mode, "evalOnly": True})["kl"] > 0
    ids, tags = render_segments(tok, MOL[0]["segments"])
    assert tags.count(TAG_CE) == ce and tags.count(TAG_KL) == kl


def test_continued_segments_split_one_turn(hf_dirs):
    """ce_eetb: an assistant turn cut into pieces with different losses renders as the single turn."""
    require_modules("transformers")
    eng = make_hf_engine(hf_dirs("qwen3"))
    tok = eng.policy.tok
    segs = [{"role": "user", "text": "go", "loss": "none"},
            {"role": "assistant", "text": "<think>\n\n</think>\n\n", "loss": "none"},
            {"role": "assistant", "text": "print(1)", "loss": "ce", "continues": True}]
    ids, tags = render_segments(tok, segs)
    conv = [{"role": "user", "content": "go"}, {"role": "assistant", "content": "<think>\n\n</think>\n\nprint(1)"}]
    assert ids == list(tok.tok.apply_chat_template(conv, tokenize=True)["input_ids"])
    assert tags.count(TAG_CE) == len(tok.encode_raw("print(1)")) + 1
