// Tests of extractCode: last block wins, tags, untagged fences, unterminated fences.
import { strictEqual } from 'node:assert/strict';
import { extractCode } from '../src/extract-code.ts';

describe('extractCode', () => {
  it('returns the last python block', () => {
    strictEqual(extractCode('a\n```python\nprint(1)\n```\nb\n```python\nprint(2)\n```\n', 'python', true), 'print(2)');
  });
  it('accepts py and python3 tags in any case', () => {
    strictEqual(extractCode('```py\nx = 1\n```', 'python', false), 'x = 1');
    strictEqual(extractCode('```Python3\nx = 2\n```', 'python', false), 'x = 2');
  });
  it('counts an untagged fence only when acceptUntagged is on', () => {
    strictEqual(extractCode('```\nx = 1\n```', 'python', true), 'x = 1');
    strictEqual(extractCode('```\nx = 1\n```', 'python', false), null);
  });
  it('ignores blocks of other languages', () => {
    strictEqual(extractCode('```python\nok = 1\n```\n```bash\nls\n```', 'python', true), 'ok = 1');
  });
  it('returns null when there is no block or the last fence is never closed', () => {
    strictEqual(extractCode('no code here', 'python', true), null);
    strictEqual(extractCode('```python\nprint(1)\n', 'python', true), null);
  });
  it('keeps inner lines and blank lines of the block', () => {
    strictEqual(extractCode('```python\ndef f():\n\n    return 1\n```', 'python', true), 'def f():\n\n    return 1');
  });
  it('handles CRLF line endings and longer fences', () => {
    strictEqual(extractCode('````python\r\nprint(1)\r\n````\r\n', 'python', true), 'print(1)');
  });
});
