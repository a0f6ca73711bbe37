"""Per-language knowledge of the molrl runner (stdlib only): for every language but Python, the source file
name, the compile command and its limits, the files a compile produces (the artifact), the run argv and
environment, and how the memory limit is enforced and recognised.

runner.py calls `handle(req, workdir, run)` for a language other than python. A compiled language compiles
inside the sandbox through the runner's own `run()` (the same zygote fork, dropped privileges, rlimits,
process group, output cap and kill as a program), under `compileTimeoutMs`; a failed compile is the status
`compile_error` with the compiler's message. A request with `op: "compile"` only compiles and returns the
artifact (base64 files), so that the pool can cache it by source hash and send it with later runs
(`artifact`) instead of compiling again. The job a child gets carries `exec` (argv, env, binaries, stack):
the zygote's child calls `setup_child` (as the program's uid, in its working directory) and `exec_child`.

Memory: RLIMIT_AS breaks runtimes that reserve address space up front (the JVM, V8, Go), so those run
without it, bounded by their own flags (-Xmx, --max-old-space-size, GOMEMLIMIT plus a peak-RSS check) and
by the container's cgroup limit; C, C++, Rust and Bash run under RLIMIT_AS like Python. A failed run is
reported as memory_limit when the runtime says it ran out of memory (on stderr, or stdout for the JVM) or its
peak RSS reached the limit; a runtime's message printed by the program itself only turns one failure into another.
"""
import base64, glob, os, re, resource, shutil

MAX_ARTIFACT_BYTES = 64 << 20
COMPILE_OUTPUT_BYTES = 1 << 20
DEFAULT_COMPILE_TIMEOUT_MS = 30000
ALIASES = {"javascript": "nodejs"}

# TypeScript is transpiled, not type-checked (as tsx / ts-node --transpile-only do): syntax errors are
# compile errors, type errors are not (programs need no @types/node to read stdin).
TS_TRANSPILE = r"""
const ts = require('typescript'), fs = require('fs');
const out = ts.transpileModule(fs.readFileSync('main.ts', 'utf8'), { fileName: 'main.ts', reportDiagnostics: true,
  compilerOptions: { target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS } });
for (const d of out.diagnostics || []) {
  const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : { line: 0, character: 0 };
  process.stderr.write(`main.ts(${at.line + 1},${at.character + 1}): error TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}\n`);
}
if ((out.diagnostics || []).length) process.exit(1);
fs.writeFileSync('main.js', out.outputText);
"""

_JAVA_PUBLIC = re.compile(r"\bpublic\s+(?:(?:final|abstract|strictfp)\s+)*class\s+([A-Za-z_$][\w$]*)")
_JAVA_CLASS = re.compile(r"\b(?:class|interface|enum|record)\s+([A-Za-z_$][\w$]*)")
_JAVA_MAIN = re.compile(r"\bstatic\s+(?:final\s+)?void\s+main\s*\(")


def java_class(code):
    """The class to run: the public top-level class (its file must carry its name), else the class declared
    last before `static void main`, else Main."""
    m = _JAVA_PUBLIC.search(code)
    if m:
        return m.group(1)
    main = _JAVA_MAIN.search(code)
    names = [c for c in _JAVA_CLASS.finditer(code) if main is None or c.start() < main.start()]
    return names[-1].group(1) if names else "Main"


def _node_run(mem):
    return ["node", "--max-old-space-size=%s" % mem, "main.js"]


class Spec:
    """How one language compiles and runs. `compile`/`run` are argv lists; '{mem}' is replaced by memoryMb and
    '{cls}' by the Java class. `rlimit_as`: run under RLIMIT_AS = memoryMb. `rss_cap`: a peak RSS above
    memoryMb is memory_limit even when the program exited. `oom`: what the runtime prints when memory ran out."""

    def __init__(self, source, run, tools, compile=None, artifacts=(), env=None, compile_env=None, rlimit_as=True,
                 rss_cap=False, oom=None, stack=True):
        self.source, self.run, self.tools, self.compile, self.artifacts = source, run, tools, compile, artifacts
        self.env, self.compile_env, self.rlimit_as, self.rss_cap = env or {}, compile_env or {}, rlimit_as, rss_cap
        self.oom = re.compile(oom) if oom else None
        self.stack = stack  # RLIMIT_STACK raised to the memory limit (deep recursion, as judges allow)


_GO_ENV = {"GOCACHE": "/tmp/.cache/go-build", "GOPATH": "/tmp/.go", "GO111MODULE": "off", "CGO_ENABLED": "0",
           "GOFLAGS": "-p=1", "GOMAXPROCS": "1", "GOTELEMETRY": "off"}
_JVM = ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-XX:ActiveProcessorCount=1", "-Xshare:auto"]

