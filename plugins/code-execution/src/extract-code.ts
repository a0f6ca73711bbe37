// Finds the last fenced code block of a completion in the requested language.

import { canonicalLanguage, type CanonicalLanguage } from '@molrl/sandbox';

/** Fence tags accepted per language (compared case-insensitively); also the names `metadata.language` may use. */
export const LANGUAGE_TAGS: Readonly<Record<CanonicalLanguage, readonly string[]>> = {
  python: ['python', 'py', 'python3'],
  cpp: ['cpp', 'c++', 'cxx', 'cc'],
  c: ['c'],
  java: ['java'],
  go: ['go', 'golang'],
  rust: ['rust', 'rs'],
  nodejs: ['javascript', 'js', 'nodejs', 'node'],
  typescript: ['typescript', 'ts'],
  bash: ['bash', 'sh', 'shell'],
};

/** The sandbox language a name or fence tag means (`C++` -> cpp, `python3` -> python, `javascript` -> nodejs), or null. */
export function languageOf(name: unknown): CanonicalLanguage | null {
  if (typeof name !== 'string') return null;
  const tag = name.trim().toLowerCase();
  const known = canonicalLanguage(tag);
  if (known) return known;
  for (const [language, tags] of Object.entries(LANGUAGE_TAGS)) if (tags.includes(tag)) return language as CanonicalLanguage;
  return null;
}

const FENCE = /^[ \t]*(`{3,}|~{3,})[ \t]*([^\s`]*)[^\n]*\n([\s\S]*?)^[ \t]*\1[ \t]*$/gm;

/**
 * The body of the LAST fenced block whose tag names `language` (for python ```python, ```py, ```python3), or of the
 * last untagged fence when `acceptUntagged` is on; null when there is none. A fence left open at the end
 * of the completion (generation cut off) does not count.
 */
export function extractCode(completion: string, language: string, acceptUntagged: boolean): string | null {
  const canonical = languageOf(language);
  const tags = canonical ? LANGUAGE_TAGS[canonical] : [language];
  let last: string | null = null;
  for (const m of completion.replace(/\r\n/g, '\n').matchAll(FENCE)) {
    const tag = m[2].toLowerCase();
    if (tags.includes(tag) || (tag === '' && acceptUntagged)) last = m[3].replace(/\n$/, '');
  }
  return last;
}
