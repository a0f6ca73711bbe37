// Tests of the LaTeX -> sympy rewriting (sympy itself runs only in the sandbox, see index.test.ts).
import { strictEqual } from 'node:assert/strict';
import { latexToSympy } from '../src/latex-to-sympy.ts';

describe('latexToSympy', () => {
  it('rewrites nested fractions and roots', () => {
    strictEqual(latexToSympy('\\frac{\\sqrt{2}}{2}'), '((sqrt(2))/(2))');
  });
  it('rewrites powers, products and pi', () => {
    strictEqual(latexToSympy('2\\cdot\\pi^{2}'), '2*pi**(2)');
  });
  it('reads \\frac12 without braces', () => {
    strictEqual(latexToSympy('\\frac12'), '((1)/(2))');
  });
});
