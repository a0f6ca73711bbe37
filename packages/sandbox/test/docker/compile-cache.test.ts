// CompileCache: one compile per key (also for concurrent callers), LRU by bytes, failed compiles kept only when cacheable.
import assert from 'node:assert/strict';
import { CompileCache, compileKey, type CompileOutcome } from '../../src/docker/compile-cache.ts';

const ok = (bytes: number): CompileOutcome => ({ kind: 'ok', files: { main: 'x'.repeat(bytes) }, compile: { status: 'ok', exitCode: 0, signal: null, stdout: '', stderr: '', truncated: false, durationMs: 1 } });
const failed = (cacheable: boolean): CompileOutcome => ({
  kind: 'failed',
  cacheable,
  result: { status: 'compile_error', exitCode: null, signal: null, stdout: '', stderr: 'error', truncated: false, durationMs: 1 },
});

describe('compileKey', () => {
  it('depends on language, code and files (in any order), nothing else', () => {
    const k = compileKey('cpp', 'int main() {}', { 'a.h': '1', 'b.h': '2' });
    assert.equal(compileKey('cpp', 'int main() {}', { 'b.h': '2', 'a.h': '1' }), k);
    assert.notEqual(compileKey('c', 'int main() {}', { 'a.h': '1', 'b.h': '2' }), k);
    assert.notEqual(compileKey('cpp', 'int main() {} ', { 'a.h': '1', 'b.h': '2' }), k);
    assert.notEqual(compileKey('cpp', 'int main() {}', { 'a.h': '1', 'b.h': '3' }), k);
    assert.notEqual(compileKey('cpp', 'int main() {}', { 'a.h1': '', 'b.h': '2' }), compileKey('cpp', 'int main() {}', { 'a.h': '1', 'b.h': '2' }));
    assert.equal(compileKey('cpp', 'x', undefined), compileKey('cpp', 'x', {}));
  });
});

describe('CompileCache', () => {
  it('compiles once for concurrent and later callers; only the first is not cached', async () => {
    const cache = new CompileCache(1 << 20);
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const compile = async () => {
      calls++;
      await gate;
      return ok(10);
    };
    const all = Promise.all([cache.get('k', compile), cache.get('k', compile), cache.get('k', compile)]);
    release();
    assert.deepEqual((await all).map((r) => r.cached), [false, true, true]);
    assert.deepEqual((await cache.get('k', compile)).cached, true);
    assert.deepEqual([calls, cache.compiles], [1, 1]);
  });

  it('keeps failed compiles only when cacheable, and forgets a compile that threw', async () => {
    const cache = new CompileCache(1 << 20);
    let calls = 0;
    await cache.get('bad', async () => (calls++, failed(true)));
    await cache.get('bad', async () => (calls++, failed(true)));
    await cache.get('slow', async () => (calls++, failed(false)));
    await cache.get('slow', async () => (calls++, failed(false)));
    await assert.rejects(cache.get('boom', async () => (calls++, Promise.reject(new Error('x')))));
    assert.equal((await cache.get('boom', async () => (calls++, ok(1)))).cached, false);
    assert.equal(calls, 5);
  });

  it('evicts the least recently used entries beyond its size, and never keeps one larger than it', async () => {
    const cache = new CompileCache(5000); // each entry below counts 1000 bytes + 1024 of overhead
    await cache.get('a', async () => ok(1000));
    await cache.get('b', async () => ok(1000));
    await cache.get('a', async () => ok(1000)); // a is now the most recently used
    await cache.get('c', async () => ok(1000)); // over 5000: b, the least recently used, goes
    assert.equal((await cache.get('a', async () => ok(1000))).cached, true);
    assert.equal((await cache.get('b', async () => ok(1000))).cached, false);
    await cache.get('huge', async () => ok(10_000));
    assert.equal((await cache.get('huge', async () => ok(10_000))).cached, false);
  });
});
