#!/usr/bin/env node
// Generates the MoL -> Dr.GRPO demo's data (deterministic): arithmetic code-agent traces and RL prompts.
// - traces.jsonl: agent traces { id, messages } in the smolagents CodeAgent form. The agent writes python,
//   the observation (`Observation: Execution logs:\n<stdout>` or the error) comes back as a user turn. First
//   attempts are often wrong (swapped operands in subtraction, typos); the agent then fixes its code. The
//   feedback turns carry what the policy needs and cannot see in the task: what python prints for an
//   expression, and which mistakes fail how. MoL trains CE on exactly those tokens.
// - train.jsonl / eval.jsonl: chat prompts { id, messages: [user "Q: <expr>"], groundTruth } for Dr.GRPO
//   with the code-execution reward (0.1 parses / 0.4 executes / 1.0 prints the right value).
// Usage: node examples/mol-drgrpo/generate-data.mjs [outDir]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom as rng } from '@molrl/core';

const out = process.argv[2] ?? dirname(fileURLToPath(import.meta.url));

const int = (r, lo, hi) => lo + Math.floor(r() * (hi - lo + 1));
const pick = (r, xs) => xs[Math.floor(r() * xs.length)];
// eslint-disable-next-line no-new-func
const evaluate = (expr) => Function(`"use strict"; return (${expr});`)();

/** A question: `a-b` (the class agents get wrong first), or one or two operations of + - *. */
function question(r) {
  if (r() < 1 / 3) {
    const a = int(r, 1, 99);
    let b = int(r, 1, 99);
    while (b === a) b = int(r, 1, 99);
    return { expr: `${a}-${b}`, swapped: `${b}-${a}`, cls: 'subtraction' };
  }
  const ops = r() < 0.5 ? [pick(r, ['+', '*'])] : [pick(r, ['+', '-', '*']), pick(r, ['+', '-', '*'])];
  let expr = String(int(r, 1, 99));
  for (const op of ops) expr += `${op}${int(r, 1, 99)}`;
  return { expr, cls: 'rest' };
}

const code = (body) => `\`\`\`python\n${body}\n\`\`\``;
const logs = (stdout) => `Observation: Execution logs:\n${stdout}\n`;

/** A wrong first attempt and the observation it gets (python's own error text, or the wrong value). */
function mistake(r, q) {
  if (q.swapped && r() < 0.6) return { body: `print(${q.swapped})`, observation: logs(String(evaluate(q.swapped))) };
  const kind = r();
  if (kind < 0.4) return { body: `prnt(${q.expr})`, observation: "Observation: Error: NameError: name 'prnt' is not defined\n" };
  if (kind < 0.7) return { body: `print(${q.expr}`, observation: "Observation: Error: SyntaxError: '(' was never closed\n" };
  return { body: `print(${q.expr})`, observation: logs(String(evaluate(q.expr))) };
}

function trace(r, id) {
  const q = question(r);
  const messages = [{ role: 'user', content: `Q: ${q.expr}` }];
  const first = r() < 0.5 ? mistake(r, q) : null;
  if (first && first.body !== `print(${q.expr})`) {
    messages.push({ role: 'assistant', content: code(first.body) }, { role: 'user', content: first.observation });
  }
  messages.push({ role: 'assistant', content: code(`print(${q.expr})`) }, { role: 'user', content: logs(String(evaluate(q.expr))) });
  return { id, messages, metadata: { class: q.cls } };
}

function row(q, id) {
  return { id, messages: [{ role: 'user', content: `Q: ${q.expr}` }], groundTruth: String(evaluate(q.expr)), metadata: { class: q.cls, expression: q.expr } };
}

const jsonl = (rows) => rows.map((x) => JSON.stringify(x)).join('\n') + '\n';
mkdirSync(out, { recursive: true });
const r1 = rng(11);
writeFileSync(join(out, 'traces.jsonl'), jsonl(Array.from({ length: 3000 }, (_, i) => trace(r1, `trace-${i}`))));
const r2 = rng(12);
writeFileSync(join(out, 'train.jsonl'), jsonl(Array.from({ length: 1000 }, (_, i) => row(question(r2), `train-${i}`))));
const r3 = rng(13);
writeFileSync(join(out, 'eval.jsonl'), jsonl(Array.from({ length: 128 }, (_, i) => row(question(r3), `eval-${i}`))));
process.stdout.write(`wrote traces.jsonl (3000), train.jsonl (1000), eval.jsonl (128) to ${out}\n`);
