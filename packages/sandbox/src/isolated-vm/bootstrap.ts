// Source of the script that prepares each new isolated-vm context: console, stdin, marker, output buffers.

/**
 * Evaluated once per context before the user's code. Its completion value is a setup function
 * `(stdin, marker, limitChars) => collect`; the host calls it with primitives only (strings, numbers), and keeps
 * the returned `collect` function as a host-side Reference. Nothing host-side is ever handed into the context.
 *
 * Output is buffered inside the isolate (no callback per console.log) and capped at `limitChars` UTF-16 code
 * units per stream (a superset of `outputLimitBytes` bytes; the host cuts to the exact byte count). Over the cap,
 * console calls throw `OutputLimitError` so a print loop stops early. Intrinsics are captured up front so code
 * that later rewrites `String.prototype` or `Array.prototype` cannot break the collector.
 */
export const BOOTSTRAP_SOURCE = `(function () {
  'use strict';
  const G = globalThis;
  const Str = String, defineProperty = Object.defineProperty, freeze = Object.freeze;
  const JSONstringify = JSON.stringify, ErrorCtor = Error;
  return function setup(stdin, marker, limitChars) {
    const out = { text: '', over: false }, err = { text: '', over: false };
    function show(v) {
      if (typeof v === 'string') return v;
      try {
        if (v instanceof ErrorCtor) return Str(v.stack || v);
        if (v !== null && typeof v === 'object') {
          const s = JSONstringify(v);
          if (s !== undefined) return s;
        }
        return Str(v);
      } catch (e) {
        try { return Str(v); } catch (e2) { return '[unprintable]'; }
      }
    }
    function write(stream, args) {
      let line = '';
      for (let i = 0; i < args.length; i++) line += (i === 0 ? '' : ' ') + show(args[i]);
      line += '\\n';
      if (stream.over) throw new ErrorCtor('OutputLimitError: output limit reached');
      const room = limitChars - stream.text.length;
      if (line.length > room) {
        stream.text += line.slice(0, room > 0 ? room : 0);
        stream.over = true;
        throw new ErrorCtor('OutputLimitError: output limit reached');
      }
      stream.text += line;
    }
    const log = function log(...args) { write(out, args); };
    const error = function error(...args) { write(err, args); };
    const console = freeze({ log, info: log, debug: log, error, warn: error, trace: error });
    defineProperty(G, 'console', { value: console, writable: true, configurable: true });
    defineProperty(G, 'stdin', { value: Str(stdin), writable: true, configurable: true });
    let markerValue = marker, markerRequested = false;
    if (marker !== '') {
      defineProperty(G, 'molrlMarker', { configurable: true, writable: true, value: function molrlMarker() {
        const v = markerValue; markerValue = ''; markerRequested = true; return v;
      } });
    }
    return function collect() {
      return { stdout: out.text, stderr: err.text, over: out.over || err.over, markerRequested: markerRequested };
    };
  };
})()`;
