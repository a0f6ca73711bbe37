"""In-process server: out-of-memory and internal errors are coded, mid-stream failures end the stream with an
error line, and the server keeps answering."""
import http.client
import json
import threading

import pytest
import torch

from conftest import make_engine
from molrl_policy.generate import Sampling
from molrl_policy.server import App, make_server

GEN = {"prompts": [{"id": "a", "text": "hi"}], "n": 2, "sampling": {"maxTokens": 4}}


@pytest.fixture
def app_server():
    app = App(make_engine(), "tiny", None)
    httpd = make_server(app, "127.0.0.1", 0)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield app, httpd.server_address
    httpd.shutdown()
    httpd.server_close()


def post(addr, path, body, headers=None):
    c = http.client.HTTPConnection(*addr, timeout=30)
    c.request("POST", path, body=json.dumps(body), headers={"Content-Type": "application/json", **(headers or {})})
    r = c.getresponse()
    return r.status, r.read().decode()


def test_out_of_memory_is_coded_and_the_server_survives(app_server, monkeypatch):
    app, addr = app_server

    def oom(*a, **k):
        raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(app.engine, "train_mol", oom)
    st, body = post(addr, "/v1/train/mol", {"examples": [{"segments": [{"text": "x", "loss": "ce"}]}]})
    assert st == 500 and json.loads(body)["error"]["code"] == "OUT_OF_MEMORY"
    assert post(addr, "/v1/generate", GEN)[0] == 200


def test_internal_errors_carry_no_stack_trace(app_server, monkeypatch):
    app, addr = app_server
    monkeypatch.setattr(app.engine, "train_policy", lambda req: 1 / 0)
    st, body = post(addr, "/v1/train/policy", {"rolloutId": "r", "advantages": [1]})
    err = json.loads(body)["error"]
    assert st == 500 and err["code"] == "INTERNAL" and "Traceback" not in body and "ZeroDivisionError" in err["message"]


def test_a_failure_after_the_stream_started_ends_it_with_an_error_line(app_server, monkeypatch):
    app, addr = app_server
    real = app.engine.generate

    def failing(prompts, n, s, seed, on_start=None, on_finish=None, kv_cache=True, *rest):
        def boom(c):
            raise RuntimeError("device lost")
        return real(prompts, n, s, seed, on_start, boom, kv_cache)

    monkeypatch.setattr(app.engine, "generate", failing)
    st, body = post(addr, "/v1/generate", GEN, {"Accept": "application/x-ndjson"})
    lines = [json.loads(x) for x in body.splitlines()]
    assert st == 200 and lines[0]["type"] == "rollout"
    assert lines[-1]["type"] == "error" and lines[-1]["error"]["code"] == "INTERNAL"
    monkeypatch.undo()
    assert post(addr, "/v1/generate", GEN)[0] == 200


def test_nan_and_infinity_in_a_request_are_rejected(app_server):
    _, addr = app_server
    c = http.client.HTTPConnection(*addr, timeout=30)
    c.request("POST", "/v1/train/policy", body='{"rolloutId": "r", "advantages": [NaN, Infinity]}',
              headers={"Content-Type": "application/json"})
    r = c.getresponse()
    assert r.status == 400 and json.loads(r.read())["error"]["code"] == "BAD_REQUEST"


def test_a_non_finite_loss_skips_the_update_with_a_coded_error(app_server):
    app, addr = app_server
    rid, _ = app.engine.generate([{"id": "a", "text": "x"}], 2, Sampling(max_tokens=3), 0)
    before = [p.detach().clone() for p in app.engine.policy.module.parameters()]
    st, body = post(addr, "/v1/train/policy", {"rolloutId": rid, "advantages": [1e308, -1e308], "lossType": "dapo"})
    assert st == 500 and json.loads(body)["error"]["code"] == "NON_FINITE_LOSS"
    assert app.engine.step == 0
    assert all(torch.equal(a, b) for a, b in zip(before, app.engine.policy.module.parameters()))


def test_stream_lines_are_flushed_as_completions_finish(app_server, monkeypatch):
    app, addr = app_server
    finish = threading.Event()
    comp = {"promptId": "a", "index": 0, "text": "x", "tokenCount": 1, "finishReason": "stop"}

    def slow(prompts, n, s, seed, on_start=None, on_finish=None, kv_cache=True, *rest):
        on_start("r-slow")
        on_finish(comp)
        assert finish.wait(60)  # generation goes on until the client has read the completion
        return "r-slow", [comp]

    monkeypatch.setattr(app.engine, "generate", slow)
    c = http.client.HTTPConnection(*addr, timeout=30)
    c.request("POST", "/v1/generate", body=json.dumps(GEN), headers={"Accept": "application/x-ndjson", "Content-Type": "application/json"})
    r = c.getresponse()
    assert json.loads(r.readline())["type"] == "rollout"
    assert json.loads(r.readline()) == {"type": "completion", "completion": comp}
    assert not finish.is_set() and app.lock.locked()  # read while generation still runs
    finish.set()
    assert json.loads(r.readline()) == {"type": "done", "rolloutId": "r-slow", "completions": 1}


@pytest.mark.parametrize("path,body,where", [
    ("/v1/generate", {"prompts": [{"id": "a", "text": "x"}], "sampling": {"temprature": 1}}, "sampling"),
    ("/v1/generate", {"prompts": [{"id": "a", "text": "x", "extra": 1}]}, "prompts[0]"),
    ("/v1/generate", {"prompts": [{"id": "a", "text": "x"}], "n": 0}, "n"),
    ("/v1/train/policy", {"rolloutId": "r", "advantages": [1, "x"]}, "advantages[1]"),
    ("/v1/train/policy", {"rolloutId": "r", "advantages": [1], "clip": {"low": -1}}, "clip.low"),
    ("/v1/train/mol", {"examples": [{"segments": [{"text": "x", "loss": "ce", "role": "bot"}]}]},
     "examples[0].segments[0].role"),
    ("/v1/train/mol", {"examples": [], "mode": "ce"}, "examples"),
    ("/v1/train/mol", {"examples": [{"segments": [{"text": "x", "loss": "ce", "role": "user"},
                                                  {"text": "y", "loss": "ce", "role": "tool", "continues": True}]}]},
     "examples[0].segments[1].continues"),
    ("/v1/train/mol", {"examples": [{"segments": [{"text": "x", "loss": "ce"}]}], "evalOnly": 1}, "evalOnly"),
    ("/v1/checkpoint/save", {"path": ""}, "path"),
])
def test_schema_errors_name_the_field(path, body, where):
    app = App(make_engine(), "tiny", None)
    httpd = make_server(app, "127.0.0.1", 0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        st, out = post(httpd.server_address, path, body)
        assert st == 400 and json.loads(out)["error"]["path"] == where
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_health_answers_while_a_generation_holds_the_model(app_server, monkeypatch):
    app, addr = app_server
    real, release, entered = app.engine.generate, threading.Event(), threading.Event()

    def held(*args):
        entered.set()
        assert release.wait(60)  # keeps the model lock until the test has asked for health
        return real(*args)

    monkeypatch.setattr(app.engine, "generate", held)
    done = []
    t = threading.Thread(target=lambda: done.append(post(addr, "/v1/generate", GEN)[0]))
    t.start()
    assert entered.wait(60) and app.lock.locked()
    c = http.client.HTTPConnection(*addr, timeout=30)
    c.request("GET", "/v1/health")
    r = c.getresponse()
    assert r.status == 200 and json.loads(r.read())["status"] == "ok" and done == []
    release.set()
    t.join(60)
    assert done == [200]
