// The "parses" level of interpreted languages in mode 'io': a checker program of ours parses the source (given as
// its stdin, never run) in the sandbox. Compiled languages get this level from their compile instead.
import type { CanonicalLanguage } from '@molrl/sandbox';

/** Checker programs: exit 0 when the source on stdin parses, else 1 with the parser's message on stderr. */
export const SYNTAX_CHECKERS: Partial<Record<CanonicalLanguage, string>> = {
  python: [
    'import sys, traceback',
    'src = sys.stdin.buffer.read().decode("utf-8", "surrogateescape")',
    'try:',
    '    compile(src, "main.py", "exec", dont_inherit=True)',
    'except (SyntaxError, ValueError) as e:',
    '    sys.stderr.write("".join(traceback.format_exception_only(type(e), e)))',
    '    sys.exit(1)',
  ].join('\n'),
  nodejs: [
    "const src = require('fs').readFileSync(0, 'utf8');",
    "try { new (require('vm').Script)(require('module').wrap(src), { filename: 'main.js' }); }",
    'catch (e) { process.stderr.write(`main.js: ${e}\\n`); process.exit(1); }',
  ].join('\n'),
  bash: 'exec bash -n',
};
