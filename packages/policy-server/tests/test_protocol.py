"""The protocol schemas inside the package: copies of packages/policy-client/schemas, shipped in a wheel that
works outside the repository, validating requests and serving the OpenAPI document."""
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from conftest import require_modules
from molrl_policy import protocol
from molrl_policy.errors import ApiError

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
SOURCE = PACKAGE_ROOT.parent / "policy-client" / "schemas"
READY = re.compile(r"^molrl-policy listening on http://([0-9.]+):(\d+)$")


def test_the_package_schemas_are_the_client_schemas():
    if not SOURCE.is_dir():
        pytest.skip(f"{SOURCE} is not here (an installed package, not the repository)")
    ours = {f.name: f.read_text() for f in protocol.SCHEMA_DIR.glob("*.json")}
    theirs = {f.name: f.read_text() for f in SOURCE.glob("*.json")}
    assert ours == theirs, "molrl_policy/schemas differs from packages/policy-client/schemas: run npm run build"


def test_requests_get_the_documented_defaults():
    p = protocol.Protocol()
    prompts, n, s, seed, kv = p.parse_generate({"prompts": [{"id": "a", "text": "x"}]})
    assert (n, s.temperature, s.top_p, s.top_k, s.presence_penalty, s.max_tokens, s.stop, seed, kv) == \
        (1, 1.0, 1.0, 0, 0.0, 256, [], None, True)
    req = p.parse_train_policy({"rolloutId": "r", "advantages": [1, None], "microBatchSize": 4.0})
    assert req["lossType"] == "grpo" and req["clip"] == {"low": 0.2, "high": 0.2} and req["microBatchSize"] == 4
    assert isinstance(req["microBatchSize"], int)
    assert (req["updatesPerBatch"], req["miniBatches"]) == (1, 1)
    req = p.parse_train_policy({"rolloutId": "r", "advantages": [1], "updatesPerBatch": 2.0, "miniBatches": 3.0,
                                "lossType": "cispo", "moreRollouts": [{"rolloutId": "s", "advantages": [None]}]})
    assert (req["updatesPerBatch"], req["miniBatches"]) == (2, 3) and isinstance(req["updatesPerBatch"], int)
    for bad, path in (({"updatesPerBatch": 0}, "updatesPerBatch"), ({"miniBatches": 1.5}, "miniBatches"),
                      ({"moreRollouts": [{"rolloutId": "s"}]}, "moreRollouts[0]")):
        with pytest.raises(ApiError) as e:
            p.parse_train_policy({"rolloutId": "r", "advantages": [1], **bad})
        assert e.value.status == 400 and e.value.path == path
    assert p.parse_train_mol({"examples": [{"segments": [{"text": "x", "loss": "ce"}]}]})["mode"] == "mol"


def test_schema_errors_are_readable_and_short():
    p = protocol.Protocol()
    with pytest.raises(ApiError) as e:
        p.parse_generate({"prompts": [{"id": "a", "text": "x"}], "sampling": {"temprature": 1}})
    assert e.value.path == "sampling" and 'unexpected property "temprature"; expected one of: temperature' in e.value.message
    with pytest.raises(ApiError) as e:
        p.parse_generate({"prompts": "x" * 100_000})
    assert e.value.path == "prompts" and "is not of type 'array'" in e.value.message and len(e.value.message) < 400
    with pytest.raises(ApiError) as e:
        p.parse_generate({"prompts": [{"id": "a"}]})
    assert e.value.path == "prompts[0]" and "{id, messages, chatTemplateKwargs?}; {id, text}" in e.value.message


def _site_packages(python: Path) -> str:
    out = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_a_wheel_installed_outside_the_repository_validates_requests(tmp_path):
    """Build a wheel from a copy of the package alone, install it (no deps) into a fresh venv that sees this
    environment's torch and jsonschema, start its `molrl-policy` from another directory and send it requests."""
    require_modules("setuptools")
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(PACKAGE_ROOT / name, src / name)
    shutil.copytree(PACKAGE_ROOT / "molrl_policy", src / "molrl_policy",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MOLRL_SCHEMA_DIR")}
    wheels = tmp_path / "wheels"
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                        "-q", "-w", str(wheels), str(src)], capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode == 0, r.stderr
    wheel = next(wheels.glob("molrl_policy-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    # The dependencies (torch, jsonschema) come from this environment: a plain path entry, so that none of its
    # own .pth files (the repository's editable install) is processed.
    Path(_site_packages(py), "molrl-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    r = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--no-index", "-q",
                        str(wheel)], capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode == 0, r.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run([str(py), "-c", "import molrl_policy.protocol as p; print(p.SCHEMA_DIR)"], cwd=elsewhere,
                           capture_output=True, text=True, timeout=120, env=env, check=True).stdout.strip()
    assert where.startswith(str(venv)) and Path(where, "generate-request.json").is_file()

    proc = subprocess.Popen([str(venv / "bin" / "molrl-policy"), "--port", "0", "--model-config",
                             '{"n_layer": 1, "n_head": 2, "d_model": 16, "context": 32}'],
                            cwd=elsewhere, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().rstrip("\n")
        m = READY.match(line)
        assert m, f"no ready line: {line!r}"
        conn = http.client.HTTPConnection(m.group(1), int(m.group(2)), timeout=60)
        json_type = {"Content-Type": "application/json"}
        conn.request("POST", "/v1/generate", body=json.dumps({"prompts": [{"id": "a", "text": "x"}], "n": 0}),
                     headers=json_type)
        r = conn.getresponse()
        err = json.loads(r.read())["error"]
        assert r.status == 400 and err["code"] == "BAD_REQUEST" and err["path"] == "n" and "minimum of 1" in err["message"]
        conn.request("POST", "/v1/generate", body=json.dumps({"prompts": [{"id": "a", "text": "x"}], "n": 2,
                                                              "sampling": {"maxTokens": 3}}), headers=json_type)
        r = conn.getresponse()
        assert r.status == 200 and len(json.loads(r.read())["completions"]) == 2
        conn.request("GET", "/openapi.json")
        r = conn.getresponse()
        assert r.status == 200 and json.loads(r.read())["openapi"] == "3.1.0"
    finally:
        proc.terminate()
        proc.wait(30)
