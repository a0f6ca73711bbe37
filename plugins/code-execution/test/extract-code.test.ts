// Tests of extractCode: last block wins, tags, untagged fences, unterminated fences.
import { strictEqual } from 'node:assert/strict';
import { extractCode, languageOf } from '../src/extract-code.ts';

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
  it('takes the fence tags of every sandbox language', () => {
    const completion = '```cpp\nint a;\n```\n```C++\nint b;\n```\n```java\nclass A {}\n```\n```js\nlet c;\n```\n```rs\nfn main() {}\n```';
    strictEqual(extractCode(completion, 'cpp', false), 'int b;');
    strictEqual(extractCode(completion, 'java', false), 'class A {}');
    strictEqual(extractCode(completion, 'nodejs', false), 'let c;');
    strictEqual(extractCode(completion, 'javascript', false), 'let c;');
    strictEqual(extractCode(completion, 'rust', false), 'fn main() {}');
    strictEqual(extractCode(completion, 'go', false), null);
    strictEqual(extractCode('```golang\npackage main\n```', 'go', false), 'package main');
  });
});

describe('languageOf', () => {
  it('maps sandbox names, aliases and fence tags to the sandbox language, case-insensitively', () => {
    const names: [string, string | null][] = [['cpp', 'cpp'], ['C++', 'cpp'], ['python3', 'python'], ['Python', 'python'], ['javascript', 'nodejs'], ['JS', 'nodejs'], ['ts', 'typescript'], ['golang', 'go'], ['sh', 'bash'], ['c', 'c'], ['cobol', null], ['', null]];
    for (const [name, language] of names) strictEqual(languageOf(name), language, name);
    strictEqual(languageOf(3), null);
  });
});
