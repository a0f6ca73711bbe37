// The format checks: one reasoning block then an answer, an answer tag, a code block, user regexes. Pure functions.
import { MolrlError } from '@molrl/common';
import type { FormatOptions } from './options-schema.ts';

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const count = (text: string, needle: string): number => text.split(needle).length - 1;

/** Exactly one `<tag>...</tag>`, first thing in the text, with non-empty text after it. */
export function thinkThenAnswer(text: string, tag: string): boolean {
  const open = `<${tag}>`;
  const close = `</${tag}>`;
  if (count(text, open) !== 1 || count(text, close) !== 1) return false;
  const m = new RegExp(`^\\s*${escape(open)}([\\s\\S]*?)${escape(close)}([\\s\\S]*)$`).exec(text);
  return m !== null && m[1].trim() !== '' && m[2].trim() !== '';
}

/** Exactly one non-empty `<tag>...</tag>`, after the reasoning block when there is one. */
export function oneTag(text: string, tag: string, after: string | null): boolean {
  const rest = after !== null && text.includes(`</${after}>`) ? text.slice(text.lastIndexOf(`</${after}>`)) : text;
  if (count(text, `<${tag}>`) !== 1 || count(text, `</${tag}>`) !== 1) return false;
  const m = new RegExp(`${escape(`<${tag}>`)}([\\s\\S]*?)${escape(`</${tag}>`)}`).exec(rest);
  return m !== null && m[1].trim() !== '';
}

/** A closed fenced block (``` or ~~~), of `language` when given. */
export function hasCodeBlock(text: string, language: string | null): boolean {
  const tag = language === null ? '[^\\n`]*' : `[ \\t]*${escape(language)}[ \\t]*`;
  return new RegExp(`^[ \\t]*(\`{3,}|~{3,})${tag}\\n[\\s\\S]*?^[ \\t]*\\1[ \\t]*$`, 'm').test(text.replace(/\r\n/g, '\n'));
}

/** The compiled checks of a set of options: component name -> predicate. Bad regexes are a coded error. */
export function buildChecks(o: FormatOptions): [string, (text: string) => boolean][] {
  const checks: [string, (text: string) => boolean][] = [];
  if (o.requireThink) checks.push(['think', (t) => thinkThenAnswer(t, o.thinkTag)]);
  if (o.answerTag !== null) {
    const tag = o.answerTag;
    checks.push(['answer', (t) => oneTag(t, tag, o.requireThink ? o.thinkTag : null)]);
  }
  if (o.requireCodeBlock) checks.push(['codeBlock', (t) => hasCodeBlock(t, o.codeLanguage)]);
  o.patterns.forEach((p, i) => {
    let re: RegExp;
    try {
      re = new RegExp(p.regex, (p.flags ?? '').replace('g', ''));
    } catch (error) {
      throw new MolrlError('CONFIG_INVALID', `options.patterns[${i}].regex: not a valid regular expression (${(error as Error).message})`, { path: `options.patterns[${i}].regex`, plugin: 'reward:format', cause: error });
    }
    const must = p.mustMatch ?? true;
    checks.push([p.name, (t) => re.test(t) === must]);
  });
  return checks;
}
