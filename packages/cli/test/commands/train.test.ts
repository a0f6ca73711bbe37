// `molrl train` / `molrl eval` usage: flags checked before anything starts (the full pipeline is test/quickstart.test.ts).
import { ok, strictEqual } from 'node:assert/strict';
import { runCli } from '../../../../test/helpers/run-cli.ts';

describe('molrl train / eval usage', () => {
  it('train needs exactly one of --config and --resume (exit 2)', async () => {
    const none = await runCli(['train']);
    strictEqual(none.code, 2);
    ok(none.stderr.includes('--config FILE or --resume RUN_DIR'));
    const both = await runCli(['train', '--config', 'a.json', '--resume', 'runs/x']);
    strictEqual(both.code, 2);
  });
  it('train --resume of a directory that is not a run: RUN_NOT_FOUND, a usage error (exit 2)', async () => {
    const run = await runCli(['train', '--resume', '/nonexistent-run']);
    ok(run.stderr.includes('RUN_NOT_FOUND'), run.stderr);
    strictEqual(run.code, 2);
  });
  it('train of an invalid config exits 2 before starting anything', async () => {
    const run = await runCli(['train', '--config', 'package.json']);
    strictEqual(run.code, 2);
    ok(run.stderr.includes('CONFIG_INVALID'));
  });
  it('eval refuses an unknown preset (exit 2) and documents qwen3', async () => {
    const help = await runCli(['eval', '--help']);
    ok(help.stdout.includes('qwen3'));
    const run = await runCli(['eval', '--config', 'examples/quickstart/config.json', '--preset', 'nope']);
    strictEqual(run.code, 2);
  });
});
