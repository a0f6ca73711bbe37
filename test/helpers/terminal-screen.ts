// A small terminal model for tests of redrawn output: applies the cursor and erase sequences a renderer wrote.

/** The screen after `out`: handles \r, \n, ESC[nA (up), ESC[J (clear to end), ESC[2K, and drops SGR colours. */
export function screen(out: string): string[] {
  const rows: string[] = [''];
  let r = 0;
  let c = 0;
  for (let i = 0; i < out.length; i++) {
    const ch = out[i];
    if (ch === '\x1b') {
      const m = /^\x1b\[(\d*)([A-Za-z])/.exec(out.slice(i));
      if (!m) continue;
      i += m[0].length - 1;
      const n = Number(m[1] || 1);
      if (m[2] === 'A') r = Math.max(0, r - n);
      else if (m[2] === 'J') {
        rows[r] = rows[r].slice(0, c);
        rows.length = r + 1;
      } else if (m[2] === 'K') rows[r] = '';
      continue;
    }
    if (ch === '\r') c = 0;
    else if (ch === '\n') {
      r++;
      c = 0;
      if (rows.length <= r) rows.push('');
    } else {
      const row = rows[r].padEnd(c);
      rows[r] = row.slice(0, c) + ch + row.slice(c + 1);
      c++;
    }
  }
  return rows;
}