SPECS = {
    "c": Spec("main.c", ["./main"], ["gcc"], compile=["gcc", "-O2", "-std=gnu11", "-pipe", "-o", "main", "main.c", "-lm"],
              artifacts=["main"]),
    "cpp": Spec("main.cpp", ["./main"], ["g++"], compile=["g++", "-O2", "-std=gnu++17", "-pipe", "-o", "main", "main.cpp"],
                artifacts=["main"], oom=r"std::bad_alloc"),
    "rust": Spec("main.rs", ["./main"], ["rustc"],
                 compile=["rustc", "-O", "--edition", "2021", "-C", "strip=symbols", "-o", "main", "main.rs"],
                 artifacts=["main"], oom=r"memory allocation of \d+ bytes failed"),
    "go": Spec("main.go", ["./main"], ["go"], compile=["go", "build", "-ldflags=-s -w", "-o", "main", "main.go"],
               artifacts=["main"], compile_env=_GO_ENV, env={"GOMAXPROCS": "1", "GOMEMLIMIT": "{mem}MiB"},
               rlimit_as=False, rss_cap=True, oom=r"fatal error: (runtime: )?out of memory|runtime: cannot allocate memory", stack=False),
    "java": Spec("{cls}.java", ["java", "-Xmx{mem}m", "-Xss64m", "-XX:+ExitOnOutOfMemoryError"] + _JVM + ["-cp", ".", "{cls}"],
                 ["javac", "java"], compile=["javac", "-J-Xmx384m", "-J-Xss16m"] + ["-J" + f for f in _JVM] +
                 ["-encoding", "UTF-8", "-nowarn", "-d", ".", "{cls}.java"],
                 artifacts=["*.class"], rlimit_as=False, oom=r"java\.lang\.OutOfMemoryError", stack=False),
    "nodejs": Spec("main.js", _node_run("{mem}"), ["node"], rlimit_as=False, oom=r"JavaScript heap out of memory", stack=False),
    "typescript": Spec("main.ts", _node_run("{mem}"), ["node"], compile=["node", "-e", TS_TRANSPILE], artifacts=["main.js"],
                       rlimit_as=False, oom=r"JavaScript heap out of memory", stack=False),
    "bash": Spec("main.sh", ["bash", "main.sh"], ["bash"], oom=r"x(m|re)alloc: .*cannot allocate|Cannot allocate memory"),
}


def _typescript_present():
    return any(os.path.isfile(os.path.join(d, "typescript", "package.json"))
               for d in ("/usr/share/nodejs", "/usr/lib/nodejs", "/usr/local/lib/node_modules"))


def available():
    """Canonical names (and aliases) of the languages whose tools are installed here."""
    names = []
    for name, spec in SPECS.items():
        if all(shutil.which(t) for t in spec.tools) and (name != "typescript" or _typescript_present()):
            names.append(name)
    return names + [alias for alias, name in ALIASES.items() if name in names]


def _fill(argv, req, cls):
    mem = str(int(req["memoryMb"]))
    return [a.replace("{mem}", mem).replace("{cls}", cls) for a in argv]


def _blank(status, stderr=""):
    return {"status": status, "exitCode": None, "signal": None, "stdout": "", "stderr": stderr, "truncated": False,
            "durationMs": 0}


def _sub(req, files, argv, env, timeout_ms, output_limit, rlimit_as, stack_mb, binaries=None):
    """A request for the runner's run(): the same program limits, `exec` telling the child what to run."""
    sub = {"language": ALIASES.get(req["language"], req["language"]), "code": "", "stdin": req.get("stdin") or "", "files": files,
           "marker": bool(req.get("marker")), "tests": None, "timeoutMs": timeout_ms, "memoryMb": req["memoryMb"],
           "outputLimitBytes": output_limit, "rlimitAs": rlimit_as,
           "exec": {"argv": argv, "env": env, "binaries": binaries or {}, "stackMb": stack_mb}}
    return sub


def _compile(spec, req, files, workdir, cls, run):
    """Runs the compiler through the runner's run(): the program's limits and kill, no RLIMIT_AS (the cgroup bounds it)."""
    sub = _sub(dict(req, stdin="", marker=False), files, _fill(spec.compile, req, cls), dict(spec.compile_env),
               int(req.get("compileTimeoutMs") or DEFAULT_COMPILE_TIMEOUT_MS), COMPILE_OUTPUT_BYTES, False, 0)
    res = run(sub, workdir)
    limit = int(req["outputLimitBytes"])
    report = {k: res.get(k) for k in ("status", "exitCode", "signal", "stdout", "stderr", "truncated", "durationMs")}
    report["truncated"] = bool(res.get("truncated")) or len(res["stdout"]) > limit or len(res["stderr"]) > limit
    report["stdout"], report["stderr"] = res["stdout"][:limit], res["stderr"][:limit]
    if res["status"] == "ok":
        missing = [p for p in spec.artifacts if not glob.glob(os.path.join(workdir, p))]
        if missing:
            report.update(status="runtime_error", stderr=report["stderr"] + "\n[molrl] the compiler produced no %s" % missing[0])
    return report


