// Finds the last fenced code block of a completion in the requested language.

/** Fence tags accepted per language (compared case-insensitively). */
export const LANGUAGE_TAGS: Readonly<Record<string, readonly string[]>> = { python: ['python', 'py', 'python3'] };

const FENCE = /^[ \t]*(`{3,}|~{3,})[ \t]*([^\s`]*)[^\n]*\n([\s\S]*?)^[ \t]*\1[ \t]*$/gm;

/**
 * The body of the LAST fenced block whose tag names `language` (```python, ```py, ```python3), or of the
 * last untagged fence when `acceptUntagged` is on; null when there is none. A fence left open at the end
 * of the completion (generation cut off) does not count.
 */
export function extractCode(completion: string, language: string, acceptUntagged: boolean): string | null {
  const tags = LANGUAGE_TAGS[language] ?? [language];
  let last: string | null = null;
  for (const m of completion.replace(/\r\n/g, '\n').matchAll(FENCE)) {
    const tag = m[2].toLowerCase();
    if (tags.includes(tag) || (tag === '' && acceptUntagged)) last = m[3].replace(/\n$/, '');
  }
  return last;
}
