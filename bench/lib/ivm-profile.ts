// Where an isolated-vm evaluation's time goes: the stages of one IsolatedVmSandbox run measured one by one in
// this process (one isolate, sequential): a new context alone, a new context plus a bare script, the same with
// the sandbox's wrapper (bootstrap.ts), and the JSON IPC round trip to a child process that the sandbox adds
// (each isolate lives in a host process of its own). Each stage's µs are wall time per operation.
import { spawn } from 'node:child_process';
import type * as IvmModule from 'isolated-vm';
import { evaluationScript } from '../../packages/sandbox/src/isolated-vm/bootstrap.ts';

/** One stage: µs per operation. */
export interface Stage {
  what: string;
  usPerOp: number;
}

async function timed(what: string, n: number, once: () => Promise<void>): Promise<Stage> {
  for (let i = 0; i < Math.min(200, n); i++) await once();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await once();
  return { what, usPerOp: ((performance.now() - t0) * 1000) / n };
}

/** The stages, `n` operations each. */
export async function ivmProfile(code: string, n = 2000): Promise<Stage[]> {
  const ivm = ((await import('isolated-vm')) as unknown as { default: typeof IvmModule }).default;
  const isolate = new ivm.Isolate({ memoryLimit: 64 });
  const stages: Stage[] = [];
  try {
    stages.push(
      await timed('createContextSync() + release()', n, async () => {
        isolate.createContextSync().release();
      }),
    );
    stages.push(
      await timed('await createContext() + release() (async: a hop to the isolate thread and back)', n, async () => {
        (await isolate.createContext()).release();
      }),
    );
    stages.push(
      await timed('new context + evalSync(program) + release()', n, async () => {
        const ctx = isolate.createContextSync();
        ctx.evalSync(code, { timeout: 1000 });
        ctx.release();
      }),
    );
    const wrapped = evaluationScript(code, '', '', 65_536);
    stages.push(
      await timed('new context + evalSync(wrapper + program, copy) + release()', n, async () => {
        const ctx = isolate.createContextSync();
        ctx.evalSync(wrapped, { timeout: 1000, copy: true });
        ctx.release();
      }),
    );
    stages.push(
      await timed('the same with async createContext() and eval() (what a host does per run)', n, async () => {
        const ctx = await isolate.createContext();
        await ctx.eval(wrapped, { timeout: 1000, copy: true });
        ctx.release();
      }),
    );
  } finally {
    isolate.dispose();
  }
  // The IPC round trip between the sandbox and a host: a request and a reply of the sizes a trivial run sends.
  const child = spawn(process.execPath, ['-e', "process.on('message', (m) => process.send({ ...m, stdout: '4950\\n', stderr: '' }))"], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'json' });
  try {
    const request = { id: 0, code, stdin: '', marker: '', timeoutMs: 1000, memoryMb: 64, outputLimitBytes: 65_536 };
    stages.push(
      await timed('IPC round trip to a child process (child_process JSON messages)', n, () => new Promise<void>((resolve) => {
        child.once('message', () => resolve());
        child.send(request);
      })),
    );
  } finally {
    child.kill();
  }
  return stages;
}
