"""Helpers of the molrl-client tests: a real `molrl serve` process (the CLI on the sources, a docker sandbox) and the suite's skip rule."""
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import http.client
import time
import urllib.request
from urllib.parse import urlparse

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
CLI = os.path.join(ROOT, "packages", "cli", "test", "commands", "fixtures", "molrl-cli.ts")
FAULT_PLUGIN = os.path.join(ROOT, "packages", "serve", "test", "fixtures", "fault-plugin.ts")
IMAGE = os.environ.get("MOLRL_SANDBOX_IMAGE", "molrl/sandbox-python:0.1.0")


def _missing(why: str) -> None:
    """The suite's one skip rule (as test/helpers/requirements.ts and policy-server's conftest): a loud skip
    locally, a failure on CI (CI=true), where `npm run setup` installs everything."""
    if os.environ.get("CI"):
        pytest.fail(f"needs a part that is missing on CI: {why}", pytrace=False)
    print(f"\n  !!! SKIPPED: {why}", file=sys.stderr)
    pytest.skip(why)


def require_modules(*modules: str) -> None:
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        _missing(f"{', '.join(missing)} not installed for {sys.executable}; run 'npm run setup'")


def require_docker() -> None:
    if not shutil.which("docker") or not shutil.which("node"):
        _missing("docker or node not on PATH; run 'npm run setup'")
    probe = subprocess.run(["docker", "image", "inspect", IMAGE], capture_output=True)
    if probe.returncode != 0:
        _missing(f"the sandbox image {IMAGE} is missing or Docker is down; run 'npm run setup'")


class Serve:
    """A `molrl serve` process: its URL, pid and stderr; `metric(name)` reads /metrics."""

    def __init__(self, config: dict, *flags: str, env: dict | None = None):
        self.dir = tempfile.mkdtemp(prefix="molrl-serve-test-")
        path = os.path.join(self.dir, "rewards.json")
        with open(path, "w") as f:
            json.dump(config, f)
        cmd = ["node", "--no-node-snapshot", "--conditions=molrl-src", "--disable-warning=ExperimentalWarning", CLI,
               "serve", "--config", path, "--port", "0", "--json", *flags]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env={**os.environ, **(env or {})})
        self.stderr = ""
        threading.Thread(target=self._drain, daemon=True).start()
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait(30)
            raise RuntimeError(f"molrl serve exited with {self.proc.returncode} before listening: {self.stderr}")
        self.url = json.loads(line)["url"]
        self.pid = self.proc.pid

    def _drain(self) -> None:
        for chunk in self.proc.stderr:
            self.stderr += chunk

    def metric(self, name: str, **labels: str) -> float:
        """Sum of the samples of metric `name` whose labels include `labels`."""
        text = urllib.request.urlopen(self.url + "/metrics", timeout=10).read().decode()
        total = 0.0
        for line in text.splitlines():
            head, _, value = line.rpartition(" ")
            if line.startswith("#") or head.split("{", 1)[0] != name:
                continue
            if all(f'{k}="{v}"' in head for k, v in labels.items()):
                total += float(value)
        return total

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(60)
        shutil.rmtree(self.dir, ignore_errors=True)
        return code


def code_config(pool_size: int = 2) -> dict:
    """reward:code-execution (multi-value) plus the fault-injection plugin at weight 0, on the docker backend."""
    return {
        "rewards": [
            {"plugin": "reward:code-execution", "options": {"scheme": "multi-value", "timeoutMs": 5000}},
            {"plugin": FAULT_PLUGIN, "weight": 0},
        ],
        "sandbox": {"backend": "docker", "docker": {"poolSize": pool_size}, "limits": {"memoryMb": 256}},
    }


def hold_the_slot(server: Serve) -> http.client.HTTPConnection:
    """Occupies one admission slot with a request that waits until its connection is closed (close() frees it)."""
    u = urlparse(server.url)
    holder = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    body = json.dumps({"samples": [{"id": 1, "completion": "MOLRL_TEST_SLEEP_MS=600000"}]})
    holder.request("POST", "/v1/score", body=body, headers={"content-type": "application/json"})
    while server.metric("molrl_serve_requests_active") < 1:
        time.sleep(0.05)
    return holder


def release_after(server: Serve, holder: http.client.HTTPConnection, metric: str, **labels: str) -> threading.Thread:
    """A started thread that closes `holder` once `metric` (with `labels`) reaches 1."""
    def run():
        while server.metric(metric, **labels) < 1:
            time.sleep(0.05)
        holder.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread
