"""Request limits on the real server: each exceeded limit is a coded 4xx naming the limit, its value and its
flag; requests within the limits are served; the limits are flags."""
import pytest

from server_process import call, run_main, start, stop

TINY = '{"n_layer": 1, "n_head": 2, "d_model": 16, "context": 32}'
SHORT = {"maxTokens": 2}  # the default 256 is over this server's --max-tokens
FLAGS = {"--max-body-bytes": 4000, "--max-prompts": 3, "--max-sequences": 8, "--max-tokens": 5,
         "--max-prompt-chars": 12}


@pytest.fixture(scope="module")
def server():
    p, host, port = start("--model-config", TINY, *[str(x) for kv in FLAGS.items() for x in kv])
    yield host, port
    assert stop(p) == 0


def prompts(k: int, text: str = "hi") -> list[dict]:
    return [{"id": str(i), "text": text} for i in range(k)]


@pytest.mark.parametrize("body,flag,got,path", [
    ({"prompts": prompts(4), "sampling": SHORT}, "--max-prompts", 4, "prompts"),
    ({"prompts": prompts(3), "n": 3, "sampling": SHORT}, "--max-sequences", 9, "n"),
    ({"prompts": prompts(1), "sampling": {"maxTokens": 6}}, "--max-tokens", 6, "sampling.maxTokens"),
    ({"prompts": prompts(1, "x" * 13), "sampling": SHORT}, "--max-prompt-chars", 13, "prompts[0]"),
    ({"prompts": [{"id": "m", "messages": [{"role": "user", "content": "x" * 7}, {"role": "user", "content": "y" * 6}]}],
      "sampling": SHORT}, "--max-prompt-chars", 13, "prompts[0]"),
])
def test_each_generate_limit_is_a_coded_error_naming_it(server, body, flag, got, path):
    st, out = call(server, "POST", "/v1/generate", body)
    err = out["error"]
    assert st == 400 and err["code"] == "LIMIT_EXCEEDED" and err["path"] == path
    assert err["details"] == {"limit": flag, "max": FLAGS[flag], "got": got}
    assert f"the limit is {FLAGS[flag]} ({flag})" in err["message"] and f"is {got};" in err["message"]


def test_requests_at_the_limits_are_served(server):
    st, out = call(server, "POST", "/v1/generate", {"prompts": prompts(2, "x" * 12), "n": 4,
                                                      "sampling": {"maxTokens": 5}})
    assert st == 200 and len(out["completions"]) == 8


def test_the_body_limit_is_413_naming_it(server):
    st, out = call(server, "POST", "/v1/train/mol", {"examples": [{"segments": [{"text": "x" * 5000, "loss": "ce"}]}]})
    err = out["error"]
    assert st == 413 and err["code"] == "PAYLOAD_TOO_LARGE" and err["details"]["limit"] == "--max-body-bytes"
    assert err["details"]["max"] == 4000 and err["details"]["got"] > 5000


def test_the_protocol_bounds_name_their_value(server):
    st, out = call(server, "POST", "/v1/generate", {"prompts": prompts(1), "n": 1025, "sampling": SHORT})
    assert st == 400 and out["error"]["path"] == "n" and "maximum of 1024" in out["error"]["message"]


def test_a_prompt_longer_than_the_context_is_prompt_too_long(server):
    st, out = call(server, "POST", "/v1/generate", {"prompts": [{"id": "long", "messages": [{"role": "user", "content": "x" * 12}]}],
                                                      "sampling": SHORT})
    # 12 characters pass --max-prompt-chars; with the chat template they exceed the 32-token context
    assert st == 400 and out["error"]["code"] == "PROMPT_TOO_LONG" and out["error"]["path"] == "prompts[0]"


@pytest.mark.parametrize("flag", sorted(FLAGS))
def test_a_limit_below_one_is_a_usage_error(flag, capsys):
    code, err = run_main(capsys, flag, "0")
    assert code == 2 and f"{flag} must be >= 1 (got 0)" in err
