// Rewrites a LaTeX answer into sympy's parse_expr syntax (fractions, roots, powers, pi, cdot); sympy does the rest.
import { normaliseAnswer } from './parse-number.ts';

/** Replaces `\name{a}{b}` (balanced braces) by `render(a, b)`, innermost first. */
function replaceCommand(text: string, name: string, arity: number, render: (...args: string[]) => string): string {
  let out = text;
  for (let guard = 0; guard < 100; guard += 1) {
    const at = out.lastIndexOf(`\\${name}`);
    if (at === -1) return out;
    let i = at + name.length + 1;
    const args: string[] = [];
    while (args.length < arity) {
      if (out[i] === '{') {
        let depth = 0;
        let j = i;
        for (; j < out.length; j += 1) {
          if (out[j] === '{') depth += 1;
          else if (out[j] === '}' && --depth === 0) break;
        }
        args.push(out.slice(i + 1, j));
        i = j + 1;
      } else if (i < out.length) {
        args.push(out[i]); // \frac12
        i += 1;
      } else return out;
    }
    out = out.slice(0, at) + render(...args) + out.slice(i);
  }
  return out;
}

/** A sympy-parsable expression for a LaTeX answer, e.g. `\frac{\sqrt{2}}{2}` -> `((sqrt((2))))/((2))`. */
export function latexToSympy(raw: string): string {
  let s = normaliseAnswer(raw).replace(/\\%|%/g, '/100');
  s = replaceCommand(s, 'frac', 2, (a, b) => `((${a})/(${b}))`);
  s = replaceCommand(s, 'sqrt', 1, (a) => `sqrt(${a})`);
  return s
    .replace(/\\(?:cdot|times)/g, '*')
    .replace(/\\div/g, '/')
    .replace(/\\pi/g, 'pi')
    .replace(/\\infty/g, 'oo')
    .replace(/\\(ln|log|sin|cos|tan|exp)\b/g, '$1')
    .replace(/\^/g, '**')
    .replace(/\{/g, '(')
    .replace(/\}/g, ')')
    .replace(/(\d),(\d{3})(?!\d)/g, '$1$2');
}
