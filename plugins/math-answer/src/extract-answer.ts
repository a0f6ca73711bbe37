// Finds the final answer of a completion: the last \boxed{...} (nested braces) or the last match of a pattern.

/** Content of the last `\boxed{...}` / `\fbox{...}` (balanced braces), or `\boxed x`; null when there is none. */
export function lastBoxed(text: string): string | null {
  const at = Math.max(text.lastIndexOf('\\boxed'), text.lastIndexOf('\\fbox'));
  if (at === -1) return null;
  let i = at + (text.startsWith('\\boxed', at) ? 6 : 5);
  while (text[i] === ' ') i += 1;
  if (text[i] !== '{') {
    const m = /^[^\s$]+/.exec(text.slice(i));
    return m ? m[0] : null;
  }
  let depth = 0;
  for (let j = i; j < text.length; j += 1) {
    if (text[j] === '{') depth += 1;
    else if (text[j] === '}') {
      depth -= 1;
      if (depth === 0) return text.slice(i + 1, j).trim();
    }
  }
  return null; // unbalanced: the completion was cut off
}

/** The answer by `pattern` (first capture group, or the whole match, of the LAST match), else the last boxed. */
export function extractAnswer(text: string, pattern: string | null): string | null {
  if (pattern === null) return lastBoxed(text);
  let last: string | null = null;
  for (const m of text.matchAll(new RegExp(pattern, 'g'))) last = (m[1] ?? m[0]).trim();
  return last;
}
