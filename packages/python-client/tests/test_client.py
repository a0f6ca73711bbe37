"""MolrlClient against a real `molrl serve`: retries an overload answer (429 with Retry-After), refuses a bad request."""
import pytest

from serve_helpers import Serve, code_config, hold_the_slot, release_after, require_docker


def test_score_retries_a_429_until_the_server_has_room():
    from molrl_client import MolrlClient

    require_docker()
    server = Serve(code_config(pool_size=1), "--concurrency", "1", "--queue", "0")
    try:
        holder = hold_the_slot(server)
        releaser = release_after(server, holder, "molrl_serve_requests_total", route="/v1/score", status="429")
        [result] = MolrlClient(server.url, retries=5, backoff=0.2).score([{"id": "a", "completion": "```python\nprint(1)\n```", "groundTruth": "1"}])
        releaser.join(30)
        assert result["score"] == 1.0 and result["status"] == "ok"
        assert server.metric("molrl_serve_requests_total", route="/v1/score", status="429") >= 1
    finally:
        assert server.stop() == 130, server.stderr


def test_score_raises_the_server_code_for_a_bad_request(serve):
    from molrl_client import MolrlClient, MolrlClientError

    with pytest.raises(MolrlClientError) as info:
        MolrlClient(serve.url).score([{"id": "a"}])
    assert info.value.status == 400 and info.value.code == "SERVE_REQUEST_INVALID"
