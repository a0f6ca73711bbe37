import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerServer } from '../../src/commands/server.ts';
import { skipUnless, torchMissing } from '../../../../test/helpers/requirements.ts';
import { alive } from '../../../../test/helpers/assertions.ts';

const entry = fileURLToPath(new URL('./fixtures/molrl-cli.ts', import.meta.url));
const fakeDir = fileURLToPath(new URL('../../../policy-client/test/fixtures/fake-policy-server/', import.meta.url));

interface Run {
  child: ChildProcess;
  firstLine: Promise<string>;
  stderr: () => string;
  exit: Promise<number | null>;
}

function molrl(args: string[]): Run {
  const child = spawn(process.execPath, ['--conditions=molrl-src', '--disable-warning=ExperimentalWarning', entry, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  const firstLine = Promise.race([
    once(createInterface({ input: child.stdout! }), 'line').then(([line]) => line as string),
    exit.then(() => ''),
  ]);
  return { child, firstLine, stderr: () => err, exit };
}


async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  return !alive(pid);
}

function program(): Command {
  const p = new Command('molrl').exitOverride();
  registerServer(p);
  for (const cmd of p.commands) {
    cmd.exitOverride();
    for (const sub of cmd.commands) sub.exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
  }
  return p;
}

describe('registerServer', () => {
  it('documents every start flag in --help', () => {
    const start = program().commands[0]?.commands.find((c) => c.name() === 'start');
    const help = start?.helpInformation() ?? '';
    for (const flag of ['--model', '--port', '--host', '--token', '--lora-r', '--model-config', '--seed', '--nproc', '--nnodes', '--node-rank', '--rdzv', '--json']) assert.match(help, new RegExp(flag));
    assert.match(help, /130/);
  });

  it('rejects a --model-config that is not a JSON object as a usage error', async () => {
    await assert.rejects(program().parseAsync(['node', 'molrl', 'server', 'start', '--model', 'tiny', '--model-config', '{nope']), (error: unknown) => {
      assert.ok(error instanceof CommanderError);
      assert.equal(error.code, 'commander.invalidArgument');
      return true;
    });
  });

  it('prints the URL and pid as JSON once healthy, and stops the server with exit 130 on Ctrl-C', async () => {
    const run = molrl(['server', 'start', '--model', 'ok', '--port', '0', '--python', '/usr/bin/python3', '--server-dir', fakeDir, '--json']);
    const line = await run.firstLine;
    assert.ok(line, run.stderr());
    const { url, pid } = JSON.parse(line) as { url: string; pid: number };
    assert.equal(((await (await fetch(`${url}/v1/health`)).json()) as { status: string }).status, 'ok');
    run.child.kill('SIGINT');
    assert.equal(await run.exit, 130, run.stderr());
    assert.ok(await gone(pid));
  });

  it('prints the bare URL without --json', async () => {
    const run = molrl(['server', 'start', '--model', 'ok', '--port', '0', '--server-dir', fakeDir]);
    assert.match(await run.firstLine, /^http:\/\/127\.0\.0\.1:\d+$/, run.stderr());
    run.child.kill('SIGTERM');
    assert.equal(await run.exit, 130);
  });

  it('exits 1 with POLICY_SERVER_EXITED when the server dies on its own', async () => {
    const run = molrl(['server', 'start', '--model', 'ok', '--port', '0', '--server-dir', fakeDir, '--json']);
    const { pid } = JSON.parse(await run.firstLine) as { pid: number };
    process.kill(pid, 'SIGKILL');
    assert.equal(await run.exit, 1);
    assert.match(run.stderr(), /POLICY_SERVER_EXITED/);
  });

  it('exits 1 with POLICY_SERVER_START_FAILED and a setup hint when the server cannot start', async () => {
    const run = molrl(['server', 'start', '--model', 'notorch', '--server-dir', fakeDir]);
    assert.equal(await run.exit, 1);
    assert.match(run.stderr(), /POLICY_SERVER_START_FAILED[\s\S]*npm run setup/);
  });

  it('refuses a non-loopback --host without --token (exit 2)', async () => {
    const run = molrl(['server', 'start', '--model', 'ok', '--host', '0.0.0.0', '--server-dir', fakeDir]);
    assert.equal(await run.exit, 2);
    assert.match(run.stderr(), /--token/);
  });

  it('refuses --nnodes 2 without --rdzv, and a --node-rank not below --nnodes (exit 2)', async () => {
    const noRdzv = molrl(['server', 'start', '--model', 'ok', '--nnodes', '2', '--server-dir', fakeDir]);
    assert.equal(await noRdzv.exit, 2);
    assert.match(noRdzv.stderr(), /--rdzv HOST:PORT/);
    const rank = molrl(['server', 'start', '--model', 'ok', '--nnodes', '2', '--node-rank', '2', '--rdzv', '127.0.0.1:1', '--server-dir', fakeDir]);
    assert.equal(await rank.exit, 2);
    assert.match(rank.stderr(), /--node-rank 2/);
  });

  it('answers `server health` from a running server, and exits 3 when none runs', async () => {
    const http = createServer((_req, res) => res.end(JSON.stringify({ status: 'ok', model: 'tiny', device: 'cpu', step: 4, protocolVersion: '1' })));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    try {
      const ok = molrl(['server', 'health', '--url', url]);
      assert.equal(await ok.firstLine, 'ok: tiny on cpu, step 4, protocol 1');
      assert.equal(await ok.exit, 0);
      const json = molrl(['server', 'health', '--url', url, '--json']);
      assert.equal(JSON.parse(await json.firstLine).step, 4);
    } finally {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    }
    const down = molrl(['server', 'health', '--url', url]);
    assert.equal(await down.exit, 3);
    assert.match(down.stderr(), /POLICY_SERVER_UNREACHABLE/);
  });

  it('starts the real tiny-model server and stops it on Ctrl-C', async function () {
    skipUnless(this, await torchMissing(), 'molrl server start with the real policy server');
    const run = molrl(['server', 'start', '--model', 'tiny', '--port', '0', '--model-config', '{"n_layer":1,"d_model":32,"n_head":2}', '--json']);
    const line = await run.firstLine;
    assert.ok(line, run.stderr());
    const { url, pid } = JSON.parse(line) as { url: string; pid: number };
    const health = (await (await fetch(`${url}/v1/health`)).json()) as { model: string };
    assert.equal(health.model, 'tiny');
    run.child.kill('SIGINT');
    assert.equal(await run.exit, 130, run.stderr());
    assert.ok(await gone(pid));
  });

  it('starts 2 data-parallel ranks through torchrun (--nproc 2) and stops every rank on Ctrl-C', async function () {
    skipUnless(this, await torchMissing(), 'molrl server start --nproc 2 with the real policy server');
    const run = molrl(['server', 'start', '--model', 'tiny', '--port', '0', '--nproc', '2', '--model-config', '{"n_layer":1,"d_model":32,"n_head":2}', '--json']);
    const line = await run.firstLine;
    assert.ok(line, run.stderr());
    const { url, pid } = JSON.parse(line) as { url: string; pid: number };
    const ranks = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').filter((l) => l.trim()).map(Number);
    assert.equal(ranks.length, 2, 'torchrun runs 2 ranks');
    const health = (await (await fetch(`${url}/v1/health`)).json()) as { model: string };
    assert.equal(health.model, 'tiny');
    run.child.kill('SIGINT');
    assert.equal(await run.exit, 130, run.stderr());
    for (const p of [pid, ...ranks]) assert.ok(await gone(p), `process ${p} is gone`);
  });
});
