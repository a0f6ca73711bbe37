"""The real policy server in a subprocess, and a plain HTTP client for it (shared by the server tests)."""
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
READY = re.compile(r"^molrl-policy listening on http://([0-9.]+):(\d+)$")


def start(*args, cwd=None):
    """`python -m molrl_policy.server --port 0 ARGS`; returns (process, host, port) once it printed its ready line.
    Its stderr goes to a file (`server_log(process)`), so a chatty server never blocks on a full pipe."""
    env = {**os.environ, "PYTHONPATH": ROOT}
    log = tempfile.TemporaryFile(mode="w+")
    p = subprocess.Popen([sys.executable, "-m", "molrl_policy.server", "--port", "0", *args], env=env, cwd=cwd,
                         stdout=subprocess.PIPE, stderr=log, text=True)
    p.log = log
    line = p.stdout.readline().rstrip("\n")
    m = READY.match(line)
    if not m:
        p.kill()
        p.wait()
        raise AssertionError(f"no ready line: {line!r} {server_log(p)}")
    return p, m.group(1), int(m.group(2))


NO_PORT = "65536"  # no socket binds it: were the usage check under test gone, main() raises instead of serving


def run_main(capsys, *args):
    """`molrl_policy.server.main(ARGS --port 65536)` in this process, for usage errors (they return before a socket
    exists, without the ~3 s of a new interpreter importing torch): (exit code, stderr). `sys.exit(main())` makes
    the code the process's exit status; test_server.py runs a usage error as a real process."""
    from molrl_policy import server

    code = server.main([*args, "--port", NO_PORT])
    return code, capsys.readouterr().err


def server_log(p) -> str:
    p.log.seek(0)
    return p.log.read()


STOP_WAIT_S = 120  # a bound, not a duration: on a loaded 2-core machine an interpreter holding torch may take 10 s to exit


def stop(p):
    p.send_signal(signal.SIGTERM)
    return p.wait(STOP_WAIT_S)


def call(server, method, path, body=None, headers=None, raw=None):
    """One request on a new connection: (status, parsed JSON body or text)."""
    c = http.client.HTTPConnection(*server, timeout=60)
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    c.request(method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})})
    r = c.getresponse()
    out = r.read().decode()
    c.close()
    return r.status, (json.loads(out) if r.getheader("Content-Type") == "application/json" else out)


def conforms(name, obj):
    """`obj` matches the protocol's JSON Schema `name` (the package's copies; schemas refer to each other by $id)."""
    import jsonschema
    from referencing import Registry, Resource

    from molrl_policy.protocol import load_schemas

    schemas = load_schemas()
    registry = Registry().with_resources((s["$id"], Resource.from_contents(s)) for s in schemas.values())
    jsonschema.validators.validator_for(schemas[name])(schemas[name], registry=registry).validate(obj)
    return True