def _collect(spec, workdir):
    files, total = {}, 0
    for pattern in spec.artifacts:
        for path in sorted(glob.glob(os.path.join(workdir, pattern))):
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            with open(path, "rb") as f:
                data = f.read(MAX_ARTIFACT_BYTES + 1)
            total += len(data)
            if total > MAX_ARTIFACT_BYTES:
                return None
            files[os.path.relpath(path, workdir)] = base64.b64encode(data).decode()
    return files


def setup_child(job_exec):
    """In the program's child (its uid, its working directory, its rlimits set): the binaries, a larger stack."""
    for name, data in (job_exec.get("binaries") or {}).items():
        if not isinstance(name, str) or "/" in name or name in ("", ".", ".."):
            raise ValueError("bad artifact name %r" % (name,))
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o755)
        with os.fdopen(fd, "wb") as f:
            f.write(base64.b64decode(data))
    stack = int(job_exec.get("stackMb") or 0) << 20
    if stack:
        resource.setrlimit(resource.RLIMIT_STACK, (stack, stack))


def exec_child(job_exec):
    """Replaces the child with the compiler or the program. Never returns."""
    argv = job_exec["argv"]
    os.execvpe(argv[0], argv, dict(os.environ, **job_exec.get("env", {})))


def _compile_failed(report):
    why = {"timeout": "the compiler exceeded compileTimeoutMs", "memory_limit": "the compiler ran out of memory",
           "output_limit": "the compiler wrote more than %d bytes" % COMPILE_OUTPUT_BYTES,
           "killed": "the compiler was killed by %s" % report.get("signal")}.get(report["status"])
    stderr = report["stderr"] + ("\n[molrl] %s" % why if why else "")
    resp = _blank("compile_error", stderr.lstrip("\n"))
    resp.update(compile=report, durationMs=report["durationMs"])
    return resp


def _classify(spec, req, resp):
    """memory_limit for a run that failed because memory ran out (the runtime's message or a peak RSS at the limit)."""
    limit_kb = int(req["memoryMb"]) << 10
    rss = int(resp.get("maxRssKb") or 0)
    failed = resp["status"] in ("runtime_error", "killed")
    said = spec.oom is not None and spec.oom.search(resp["stderr"][-65536:] + "\n" + resp["stdout"][-4096:]) is not None
    if failed and (said or (spec.rlimit_as and rss >= limit_kb * 0.9)):
        resp["status"] = "memory_limit"
    elif spec.rss_cap and resp["status"] in ("ok", "runtime_error", "killed") and rss > limit_kb:
        resp["status"] = "memory_limit"
    return resp


def handle(req, workdir, run):
    """Compile (unless `artifact` is given) and run one request of a non-Python language; returns the response.
    `run(sub_request, workdir)` is the runner's run(); each call forks in a working directory of its own."""
    language = ALIASES.get(req["language"], req["language"])
    spec = SPECS[language]
    cls = java_class(req["code"]) if language == "java" else "Main"
    files = dict(req.get("files") or {})
    files[spec.source.replace("{cls}", cls)] = req["code"]
    artifact = req.get("artifact")
    compile_report = None
    if spec.compile and artifact is None:
        compile_report = _compile(spec, req, files, workdir, cls, run)
        if compile_report["status"] != "ok":
            return _compile_failed(compile_report)
        artifact = _collect(spec, workdir)
        if artifact is None:
            compile_report.update(status="output_limit", stderr=compile_report["stderr"] + "\n[molrl] the compiled files exceed %d bytes" % MAX_ARTIFACT_BYTES)
            return _compile_failed(compile_report)
        workdir += "-run"  # the run gets a fresh working directory with the binaries, as a later request would
    if req.get("op") == "compile":
        resp = _blank("ok")
        resp.update(compile=compile_report, artifact=artifact or {})
        return resp
    mem = str(int(req["memoryMb"]))
    sub = _sub(req, files, _fill(spec.run, req, cls), {k: v.replace("{mem}", mem) for k, v in spec.env.items()},
               int(req["timeoutMs"]), int(req["outputLimitBytes"]), spec.rlimit_as,
               int(req["memoryMb"]) if spec.stack else 0, artifact)
    resp = _classify(spec, req, run(sub, workdir))
    if compile_report is not None:
        resp["compile"] = compile_report
    return resp
