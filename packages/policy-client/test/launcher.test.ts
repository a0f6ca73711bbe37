import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { MolrlError } from '@molrl/common';
import { launchArgs, launchFollowerNode, launchPolicyServer, serverArgs, startHint } from '@molrl/policy-client';
import { alive, rejection } from '../../../test/helpers/assertions.ts';

const fakeDir = fileURLToPath(new URL('./fixtures/fake-policy-server/', import.meta.url));
const python = '/usr/bin/python3'; // the fake needs only the standard library



describe('serverArgs', () => {
  it('maps every option onto its server flag', () => {
    assert.deepEqual(
      serverArgs({ model: 'tiny', modelConfig: { n_layer: 2 }, port: 8100, host: '0.0.0.0', token: 't', loraR: 8, seed: 3, device: 'cpu', threads: 2, engine: 'static', shard: 'fsdp', checkpointRoot: '/runs/a', extraArgs: ['--lr', '0.1'] }),
      ['--model', 'tiny', '--model-config', '{"n_layer":2}', '--port', '8100', '--host', '0.0.0.0', '--token', 't',
        '--lora-r', '8', '--seed', '3', '--device', 'cpu', '--threads', '2', '--engine', 'static', '--shard', 'fsdp', '--checkpoint-root', '/runs/a', '--lr', '0.1'],
    );
  });

  it('asks for a free port by default', () => {
    assert.deepEqual(serverArgs({ model: 'tiny' }), ['--model', 'tiny', '--port', '0']);
  });
});

