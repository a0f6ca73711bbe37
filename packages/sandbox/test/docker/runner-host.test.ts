// sandbox-images/python/runner.py on the host (its non-container mode, the bench's bare fork-server): the NDJSON
// protocol, the statuses, the marker channel and the choice of channel with --socket, without Docker.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { skipUnless } from '../../../../test/helpers/requirements.ts';

const RUNNER = new URL('../../../../sandbox-images/python/runner.py', import.meta.url).pathname;
const PYTHON = '/usr/bin/python3';

describe('runner.py (host mode)', function () {
  let child: ChildProcessWithoutNullStreams;
  let lines: AsyncIterator<string>;
  let id = 0;

  async function run(code: string, extra: Record<string, unknown> = {}): Promise<Record<string, any>> {
    const req = { id: ++id, language: 'python', code, timeoutMs: 2000, memoryMb: 256, outputLimitBytes: 1000, ...extra };
    child.stdin.write(JSON.stringify(req) + '\n');
    const reply = JSON.parse((await lines.next()).value as string);
    assert.equal(reply.id, id);
    return reply;
  }

  before(async function () {
    skipUnless(this, existsSync(PYTHON) ? null : `${PYTHON} is missing`, 'runner host tests');
    child = spawn(PYTHON, [RUNNER], { env: { PATH: '/usr/bin:/bin' } });
    lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const ready = JSON.parse((await lines.next()).value as string);
    assert.equal(ready.ready, true);
    assert.equal(ready.container, false);
  });
  after(() => child?.stdin.end());

  it('classifies ok, runtime_error, timeout, memory_limit, output_limit and killed', async () => {
    assert.deepEqual(
      [
        (await run('import sys; print(sys.stdin.read() * 2)', { stdin: 'ab' })).stdout,
        (await run('raise KeyError(1)')).status,
        (await run('import sys; sys.exit(4)')).exitCode,
        (await run('while True: pass', { timeoutMs: 300 })).status,
        (await run('b = bytearray(2 * 10**9)', { memoryMb: 128 })).status,
        (await run('print("y" * 10**6)')).status,
        (await run('import os; os.kill(os.getpid(), 6)')).signal,
      ],
      ['abab\n', 'runtime_error', 4, 'timeout', 'memory_limit', 'output_limit', 'SIGABRT'],
    );
  });

  it('writes files into a fresh working directory and rejects paths that leave it', async () => {
    const a = await run('import os; print(sorted(os.listdir(".")), open("d/f").read()); open("junk", "w")', { files: { 'd/f': 'F' } });
    assert.equal(a.stdout, "['d'] F\n");
    assert.equal((await run('import os; print(os.listdir("."))')).stdout, '[]\n');
    const bad = await run('1', { files: { '../x': '' } });
    assert.equal(bad.status, 'sandbox_error');
    assert.equal(bad.error.code, 'SANDBOX_RUNNER_FAILED');
  });

  it('answers the marker request once and only with marker: true', async () => {
    const code = 'import os\nos.write(3, b"marker\\n"); a = os.read(4, 64)\nos.write(3, b"marker\\n"); b = os.read(4, 64)\nprint(a.decode().strip(), len(b))';
    const r = await run(code, { marker: true });
    assert.equal(r.stdout, `${r.marker.value} 1\n`);
    assert.equal(r.marker.requested, true);
    const none = await run('import os\ntry:\n    os.write(3, b"marker\\n")\nexcept OSError as e:\n    print(e.errno)');
    assert.equal(none.marker, undefined);
    assert.notEqual(none.status, 'sandbox_error');
  });

  it('keeps going after a request that is not JSON', async () => {
    child.stdin.write('not json\n');
    const reply = JSON.parse((await lines.next()).value as string);
    assert.equal(reply.status, 'sandbox_error');
    id = 0;
    child.stdin.write(JSON.stringify({ id: 1, language: 'python', code: 'print(5)', timeoutMs: 1000, memoryMb: 256, outputLimitBytes: 100 }) + '\n');
    id = 1;
    assert.equal(JSON.parse((await lines.next()).value as string).stdout, '5\n');
  });
});

describe('runner.py --socket (host mode)', function () {
  const request = (n: number) => JSON.stringify({ id: n, language: 'python', code: `print(${n})`, timeoutMs: 2000, memoryMb: 256, outputLimitBytes: 100 }) + '\n';
  let dir = '';
  let child: ChildProcessWithoutNullStreams | null = null;

  /** Starts a runner listening in a fresh directory; resolves with its stdout lines once it reported ready. */
  async function start(): Promise<{ out: AsyncIterator<string>; path: string }> {
    dir = mkdtempSync(join(tmpdir(), 'molrl-runner-test-'));
    const path = join(dir, 'runner.sock');
    child = spawn(PYTHON, [RUNNER, '--socket', path], { env: { PATH: '/usr/bin:/bin' } });
    const out = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const ready = JSON.parse((await out.next()).value as string);
    assert.equal(ready.socket, true);
    return { out, path };
  }

  before(function () {
    skipUnless(this, existsSync(PYTHON) ? null : `${PYTHON} is missing`, 'runner host tests');
  });
  afterEach(() => {
    child?.stdin.end();
    child = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves the host's one connection, and removes the socket so that nothing else can connect", async () => {
    const { out, path } = await start();
    const conn = createConnection({ path });
    await once(conn, 'connect');
    const replies = createInterface({ input: conn })[Symbol.asyncIterator]();
    conn.write(request(1));
    assert.equal(JSON.parse((await replies.next()).value as string).stdout, '1\n');
    assert.deepEqual(readdirSync(dir), [], 'the socket is gone once the host connected');
    conn.write(request(2));
    assert.equal(JSON.parse((await replies.next()).value as string).stdout, '2\n');
    child!.stdin.end();
    conn.end();
    assert.equal((await out.next()).done, true, 'nothing but the ready line went to stdout');
  });

  it('serves stdin/stdout when the first request comes there (a host that could not reach the socket)', async () => {
    const { out } = await start();
    child!.stdin.write(request(3));
    assert.equal(JSON.parse((await out.next()).value as string).stdout, '3\n');
    assert.deepEqual(readdirSync(dir), [], 'the listener is closed and its socket removed');
  });
});
