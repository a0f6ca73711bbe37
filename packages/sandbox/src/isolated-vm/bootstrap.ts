// Builds the one script each new isolated-vm context evaluates: a wrapper that runs the program and keeps its output.

/** What the context reports back (copied out after every microtask has run). */
export interface IsolateOutput {
  stdout: string;
  stderr: string;
  /** A stream reached the cap; console calls then throw `OutputLimitError`. */
  over: boolean;
  /** The program threw (synchronously, or a syntax error); the description is already in stderr. */
  threw: boolean;
  /** `molrlMarker()` was called. */
  markerRequested: boolean;
}

/**
 * The whole script for one evaluation, so one isolate round trip runs it and returns its output:
 * `(wrapper)(stdin, marker, limitChars, code)`. The wrapper defines `console`, a `stdin` string and, on request,
 * `molrlMarker()`; runs `code` with a global indirect eval (the same semantics as a script: `var` and functions
 * become globals) inside try/catch; and returns its private IsolateOutput as the script's completion value, which
 * isolated-vm copies out after the microtask queue drained, so late output of promise continuations is included.
 *
 * Why this shape:
 * - Exceptions never leave the isolate. isolated-vm reads an escaping error's `message`/`stack` outside the
 *   evaluation's timeout, so a thrown object with a looping getter, or a looping `Error.prepareStackTrace`, would
 *   hang or crash the host. Here they are described inside the evaluation, under its timeout.
 * - The output object is reachable only from the wrapper's closure, never by name; only the wrapper writes it,
 *   and only with strings and booleans, so copying it out runs no user code.
 * - Only primitives (as JSON literals) cross into the context; nothing host-side (no Reference, no Callback). The
 *   source text of the wrapper is not reachable from user code, so the marker stays secret until asked for.
 * Output is capped at `limitChars` UTF-16 units per stream (a superset of the byte limit; the host cuts bytes).
 */
export function evaluationScript(code: string, stdin: string, marker: string, limitChars: number): string {
  const args = [JSON.stringify(stdin), JSON.stringify(marker), String(Math.floor(limitChars)), JSON.stringify(`${code}\n//# sourceURL=main.js`)];
  return `${oneLine()}(${args.join(', ')})`;
}

/** The wrapper (a function expression). Intrinsics are captured before user code can replace them. */
const WRAPPER_SOURCE = `(function (stdin, marker, limitChars, code) {
  'use strict';
  const G = globalThis, indirectEval = G.eval;
  const Str = String, defineProperty = Object.defineProperty, freeze = Object.freeze, apply = Reflect.apply;
  const slice = String.prototype.slice, JSONstringify = JSON.stringify, ErrorCtor = Error;
  const state = { stdout: '', stderr: '', over: false, threw: false, markerRequested: false };
  function text(v) {
    try { return typeof v === 'string' ? v : Str(v); } catch (e) { return '[unprintable]'; }
  }
  function show(v) {
    if (typeof v === 'string') return v;
    try {
      if (v instanceof ErrorCtor) return text(v.stack || v);
      if (v !== null && typeof v === 'object') {
        const s = JSONstringify(v);
        if (typeof s === 'string') return s;
      }
    } catch (e) { /* cyclic or hostile: fall back to String() */ }
    return text(v);
  }
  function write(key, args) {
    if (state.over) throw new ErrorCtor('OutputLimitError: output limit reached');
    let line = '';
    for (let i = 0; i < args.length; i++) line += (i === 0 ? '' : ' ') + show(args[i]);
    line += '\\n';
    const room = limitChars - state[key].length;
    if (line.length > room) {
      state[key] += apply(slice, line, [0, room > 0 ? room : 0]);
      state.over = true;
      throw new ErrorCtor('OutputLimitError: output limit reached');
    }
    state[key] += line;
  }
  const log = function log(...args) { write('stdout', args); };
  const error = function error(...args) { write('stderr', args); };
  defineProperty(G, 'console', { value: freeze({ log, info: log, debug: log, error, warn: error, trace: error }), writable: true, configurable: true });
  defineProperty(G, 'stdin', { value: stdin, writable: true, configurable: true });
  if (marker !== '') {
    let markerValue = marker;
    defineProperty(G, 'molrlMarker', { configurable: true, writable: true, value: function molrlMarker() {
      const v = markerValue; markerValue = ''; state.markerRequested = true; return v;
    } });
  }
  try {
    indirectEval(code);
  } catch (e) {
    if (!state.over) {
      state.threw = true;
      let described;
      try { described = e instanceof ErrorCtor ? text(e.stack || (e.name + ': ' + e.message)) : 'Uncaught ' + text(e); }
      catch (e2) { described = 'Uncaught exception (unprintable)'; }
      const room = limitChars - state.stderr.length;
      state.stderr += apply(slice, described + '\\n', [0, room > 0 ? room : 0]);
    }
  }
  return state;
})`;

let wrapperOneLine = '';
function oneLine(): string {
  // One line, so positions inside the wrapper never shift the program's own line numbers (it is eval'd apart).
  if (wrapperOneLine === '') wrapperOneLine = WRAPPER_SOURCE.replace(/\n\s*/g, ' ');
  return wrapperOneLine;
}
