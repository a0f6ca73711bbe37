import assert from 'node:assert/strict';
import { ndjsonLines } from '../src/ndjson.ts';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function lines(chunks: string[]): Promise<string[]> {
  const out: string[] = [];
  for await (const line of ndjsonLines(streamOf(chunks))) out.push(line);
  return out;
}

describe('ndjsonLines', () => {
  it('joins lines split across chunks', async () => {
    assert.deepEqual(await lines(['{"a":', '1}\n{"b"', ':2}\n']), ['{"a":1}', '{"b":2}']);
  });

  it('handles CRLF, blank lines and a last line without a newline', async () => {
    assert.deepEqual(await lines(['x\r\n\n', '\ny\r\nz']), ['x', 'y', 'z']);
  });

  it('decodes UTF-8 characters split across chunks', async () => {
    const bytes = new TextEncoder().encode('"é"\n');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 2));
        controller.enqueue(bytes.slice(2));
        controller.close();
      },
    });
    const out: string[] = [];
    for await (const line of ndjsonLines(stream)) out.push(line);
    assert.deepEqual(out, ['"é"']);
  });
});
