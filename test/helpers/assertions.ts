// Small shared test helpers: the error a promise rejects with, and whether a process is alive.
import assert from 'node:assert/strict';

/** The error `promise` rejects with; fails the test when it resolves. */
export async function rejection<E = Error & { code?: string }>(promise: Promise<unknown>): Promise<E> {
  try {
    await promise;
  } catch (error) {
    return error as E;
  }
  assert.fail('expected a rejection');
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