describe('launchArgs', () => {
  it('runs one process without torchrun by default', () => {
    const args = launchArgs({ model: 'tiny' });
    assert.equal(args[0], '-c');
    assert.match(args[1] ?? '', /run_module\('molrl_policy\.server'/);
    assert.deepEqual(args.slice(2), ['--model', 'tiny', '--port', '0']);
  });

  it('starts N ranks on one node through torchrun --standalone', () => {
    const args = launchArgs({ model: 'tiny', nproc: 2 });
    assert.match(args[1] ?? '', /run_module\('torch\.distributed\.run'/);
    assert.deepEqual(args.slice(2), ['--nproc-per-node', '2', '--standalone', '--max-restarts', '0', '-m', 'molrl_policy.server', '--model', 'tiny', '--port', '0']);
  });

  it('joins node 0 with a static rendezvous on several nodes', () => {
    assert.deepEqual(launchArgs({ model: 'tiny', nproc: 8, nnodes: 2, nodeRank: 1, rdzv: '10.0.0.1:29500' }).slice(2, 13), [
      '--nproc-per-node', '8', '--nnodes', '2', '--node-rank', '1', '--rdzv-backend', 'static', '--rdzv-endpoint', '10.0.0.1:29500', '--max-restarts',
    ]);
  });

  it('refuses several nodes without a HOST:PORT rendezvous, and a node rank out of range', () => {
    for (const [options, path] of [
      [{ nnodes: 2 }, 'rdzv'],
      [{ nnodes: 2, rdzv: 'host-without-port' }, 'rdzv'],
      [{ nnodes: 2, nodeRank: 2, rdzv: 'h:1' }, 'nodeRank'],
      [{ nproc: 0.5 }, 'nproc'],
    ] as const) {
      assert.throws(() => launchArgs({ model: 'tiny', ...options }), (e: MolrlError) => e.code === 'POLICY_LAUNCH_INVALID' && e.path === path);
    }
    assert.throws(() => launchFollowerNode({ model: 'tiny', nnodes: 2, rdzv: 'h:1' }), (e: MolrlError) => e.code === 'POLICY_LAUNCH_INVALID' && e.path === 'nodeRank');
  });
});

describe('startHint', () => {
  it('points to npm run setup when torch is missing', () => {
    assert.match(startHint(["ModuleNotFoundError: No module named 'torch'"], '/usr/bin/python3', '/x') ?? '', /npm run setup/);
  });

  it('names a taken port', () => {
    assert.match(startHint(['OSError: [Errno 98] Address already in use'], 'p', 'd') ?? '', /--port 0/);
  });
});

describe('launchPolicyServer', () => {
  it('resolves once the server is ready and healthy, forwards its log, and stops it', async () => {
    const lines: string[] = [];
    const server = await launchPolicyServer({ model: 'ok', python, serverDir: fakeDir, onLog: (line) => lines.push(line) });
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal((await server.client.health()).model, 'ok');
      assert.ok(lines.some((line) => line.startsWith('fake server argv')), lines.join('\n'));
      assert.ok(alive(server.pid));
    } finally {
      await server.stop();
    }
    const how = await server.exited;
    assert.ok(how.code === 0 || how.signal === 'SIGTERM', JSON.stringify(how));
    assert.equal(alive(server.pid), false);
    await server.stop(); // idempotent
  });

  it('fails with POLICY_SERVER_START_FAILED, the last log lines and a hint when the process dies first', async () => {
    const error = await rejection<MolrlError>(launchPolicyServer({ model: 'notorch', python, serverDir: fakeDir, onLog: () => {} }));
    assert.equal(error.code, 'POLICY_SERVER_START_FAILED');
    assert.match(error.message, /No module named 'torch'/);
    assert.match(error.message, /npm run setup/);
  });

  it('fails with POLICY_SERVER_START_FAILED when the python does not exist', async () => {
    const error = await rejection<MolrlError>(launchPolicyServer({ model: 'ok', python: '/nonexistent/python3', serverDir: fakeDir, onLog: () => {} }));
    assert.equal(error.code, 'POLICY_SERVER_START_FAILED');
    assert.match(error.message, /ENOENT|not found/);
  });

  it('fails with POLICY_SERVER_START_FAILED when no ready line comes in time, and kills the process', async () => {
    const error = await rejection<MolrlError>(launchPolicyServer({ model: 'silent', python, serverDir: fakeDir, onLog: () => {}, startTimeoutMs: 200 }));
    assert.equal(error.code, 'POLICY_SERVER_START_FAILED');
    assert.match(error.message, /no ready line/);
  });

  it('rejects with POLICY_REQUEST_ABORTED when the start is aborted', async () => {
    const controller = new AbortController();
    const start = launchPolicyServer({ model: 'silent', python, serverDir: fakeDir, onLog: () => {}, signal: controller.signal });
    setImmediate(() => controller.abort());
    assert.equal((await rejection<MolrlError>(start)).code, 'POLICY_REQUEST_ABORTED');
  });

  it('kills a server that ignores SIGTERM after the grace period', async () => {
    const server = await launchPolicyServer({ model: 'stubborn', python, serverDir: fakeDir, onLog: () => {}, stopGraceMs: 100 });
    await server.stop();
    assert.equal((await server.exited).signal, 'SIGKILL');
  });

  for (const how of ['exits', 'gets SIGTERM', 'is killed with SIGKILL'] as const) {
    it(`kills the server when the parent process ${how}`, async () => {
      const script = `
        import { launchPolicyServer } from '@molrl/policy-client';
        const s = await launchPolicyServer({ model: 'ok', python: ${JSON.stringify(python)}, serverDir: ${JSON.stringify(fakeDir)}, onLog: () => {} });
        process.stdout.write(String(s.pid) + '\\n');
        if (${JSON.stringify(how)} === 'exits') process.exit(0);
        setInterval(() => {}, 1000);`;
      const parent = spawn(process.execPath, ['--conditions=molrl-src', '--input-type=module', '-e', script], {
        cwd: fileURLToPath(new URL('.', import.meta.url)),
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const [line] = (await once(createInterface({ input: parent.stdout }), 'line')) as [string];
      const pid = Number(line);
      assert.ok(pid > 0);
      if (how === 'gets SIGTERM') parent.kill('SIGTERM');
      if (how === 'is killed with SIGKILL') parent.kill('SIGKILL'); // no exit hook runs: stdin EOF must do it
      await once(parent, 'exit');
      for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(alive(pid), false);
    });
  }
});
