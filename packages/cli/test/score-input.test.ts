// Tests of readSamples: streamed in input order, exact ids, bad lines by number, and every input limit as
// INPUT_LIMIT_EXCEEDED naming the limit and its value.
import { deepStrictEqual, strictEqual } from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INPUT_LIMITS } from '@molrl/common';
import { readSamples, type SampleItem } from '../src/score-input.ts';

async function all(file: string, limits: Partial<Record<'maxLineBytes' | 'maxSamples' | 'maxCompletionChars', number>> = {}): Promise<SampleItem[]> {
  const out: SampleItem[] = [];
  for await (const item of readSamples(file, { ...INPUT_LIMITS, ...limits })) out.push(item);
  return out;
}

describe('readSamples', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'molrl-score-input-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('keeps numeric ids exactly as written (no 2^53 rounding, no Infinity)', async () => {
    const file = write('ids.jsonl', ['{"id":12345678901234567890,"completion":""}', '{"id":1e400,"completion":""}', '{"id":7,"completion":"","metadata":{"id":9007199254740993}}', '{"id":"x","completion":""}'].join('\n'));
    deepStrictEqual((await all(file)).map((i) => i.sample?.id), ['12345678901234567890', '1e400', '7', 'x']);
  });

  it('reports bad lines by number and keeps the order of the rest', async () => {
    const file = write('mixed.jsonl', '{"id":"a","completion":""}\n\nnot json\n{"completion":"x"}\n{"id":"b","completion":""}\n');
    deepStrictEqual((await all(file)).map((i) => i.sample?.id ?? `bad:${i.bad?.line}`), ['a', 'bad:3', 'bad:4', 'b']);
  });

  it('a line above maxLineBytes is a bad line with INPUT_LIMIT_EXCEEDED naming the limit and its value', async () => {
    const file = write('long.jsonl', `{"id":"a","completion":""}\n{"id":"b","completion":"${'x'.repeat(200)}"}\n{"id":"c","completion":""}`);
    const items = await all(file, { maxLineBytes: 100 });
    deepStrictEqual(items.map((i) => i.sample?.id ?? i.bad?.code), ['a', 'INPUT_LIMIT_EXCEEDED', 'c']);
    strictEqual(/maxLineBytes = 100/.test(items[1].bad!.problem), true, items[1].bad!.problem);
  });

  it('a completion above maxCompletionChars is a bad line with INPUT_LIMIT_EXCEEDED', async () => {
    const file = write('completion.jsonl', `{"id":"a","completion":"${'y'.repeat(50)}"}\n{"id":"b","completion":"ok"}`);
    const items = await all(file, { maxCompletionChars: 10 });
    deepStrictEqual(items.map((i) => i.sample?.id ?? i.bad?.code), ['INPUT_LIMIT_EXCEEDED', 'b']);
    strictEqual(/maxCompletionChars = 10/.test(items[0].bad!.problem), true);
  });

  it('stops after maxSamples with INPUT_LIMIT_EXCEEDED naming the limit', async () => {
    const file = write('many.jsonl', Array.from({ length: 5 }, (_, i) => JSON.stringify({ id: i, completion: '' })).join('\n'));
    const items = await all(file, { maxSamples: 3 });
    deepStrictEqual(items.map((i) => i.sample?.id ?? i.limit?.code), ['0', '1', '2', 'INPUT_LIMIT_EXCEEDED']);
    deepStrictEqual(items[3].limit!.details, { limit: 'maxSamples', value: 4, max: 3 });
  });

  it('FILE_UNREADABLE for a missing file', async () => {
    const error = await all(join(dir, 'nope.jsonl')).catch((e: { code: string }) => e);
    strictEqual((error as { code: string }).code, 'FILE_UNREADABLE');
  });
});
