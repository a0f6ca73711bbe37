// Splits a byte stream into NDJSON lines (UTF-8, '\n' or '\r\n', blank lines skipped, last line may lack '\n').

/** Yields each non-blank line of `body`, in order, as soon as it is complete. */
export async function* ndjsonLines(body: ReadableStream<Uint8Array>, onChunk?: () => void): AsyncGenerator<string> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      onChunk?.();
      buffer += value;
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line !== '') yield line;
        newline = buffer.indexOf('\n');
      }
    }
    const last = buffer.trim();
    if (last !== '') yield last;
  } finally {
    await reader.cancel().catch(() => {});
  }
}
