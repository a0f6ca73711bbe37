"""The real HTTP server in a subprocess: ready line, every endpoint, streaming, coded errors, auth, clean exit."""
import http.client
import json
import os
import subprocess
import sys

import pytest

from server_process import ROOT, call, conforms, start, stop


@pytest.fixture(scope="module")
def ckroot(tmp_path_factory):
    return tmp_path_factory.mktemp("checkpoints")


@pytest.fixture(scope="module")
def server(ckroot):
    p, host, port = start("--model-config", '{"n_layer": 2, "d_model": 64}', "--verbose", "--checkpoint-root", str(ckroot))
    yield host, port
    assert stop(p) == 0


GEN = {"prompts": [{"id": "p1", "text": "Q: 1+1\nA:"}, {"id": "p2", "messages": [{"role": "user", "content": "x"}]}],
       "n": 3, "sampling": {"temperature": 1.0, "maxTokens": 12, "stop": ["\n"]}, "seed": 4}


def test_health(server):
    st, h = call(server, "GET", "/v1/health")
    assert st == 200 and h["status"] == "ok" and h["model"] == "tiny" and h["device"] == "cpu"
    assert h["protocolVersion"] == "1" and isinstance(h["step"], int) and conforms("health-response", h)


def test_generate_stream_and_train_round_trip(server, ckroot):
    st, g = call(server, "POST", "/v1/generate", GEN)
    assert st == 200 and len(g["completions"]) == 6 and conforms("generate-response", g)
    assert [(c["promptId"], c["index"]) for c in g["completions"]] == [(p, i) for p in ("p1", "p2") for i in range(3)]
    st, text = call(server, "POST", "/v1/generate", GEN, {"Accept": "application/x-ndjson"})
    lines = [json.loads(x) for x in text.splitlines()]
    assert st == 200 and lines[0]["type"] == "rollout" and lines[-1] == {
        "type": "done", "rolloutId": lines[0]["rolloutId"], "completions": 6}
    assert all(conforms("generate-stream-line", x) for x in lines)
    streamed = sorted((x["completion"] for x in lines[1:-1]), key=lambda c: (c["promptId"], c["index"]))
    assert streamed == g["completions"]  # same seed, same completions
    st, tp = call(server, "POST", "/v1/train/policy", {"rolloutId": lines[0]["rolloutId"],
                                                        "advantages": [1, -1, 0, None, 0.5, -0.5],
                                                        "lossType": "dr_grpo", "beta": 0.04, "microBatchSize": 2})
    assert st == 200 and conforms("train-policy-response", tp)
    st, tm = call(server, "POST", "/v1/train/mol", {"examples": [{"segments": [
        {"text": "q", "role": "user", "loss": "none"}, {"text": "a", "role": "assistant", "loss": "ce"}]}]})
    assert st == 200 and tm["step"] == tp["step"] + 1 and tm["ceTokens"] == 2 and conforms("train-mol-response", tm)
    st, sv = call(server, "POST", "/v1/checkpoint/save", {"path": str(ckroot / "ck")})
    assert st == 200 and sv["step"] == tm["step"] and conforms("checkpoint-response", sv)
    st, ld = call(server, "POST", "/v1/checkpoint/load", {"path": "ck"})  # relative: from the checkpoint root
    assert st == 200 and ld["step"] == tm["step"] and ld["path"] == str(ckroot / "ck")


@pytest.mark.parametrize("body,path", [
    ({"prompts": []}, "prompts"),
    ({"prompts": [{"id": "a", "text": "x"}], "n": "3"}, "n"),
    ({"prompts": [{"id": "a", "text": "x"}], "sampling": {"topP": 1.5}}, "sampling.topP"),
    ({"prompts": [{"id": "a", "text": "x"}], "sampling": {"temprature": 1}}, "sampling"),
    ({"prompts": [{"id": "a", "messages": [{"role": "robot", "content": "x"}]}]}, "prompts[0].messages[0].role"),
    ({"prompts": [{"id": "a", "text": "x" * 200}]}, "prompts[0]"),
])
def test_malformed_generate_is_400_with_a_path_and_the_server_survives(server, body, path):
    st, err = call(server, "POST", "/v1/generate", body)
    assert st == 400 and err["error"]["path"] == path and conforms("error", err)
    assert call(server, "GET", "/v1/health")[0] == 200


def test_other_errors_are_coded(server):
    st, err = call(server, "POST", "/v1/generate", raw=b"{not json")
    assert st == 400 and err["error"]["code"] == "BAD_REQUEST"
    st, err = call(server, "POST", "/v1/train/policy", {"rolloutId": "r-gone", "advantages": [1.0]})
    assert st == 404 and err["error"]["code"] == "ROLLOUT_NOT_FOUND"
    st, err = call(server, "POST", "/v1/train/mol", {"examples": [{"segments": [{"text": "x", "loss": "kl2"}]}]})
    assert st == 400 and err["error"]["path"] == "examples[0].segments[0].loss"
    st, err = call(server, "POST", "/v1/train/policy", {"rolloutId": "x", "advantages": [1], "lossType": "ppo"})
    assert st == 400 and err["error"]["path"] == "lossType"
    st, err = call(server, "GET", "/v1/nope")
    assert st == 404 and err["error"]["code"] == "NOT_FOUND"
    st, err = call(server, "POST", "/v1/checkpoint/load", {"path": "nonexistent/ck"})
    assert st == 404 and err["error"]["code"] == "CHECKPOINT_NOT_FOUND"


def test_keep_alive_connection_serves_several_requests(server):
    c = http.client.HTTPConnection(*server, timeout=30)
    for _ in range(3):
        c.request("POST", "/v1/generate", body=json.dumps(GEN), headers={"Accept": "application/x-ndjson", "Content-Type": "application/json"})
        r = c.getresponse()
        assert r.status == 200 and r.read().decode().splitlines()[-1].startswith('{"type": "done"')
        c.request("GET", "/v1/health")
        assert json.loads(c.getresponse().read())["status"] == "ok"
    c.close()


def test_non_loopback_host_needs_a_token():
    env = {**os.environ, "PYTHONPATH": ROOT}
    r = subprocess.run([sys.executable, "-m", "molrl_policy.server", "--host", "0.0.0.0", "--port", "0"],
                       env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "--token" in r.stderr and r.stdout == ""
    p, _, port = start("--host", "0.0.0.0", "--token", "s3cret", "--model-config", '{"n_layer": 1, "d_model": 32}')
    try:
        srv = ("127.0.0.1", port)
        st, err = call(srv, "GET", "/v1/health")
        assert st == 401 and err["error"]["code"] == "UNAUTHORIZED"
        st, err = call(srv, "POST", "/v1/generate", GEN, {"Authorization": "Bearer wrong"})
        assert st == 401
        assert call(srv, "GET", "/v1/health", headers={"Authorization": "Bearer s3cret"})[0] == 200
    finally:
        assert stop(p) == 0


def test_openapi_document_is_served_and_lists_exactly_the_routes(server):
    from molrl_policy.protocol import OPENAPI_FILE

    st, doc = call(server, "GET", "/openapi.json")
    assert st == 200 and doc == json.loads(OPENAPI_FILE.read_text())
    for path, operations in doc["paths"].items():
        for method in operations:
            st, body = call(server, method.upper(), path, {} if method == "post" else None)
            assert st in (200, 400), f"{method.upper()} {path}: {st} {body}"  # {} is a bad request, never a 404
    st, body = call(server, "POST", "/v1/train/ppo", {})
    assert st == 404 and body["error"]["code"] == "NOT_FOUND"
