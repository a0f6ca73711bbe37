// Tests of readDataset / loadDatasets: prompt or messages rows, every bad line reported, train/eval split.
import { deepStrictEqual, ok, strictEqual, throws } from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INPUT_LIMITS } from '@molrl/common';
import { loadDatasets, readDataset, toServerPrompt } from '@molrl/core';

const write = (text: string) => {
  const file = join(mkdtempSync(join(tmpdir(), 'molrl-ds-')), 'd.jsonl');
  writeFileSync(file, text);
  return file;
};

describe('readDataset', () => {
  it('reads prompt and messages rows', () => {
    const rows = readDataset(write('{"id":"a","prompt":"Q: 1+1\\nA:","groundTruth":"2","metadata":{"class":"rest"}}\n\n{"id":7,"messages":[{"role":"user","content":"hi"}]}\n'));
    deepStrictEqual(rows[0], { id: 'a', prompt: 'Q: 1+1\nA:', groundTruth: '2', metadata: { class: 'rest' } });
    strictEqual(rows[1].id, '7');
    deepStrictEqual(rows[1].metadata, {});
    deepStrictEqual(toServerPrompt(rows[0]), { id: 'a', text: 'Q: 1+1\nA:' });
    deepStrictEqual(toServerPrompt(rows[1]), { id: '7', messages: [{ role: 'user', content: 'hi' }] });
  });

  it('reports every bad line with its number', () => {
    try {
      readDataset(write('{"id":"a","prompt":"x"}\nnot json\n{"id":"b"}\n{"id":"a","prompt":"y"}\n'));
      throw new Error('expected an error');
    } catch (error) {
      const problems = (error as { details: { problems: string[] } }).details.problems;
      strictEqual((error as { code: string }).code, 'CONFIG_INVALID');
      ok(problems[0].includes(':2: not JSON'));
      ok(problems[1].includes(':3: needs "prompt"'));
      ok(problems[2].includes(':4: duplicate id "a"'));
    }
  });

  it("keeps a row's chatTemplateKwargs for its chat prompt and refuses a non-object", () => {
    const rows = readDataset(write('{"id":"a","messages":[{"role":"user","content":"hi"}],"chatTemplateKwargs":{"enable_thinking":false}}\n'));
    deepStrictEqual(toServerPrompt(rows[0]), { id: 'a', messages: [{ role: 'user', content: 'hi' }], chatTemplateKwargs: { enable_thinking: false } });
    throws(() => readDataset(write('{"id":"a","prompt":"x","chatTemplateKwargs":[1]}\n')), (e: { details: { problems: string[] } }) => e.details.problems[0].includes('"chatTemplateKwargs" must be an object'));
  });

  it('a line above maxLineBytes (16 MiB) is INPUT_LIMIT_EXCEEDED naming the limit and the line, never read whole', () => {
    const file = write(`{"id":"a","prompt":"x"}\n{"id":"b","prompt":"${'y'.repeat(INPUT_LIMITS.maxLineBytes)}"}\n`);
    throws(() => readDataset(file), (e: { code: string; path: string; details: { limit: string; max: number } }) => e.code === 'INPUT_LIMIT_EXCEEDED' && e.details.limit === 'maxLineBytes' && e.details.max === INPUT_LIMITS.maxLineBytes && e.path.endsWith(':2'));
  });

  it('refuses an empty file', () => {
    throws(() => readDataset(write('\n')), { code: 'CONFIG_INVALID' });
  });
});

describe('loadDatasets', () => {
  it('holds out the last evalFraction of train when there is no eval file', () => {
    const file = write(Array.from({ length: 10 }, (_, i) => JSON.stringify({ id: `r${i}`, prompt: 'p' })).join('\n'));
    const { train, eval: ev } = loadDatasets({ train: file, evalFraction: 0.2 });
    deepStrictEqual(train.map((r) => r.id), ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7']);
    deepStrictEqual(ev.map((r) => r.id), ['r8', 'r9']);
  });
});
