"""Hostile requests against the real server over real sockets: each is answered with a coded 4xx (never a 500,
a hang or a huge read), the model lock is never held by a client, and the server keeps serving after each."""
import json
import socket
import threading
import time

import pytest

from conftest import make_engine
from molrl_policy.server import App, Handler, make_server
from server_process import call, run_main, server_log, start, stop

TINY = '{"n_layer": 1, "n_head": 2, "d_model": 16, "context": 32}'
GEN = {"prompts": [{"id": "a", "text": "hi"}], "n": 2, "sampling": {"maxTokens": 3, "temperature": 0}, "seed": 1}


@pytest.fixture(scope="module")
def proc():
    p, host, port = start("--model-config", TINY, "--token", "s3cret")
    yield p, (host, port)
    assert stop(p) == 0


@pytest.fixture(scope="module")
def server(proc):
    return proc[1]


AUTH = {"Authorization": "Bearer s3cret"}


def raw_exchange(server, head: bytes, body: bytes = b"", timeout: float = 30) -> tuple[int, dict]:
    """Send raw request bytes and keep the connection open (never half-close): the answer must come anyway."""
    with socket.create_connection(server, timeout=timeout) as s:
        s.sendall(head + body)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            assert chunk, f"connection closed without an answer: {data!r}"
            data += chunk
        header, _, rest = data.partition(b"\r\n\r\n")
        length = int([ln.split(b":")[1] for ln in header.split(b"\r\n") if ln.lower().startswith(b"content-length")][0])
        while len(rest) < length:
            chunk = s.recv(65536)
            assert chunk, "connection closed mid-answer"
            rest += chunk
    return int(header.split(b" ")[1]), json.loads(rest[:length])


def head(path: str, length: str, extra: str = "Authorization: Bearer s3cret\r\n") -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n"
            f"{extra}\r\n").encode()


def still_serving(server) -> None:
    st, out = call(server, "POST", "/v1/generate", GEN, AUTH)
    assert st == 200 and len(out["completions"]) == 2


@pytest.mark.parametrize("length", ["-1", "+5", "1e3", "0x10", " 12", "99999999999999999999999999"])
def test_a_bad_content_length_is_refused_without_reading_the_stream(server, length):
    st, out = raw_exchange(server, head("/v1/generate", length), b'{"prompts": [')
    assert st in (400, 413) and out["error"]["code"] in ("BAD_REQUEST", "PAYLOAD_TOO_LARGE"), out
    still_serving(server)


def test_the_token_is_checked_before_a_byte_of_the_body_is_read(server):
    st, out = raw_exchange(server, head("/v1/train/mol", "100000000", extra=""))  # the 100 MB never come
    assert st == 401 and out["error"]["code"] == "UNAUTHORIZED"
    st, out = raw_exchange(server, head("/v1/train/mol", "100000000", extra="Authorization: Bearer wrong\r\n"))
    assert st == 401
    still_serving(server)


