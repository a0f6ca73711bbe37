#!/usr/bin/env node
// Generates the quickstart's data (deterministic): arithmetic questions answered with a python code block.
// - sft.jsonl: demonstrations { prompt, completion } with a SYSTEMATIC fault: in single-operation subtraction
//   questions (the "faulted" class, about 1/3 of all) two thirds of the demonstrations swap the operands
//   (the code runs but prints the wrong value: reward 0.4); elsewhere faults are rare and random.
// - train.jsonl: RL prompts { id, prompt, groundTruth, metadata: { class } }, half of them from the faulted class.
// - eval.jsonl: 256 eval prompts at the natural share (1/3 faulted).
// Usage: node examples/quickstart/generate-data.mjs [outDir]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom as rng } from '@molrl/core';

const out = process.argv[2] ?? dirname(fileURLToPath(import.meta.url));

const int = (r, lo, hi) => lo + Math.floor(r() * (hi - lo + 1));
const pick = (r, xs) => xs[Math.floor(r() * xs.length)];

/** A question: faulted class `a-b` (a != b), or the rest (one op + or *, or two ops of + - *). */
function question(r, faulted) {
  if (faulted) {
    const a = int(r, 1, 99);
    let b = int(r, 1, 99);
    while (b === a) b = int(r, 1, 99);
    return { expr: `${a}-${b}`, a, b, cls: 'faulted' };
  }
  const ops = r() < 0.5 ? [pick(r, ['+', '*'])] : [pick(r, ['+', '-', '*']), pick(r, ['+', '-', '*'])];
  let expr = String(int(r, 1, 99));
  for (const op of ops) expr += `${op}${int(r, 1, 99)}`;
  return { expr, cls: 'rest' };
}
// eslint-disable-next-line no-new-func
const evaluate = (expr) => Function(`"use strict"; return (${expr});`)();
const prompt = (q) => `Q: ${q.expr}\nA:`;
const answer = (code) => `\n\`\`\`python\n${code}\n\`\`\``;

/** A random fault: missing paren, wrong digit, wrong operator, misspelt print. */
function randomFault(r, expr) {
  const kind = r();
  if (kind < 0.33) return `print(${expr}`;
  if (kind < 0.62) {
    const i = [...expr].findIndex((c, j) => /\d/.test(c) && j >= Math.floor(r() * expr.length));
    const at = i < 0 ? 0 : i;
    return `print(${expr.slice(0, at)}${(Number(expr[at]) + 1 + int(r, 0, 7)) % 10}${expr.slice(at + 1)})`;
  }
  if (kind < 0.88) return `print(${expr.replace(/[+\-*]/, (op) => pick(r, ['+', '-', '*'].filter((o) => o !== op)))})`;
  return `prnt(${expr})`;
}

function demonstration(r) {
  const q = question(r, r() < 1 / 3);
  let code = `print(${q.expr})`;
  if (q.cls === 'faulted' && r() < 2 / 3) code = `print(${q.b}-${q.a})`;
  else if (r() < 0.08) code = randomFault(r, q.expr);
  return { prompt: prompt(q), completion: answer(code) };
}

function row(q, id) {
  return { id, prompt: prompt(q), groundTruth: String(evaluate(q.expr)), metadata: { class: q.cls, expression: q.expr } };
}

const jsonl = (rows) => rows.map((x) => JSON.stringify(x)).join('\n') + '\n';
mkdirSync(out, { recursive: true });
const r1 = rng(1);
writeFileSync(join(out, 'sft.jsonl'), jsonl(Array.from({ length: 4000 }, () => demonstration(r1))));
const r2 = rng(2);
writeFileSync(join(out, 'train.jsonl'), jsonl(Array.from({ length: 2000 }, (_, i) => row(question(r2, i % 2 === 0), `train-${i}`))));
const r3 = rng(3);
writeFileSync(join(out, 'eval.jsonl'), jsonl(Array.from({ length: 256 }, (_, i) => row(question(r3, i % 3 === 0), `eval-${i}`))));
process.stdout.write(`wrote sft.jsonl (4000), train.jsonl (2000), eval.jsonl (256) to ${out}\n`);
