// The SFT phase's demonstrations: reading them, and the examples they become (chat-template turns or raw text).
import { deepStrictEqual, strictEqual, throws } from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDemonstrations, sftExample } from '@molrl/core';

describe('readDemonstrations', () => {
  it('reads { prompt, completion } and reports bad lines', () => {
    const dir = mkdtempSync(join(tmpdir(), 'molrl-sft-'));
    writeFileSync(join(dir, 'ok.jsonl'), '{"prompt":"Q: 1+1\\nA:","completion":" 2"}\n');
    deepStrictEqual(readDemonstrations(join(dir, 'ok.jsonl')), [{ prompt: 'Q: 1+1\nA:', completion: ' 2' }]);
    writeFileSync(join(dir, 'bad.jsonl'), '{"prompt":"x"}\n{"messages":[{"role":"user","content":"hi"}]}\n{"messages":[{"role":"bot","content":"hi"}]}\n');
    throws(
      () => readDemonstrations(join(dir, 'bad.jsonl')),
      (e: Error & { details: { problems: string[] } }) =>
        e.details.problems.length === 3 &&
        e.details.problems[0].endsWith(':1: expected { "prompt": string, "completion": string } or { "messages": [...] }') &&
        e.details.problems[1].includes(':2: "messages" must be') &&
        e.details.problems[2].includes(':3: "messages" must be'),
    );
  });
  it('reads { messages } conversations', () => {
    const dir = mkdtempSync(join(tmpdir(), 'molrl-sft-'));
    const messages = [{ role: 'system', content: 's' }, { role: 'user', content: 'u' }, { role: 'assistant', content: 'a' }];
    writeFileSync(join(dir, 'chat.jsonl'), `${JSON.stringify({ messages })}\n`);
    deepStrictEqual(readDemonstrations(join(dir, 'chat.jsonl')), [{ messages }]);
  });
});

describe('sftExample', () => {
  const demo = { prompt: 'Q: 1+1', completion: '2' };
  it('chat: the prompt is a user turn (no loss), the completion an assistant turn (CE)', () => {
    deepStrictEqual(sftExample(demo, true).segments, [
      { role: 'user', text: 'Q: 1+1', loss: 'none' },
      { role: 'assistant', text: '2', loss: 'ce' },
    ]);
  });
  it('text: raw text segments without roles', () => {
    deepStrictEqual(sftExample(demo, false).segments, [
      { text: 'Q: 1+1', loss: 'none' },
      { text: '2', loss: 'ce' },
    ]);
  });
  it('a conversation keeps its turns; only assistant turns are trained', () => {
    const messages = [{ role: 'system' as const, content: 's' }, { role: 'user' as const, content: 'u' }, { role: 'assistant' as const, content: 'a' }, { role: 'user' as const, content: 'u2' }, { role: 'assistant' as const, content: 'b' }];
    deepStrictEqual(sftExample({ messages }, false).segments.map((s) => [s.role, s.loss]), [['system', 'none'], ['user', 'none'], ['assistant', 'ce'], ['user', 'none'], ['assistant', 'ce']]);
  });
});
