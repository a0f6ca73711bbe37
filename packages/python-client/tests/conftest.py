"""Fixtures of the molrl-client tests: one real `molrl serve` for the session."""
import pytest

from serve_helpers import Serve, code_config, require_docker


@pytest.fixture(scope="session")
def serve():
    """One server for the session: code execution + fault injection on a docker pool of 2."""
    require_docker()
    server = Serve(code_config())
    yield server
    assert server.stop() == 130, server.stderr