def test_a_body_over_the_limit_is_refused_before_it_is_read(server):
    st, out = raw_exchange(server, head("/v1/generate", str(600 << 20)))
    err = out["error"]
    assert st == 413 and err["code"] == "PAYLOAD_TOO_LARGE" and err["details"] == {
        "limit": "--max-body-bytes", "max": 256 << 20, "got": 600 << 20}
    assert "--max-body-bytes" in err["message"] and str(256 << 20) in err["message"]
    still_serving(server)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_only_json_bodies_are_accepted_so_web_pages_cannot_post(server, content_type):
    headers = {**AUTH, "Content-Type": content_type} if content_type else {**AUTH, "Content-Type": ""}
    st, out = call(server, "POST", "/v1/generate", GEN, headers)
    assert st == 415 and out["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert call(server, "POST", "/v1/generate", GEN, {**AUTH, "Content-Type": "application/json; charset=utf-8"})[0] == 200


def test_a_learning_rate_that_would_destroy_the_weights_is_refused(server):
    before = call(server, "POST", "/v1/generate", GEN, AUTH)[1]["completions"]
    step = call(server, "GET", "/v1/health", headers=AUTH)[1]["step"]
    mol = {"examples": [{"segments": [{"text": "ab", "loss": "ce"}]}], "learningRate": 1e10}
    st, out = call(server, "POST", "/v1/train/mol", mol, AUTH)
    assert st == 400 and out["error"]["path"] == "learningRate" and "maximum of 1" in out["error"]["message"]
    rid = call(server, "POST", "/v1/generate", GEN, AUTH)[1]["rolloutId"]
    st, out = call(server, "POST", "/v1/train/policy", {"rolloutId": rid, "advantages": [1, -1], "learningRate": 2},
                   AUTH)
    assert st == 400 and out["error"]["path"] == "learningRate"
    assert call(server, "GET", "/v1/health", headers=AUTH)[1]["step"] == step
    assert call(server, "POST", "/v1/generate", GEN, AUTH)[1]["completions"] == before  # weights unchanged


def test_an_absurd_initial_learning_rate_is_a_usage_error(capsys):
    code, err = run_main(capsys, "--lr", "1e10")
    assert code == 2 and "--lr 10000000000.0: expected a learning rate in (0, 1]" in err


def _gen(sampling: str) -> bytes:
    return ('{"prompts": [{"id": "a", "text": "hi"}], "n": 2, "sampling": {"maxTokens": 3%s}}' % sampling).encode()


@pytest.mark.parametrize("route,body,path", [
    ("/v1/generate", _gen(', "temperature": 1e308'), "sampling.temperature"),
    ("/v1/generate", _gen(', "temperature": 1e-320'), "sampling.temperature"),
    ("/v1/generate", _gen(', "temperature": 1e400'), "sampling.temperature"),  # beyond a float: parses as inf
    ("/v1/generate", b'{"prompts": [{"id": "a", "text": "\\ud800"}]}', "prompts[0].text"),
    ("/v1/generate", b'{"prompts": [{"id": "\\udc00x", "text": "x"}]}', "prompts[0].id"),
    ("/v1/generate", b'{"prompts": [{"id": "a", "text": "x"}], "sampling": {"stop": ["\\ud83d"]}}', "sampling.stop[0]"),
    ("/v1/generate", b'{"prompts": [{"id": "a", "text": "x"}], "\\ud800": 1}', ""),
    ("/v1/train/mol", b'{"examples": [{"segments": [{"text": "\\udfff", "loss": "ce"}]}]}',
     "examples[0].segments[0].text"),
    ("/v1/checkpoint/save", b'{"path": "ck\\ud800"}', "path"),
    ("/v1/generate", b"[" * 100_000 + b"]" * 100_000, ""),
    ("/v1/generate", b'{"prompts": ' + b"[" * 900 + b"]" * 900 + b"}", None),
    ("/v1/generate", b'{"prompts": [{"id": "a", "text": "x"}], "seed": ' + b"9" * 5000 + b"}", ""),
    ("/v1/generate", b'{"prompts": [{"id": "a", "text": "x"}], "seed": 1180591620717411303424}', "seed"),
    ("/v1/generate", b'{"prompts": [{"id": "a", "text": "x"}], "n": 1.5}', "n"),
    ("/v1/generate", b'{"prompts": [{"id": "' + b"i" * 513 + b'", "text": "x"}]}', "prompts[0].id"),
    ("/v1/generate", b"\xff\xfe{}", ""),
])
def test_hostile_values_are_400_not_500_and_the_server_survives(server, route, body, path):
    st, out = call(server, "POST", route, raw=body, headers=AUTH)
    assert st == 400 and out["error"]["code"] == "BAD_REQUEST", (st, out)
    assert path is None or out["error"]["path"] == path, out
    assert len(out["error"]["message"]) < 1000
    still_serving(server)


def test_surrogate_pairs_are_text(server):
    st, out = call(server, "POST", "/v1/generate", raw=b'{"prompts": [{"id": "\\ud83d\\ude00", "text": "\\ud83d\\ude00"}]'
                   b', "sampling": {"maxTokens": 2}}', headers=AUTH)
    assert st == 200 and out["completions"][0]["promptId"] == "\U0001F600"


def test_no_stack_trace_in_the_log_for_any_of_them(proc):
    assert "Traceback" not in server_log(proc[0])


class SmallSocketBuffers(Handler):
    """Fault injection: a congested link, so that a client that stops reading blocks the server's writes at once."""

    def setup(self) -> None:
        self.request.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        super().setup()


def test_a_streaming_client_that_stops_reading_never_holds_the_model(capfd):
    app = App(make_engine(), "tiny", None, socket_timeout=2.0)
    httpd = make_server(app, "127.0.0.1", 0, SmallSocketBuffers)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    addr = httpd.server_address
    stalled = socket.socket()
    try:
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stalled.connect(addr)
        many = {"prompts": [{"id": f"{i:03d}" + "p" * 500, "text": "go"} for i in range(64)], "n": 8,
                "sampling": {"maxTokens": 4}, "seed": 3}  # about 300 kB of NDJSON, far more than the buffers hold
        body = json.dumps(many).encode()
        stalled.sendall(f"POST /v1/generate HTTP/1.1\r\nHost: x\r\nAccept: application/x-ndjson\r\nContent-Type: "
                        f"application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
        # ... and never reads. Another client's generate must still get the model:
        st, out = call(addr, "POST", "/v1/generate", GEN)
        assert st == 200 and len(out["completions"]) == 2
        log = ""
        for _ in range(300):  # the server drops the stalled client once a write waited socket_timeout
            log += capfd.readouterr().err
            if "dropped a streaming client" in log:
                break
            time.sleep(0.1)
        assert "dropped a streaming client" in log
        assert not app.lock.locked()
    finally:
        stalled.close()
        httpd.shutdown()
        httpd.server_close()
