// Tests of LineSplitter and readJsonlFile limits: lines across chunk boundaries, over-long lines reported by
// size and skipped, whole-file and line-count limits as INPUT_LIMIT_EXCEEDED.
import { deepStrictEqual, throws } from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineSplitter, readJsonlFile } from '@molrl/common';

describe('LineSplitter', () => {
  it('joins lines split across chunks, in order, with the last line unterminated', () => {
    const s = new LineSplitter(100);
    const out = [...s.push('ab'), ...s.push('c\nde'), ...s.push('f\n\ng'), ...s.end()];
    deepStrictEqual(out, [{ line: 1, text: 'abc' }, { line: 2, text: 'def' }, { line: 3, text: '' }, { line: 4, text: 'g' }]);
  });
  it('reports a line above the limit by its size, whatever the chunks, and goes on', () => {
    const s = new LineSplitter(5);
    const out = [...s.push('12345'), ...s.push('678'), ...s.push('9\nok\n')];
    deepStrictEqual(out, [{ line: 1, tooLong: 9 }, { line: 2, text: 'ok' }]);
  });
  it('keeps multi-byte characters split between chunks whole', () => {
    const bytes = Buffer.from('é€\n');
    const s = new LineSplitter(100);
    deepStrictEqual([...s.push(bytes.subarray(0, 1)), ...s.push(bytes.subarray(1))], [{ line: 1, text: 'é€' }]);
  });
});

describe('readJsonlFile limits', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'molrl-jsonl-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));
  it('an over-long line is an INPUT_LIMIT_EXCEEDED entry with its size; the others parse', () => {
    const file = join(dir, 'a.jsonl');
    writeFileSync(file, `{"a":1}\n"${'x'.repeat(50)}"\n{"b":2}\n`);
    const out = readJsonlFile(file, { maxLineBytes: 20 }).map((l) => (l.error === undefined ? l.value : [l.code, l.bytes]));
    deepStrictEqual(out, [{ a: 1 }, ['INPUT_LIMIT_EXCEEDED', 52], { b: 2 }]);
  });
  it('too big a file, or too many lines, throws INPUT_LIMIT_EXCEEDED naming the limit', () => {
    const file = join(dir, 'b.jsonl');
    writeFileSync(file, '1\n2\n3\n');
    throws(() => readJsonlFile(file, { maxFileBytes: 4 }), { code: 'INPUT_LIMIT_EXCEEDED', details: { limit: 'maxFileBytes', value: 6, max: 4 } });
    throws(() => readJsonlFile(file, { maxLines: 2 }), { code: 'INPUT_LIMIT_EXCEEDED', details: { limit: 'maxLines', value: 3, max: 2 } });
  });
});
