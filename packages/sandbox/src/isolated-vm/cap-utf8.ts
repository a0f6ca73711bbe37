// Cuts a string to at most N UTF-8 bytes without splitting a character.

/** `text` cut to at most `limitBytes` UTF-8 bytes at a character boundary, and whether anything was cut. */
export function capUtf8(text: string, limitBytes: number): { text: string; cut: boolean } {
  // Fast path: every UTF-16 unit is at most 3 UTF-8 bytes.
  if (text.length * 3 <= limitBytes) return { text, cut: false };
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= limitBytes) return { text, cut: false };
  let end = Math.max(0, limitBytes);
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end -= 1; // back off to the start of a character
  return { text: bytes.subarray(0, end).toString('utf8'), cut: true };
}
