"""SandboxFusion's own client package (sandbox-fusion from PyPI) against a real `molrl serve` /run_code."""
import base64

import pytest

from serve_helpers import require_modules

require_modules("sandbox_fusion")

from sandbox_fusion import RunCodeRequest, RunStatus, run_code, summary_run_code_result, SummaryMapping  # noqa: E402


def run(serve, **kw):
    return run_code(RunCodeRequest(**kw), endpoint=serve.url, max_attempts=1)


def test_ok(serve):
    r = run(serve, code="print(6 * 7)", language="python")
    assert r.status == RunStatus.Success
    assert r.run_result.status == "Finished" and r.run_result.return_code == 0
    assert r.run_result.stdout == "42\n"
    assert summary_run_code_result(r, SummaryMapping()) == "Success"


def test_runtime_error(serve):
    r = run(serve, code="raise ValueError('nope')", language="python")
    assert r.status == RunStatus.Failed
    assert r.run_result.status == "Finished" and r.run_result.return_code == 1
    assert "ValueError: nope" in r.run_result.stderr
    assert summary_run_code_result(r, SummaryMapping(RunFailed="RunFailed")) == "RunFailed"


def test_timeout(serve):
    r = run(serve, code="while True: pass", language="python", run_timeout=0.5)
    assert r.status == RunStatus.Failed
    assert r.run_result.status == "TimeLimitExceeded"
    assert "time limit" in r.message
    assert summary_run_code_result(r, SummaryMapping(RunTimeout="RunTimeout")) == "RunTimeout"


def test_stdin(serve):
    r = run(serve, code="a, b = map(int, input().split())\nprint(a + b)", language="python", stdin="3 4\n")
    assert r.status == RunStatus.Success and r.run_result.stdout == "7\n"


def test_files(serve):
    data = base64.b64encode("1\n2\n3\n".encode()).decode()
    r = run(serve, code="print(sum(int(x) for x in open('data/nums.txt')))", language="python", files={"data/nums.txt": data})
    assert r.status == RunStatus.Success, r
    assert r.run_result.stdout == "6\n"


def test_memory_limit_is_told_apart(serve):
    r = run(serve, code="x = bytearray(10**9)", language="python")
    assert r.status == RunStatus.Failed
    assert r.run_result.return_code not in (None, 0)
    assert "memory limit" in r.message


def test_unsupported_language_is_a_clear_400(serve):
    with pytest.raises(Exception) as info:
        run(serve, code="int main() { return 0; }", language="cpp")
    assert "400" in str(info.value) and "SERVE_LANGUAGE_UNSUPPORTED" in str(info.value)
    assert "python" in str(info.value)
