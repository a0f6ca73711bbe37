// A CodeContests-shaped problem set generated here (no download): problems with stdin/stdout test cases and a
// correct Python and C++ solution each. Ten problem kinds; problem i bakes its own constant k into its sources
// and answers, so every source is distinct (every C++ solution compiles, none is a cache hit of another).
import { seededRandom } from '@molrl/core';

/** One generated problem: its cases and a solution per language. */
export interface Problem {
  id: string;
  cases: { stdin: string; expected: string }[];
  python: string;
  cpp: string;
}

const MOD = 1_000_000_007n;
const CPP_HEAD = '#include <iostream>\n#include <vector>\n#include <algorithm>\n#include <string>\nusing namespace std;\n';

interface Kind {
  input(r: () => number, int: (lo: number, hi: number) => number): string;
  answer(input: string, k: number): string;
  python(k: number): string;
  cpp(k: number): string;
}

const nums = (s: string): number[] => s.trim().split(/\s+/).map(Number);
const arrayInput = (n: number, values: () => number): string => `${n}\n${Array.from({ length: n }, values).join(' ')}\n`;

const KINDS: Kind[] = [
  {
    // sum of the array times k, modulo 1e9+7
    input: (_r, int) => arrayInput(int(1, 2000), () => int(0, 1_000_000_000)),
    answer: (s, k) => String((nums(s).slice(1).reduce((a, x) => a + BigInt(x), 0n) * BigInt(k)) % MOD),
    python: (k) => `n = int(input())\na = list(map(int, input().split()))\nprint(sum(a) * ${k} % 1000000007)`,
    cpp: (k) => `${CPP_HEAD}int main() { int n; cin >> n; long long s = 0; for (int i = 0; i < n; i++) { long long x; cin >> x; s = (s + x) % 1000000007LL; } cout << s * ${k} % 1000000007LL << endl; }`,
  },
  {
    // maximum subarray sum plus k
    input: (_r, int) => arrayInput(int(1, 2000), () => int(-1000, 1000)),
    answer: (s, k) => {
      const a = nums(s).slice(1);
      let best = -Infinity;
      let cur = 0;
      for (const x of a) {
        cur = Math.max(x, cur + x);
        best = Math.max(best, cur);
      }
      return String(best + k);
    },
    python: (k) => `n = int(input())\na = list(map(int, input().split()))\nbest, cur = -10**18, 0\nfor x in a:\n    cur = max(x, cur + x)\n    best = max(best, cur)\nprint(best + ${k})`,
    cpp: (k) => `${CPP_HEAD}int main() { int n; cin >> n; long long best = -1e18, cur = 0; for (int i = 0; i < n; i++) { long long x; cin >> x; cur = max(x, cur + x); best = max(best, cur); } cout << best + ${k} << endl; }`,
  },
  {
    // the five smallest values, each plus k
    input: (_r, int) => arrayInput(int(5, 2000), () => int(0, 1_000_000)),
    answer: (s, k) => nums(s).slice(1).sort((x, y) => x - y).slice(0, 5).map((x) => x + k).join(' '),
    python: (k) => `n = int(input())\na = sorted(map(int, input().split()))\nprint(" ".join(str(x + ${k}) for x in a[:5]))`,
    cpp: (k) => `${CPP_HEAD}int main() { int n; cin >> n; vector<long long> a(n); for (auto &x : a) cin >> x; sort(a.begin(), a.end()); for (int i = 0; i < 5; i++) cout << a[i] + ${k} << (i < 4 ? " " : "\\n"); }`,
  },
  {
    // how many values are divisible by d = k % 7 + 2, plus k
    input: (_r, int) => arrayInput(int(1, 2000), () => int(0, 1_000_000)),
    answer: (s, k) => String(nums(s).slice(1).filter((x) => x % ((k % 7) + 2) === 0).length + k),
    python: (k) => `n = int(input())\nprint(sum(1 for x in map(int, input().split()) if x % ${(k % 7) + 2} == 0) + ${k})`,
    cpp: (k) => `${CPP_HEAD}int main() { int n, c = 0; cin >> n; for (int i = 0; i < n; i++) { long long x; cin >> x; if (x % ${(k % 7) + 2} == 0) c++; } cout << c + ${k} << endl; }`,
  },
  {
    // range-sum queries on prefix sums, each answer plus k
    input: (_r, int) => {
      const n = int(1, 1000);
      const q = int(1, 200);
      const lines = [`${n} ${q}`, Array.from({ length: n }, () => int(-1000, 1000)).join(' ')];
      for (let i = 0; i < q; i++) {
        const l = int(1, n);
        lines.push(`${l} ${int(l, n)}`);
      }
      return `${lines.join('\n')}\n`;
    },
    answer: (s, k) => {
      const v = nums(s);
      const [n, q] = [v[0]!, v[1]!];
      const pre = [0];
      for (let i = 0; i < n; i++) pre.push(pre[i]! + v[2 + i]!);
      const out: number[] = [];
      for (let j = 0; j < q; j++) out.push(pre[v[2 + n + 2 * j + 1]!]! - pre[v[2 + n + 2 * j]! - 1]! + k);
      return out.join('\n');
    },
    python: (k) => `import sys\nd = sys.stdin.read().split()\nn, q = int(d[0]), int(d[1])\npre = [0]\nfor i in range(n):\n    pre.append(pre[-1] + int(d[2 + i]))\nout = []\nfor j in range(q):\n    l, r = int(d[2 + n + 2 * j]), int(d[3 + n + 2 * j])\n    out.append(pre[r] - pre[l - 1] + ${k})\nprint("\\n".join(map(str, out)))`,
    cpp: (k) => `${CPP_HEAD}int main() { int n, q; cin >> n >> q; vector<long long> pre(n + 1, 0); for (int i = 1; i <= n; i++) { long long x; cin >> x; pre[i] = pre[i - 1] + x; } for (int j = 0; j < q; j++) { int l, r; cin >> l >> r; cout << pre[r] - pre[l - 1] + ${k} << "\\n"; } }`,
  },
  {
    // a word reversed, then k
    input: (r, int) => `${Array.from({ length: int(1, 500) }, () => String.fromCharCode(97 + Math.floor(r() * 26))).join('')}\n`,
    answer: (s, k) => `${[...s.trim()].reverse().join('')}${k}`,
    python: (k) => `s = input().strip()\nprint(s[::-1] + "${k}")`,
    cpp: (k) => `${CPP_HEAD}int main() { string s; cin >> s; reverse(s.begin(), s.end()); cout << s << ${k} << endl; }`,
  },
  {
    // gcd of all values, times k
    input: (_r, int) => {
      const g = int(1, 1000);
      return arrayInput(int(1, 2000), () => g * int(1, 1_000_000));
    },
    answer: (s, k) => {
      const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
      return String(nums(s).slice(1).reduce(gcd) * k);
    },
    python: (k) => `from math import gcd\nfrom functools import reduce\nn = int(input())\nprint(reduce(gcd, map(int, input().split())) * ${k})`,
    cpp: (k) => `${CPP_HEAD}long long g(long long a, long long b) { return b ? g(b, a % b) : a; }\nint main() { int n; cin >> n; long long r = 0; for (int i = 0; i < n; i++) { long long x; cin >> x; r = g(r, x); } cout << r * ${k} << endl; }`,
  },
  {
    // primes up to n (sieve), plus k
    input: (_r, int) => `${int(1, 200_000)}\n`,
    answer: (s, k) => {
      const n = Number(s.trim());
      const sieve = new Uint8Array(n + 1);
      let c = 0;
      for (let i = 2; i <= n; i++) {
        if (sieve[i]) continue;
        c++;
        for (let j = i * i; j <= n; j += i) sieve[j] = 1;
      }
      return String(c + k);
    },
    python: (k) => `n = int(input())\nsieve = bytearray([1]) * (n + 1)\nsieve[0:2] = b"\\x00\\x00"[: min(2, n + 1)]\nfor i in range(2, int(n ** 0.5) + 1):\n    if sieve[i]:\n        sieve[i * i :: i] = bytearray(len(range(i * i, n + 1, i)))\nprint(sum(sieve) + ${k})`,
    cpp: (k) => `${CPP_HEAD}int main() { int n; cin >> n; vector<bool> comp(n + 1, false); int c = 0; for (long long i = 2; i <= n; i++) { if (comp[i]) continue; c++; for (long long j = i * i; j <= n; j += i) comp[j] = true; } cout << c + ${k} << endl; }`,
  },
  {
    // Fibonacci(n) modulo 1e9+7, plus k (modulo again)
    input: (_r, int) => `${int(1, 100_000)}\n`,
    answer: (s, k) => {
      let [a, b] = [0n, 1n];
      for (let i = 0; i < Number(s.trim()); i++) [a, b] = [b, (a + b) % MOD];
      return String((a + BigInt(k)) % MOD);
    },
    python: (k) => `n = int(input())\na, b = 0, 1\nfor _ in range(n):\n    a, b = b, (a + b) % 1000000007\nprint((a + ${k}) % 1000000007)`,
    cpp: (k) => `${CPP_HEAD}int main() { int n; cin >> n; long long a = 0, b = 1; for (int i = 0; i < n; i++) { long long t = (a + b) % 1000000007LL; a = b; b = t; } cout << (a + ${k}) % 1000000007LL << endl; }`,
  },
  {
    // length of the longest strictly increasing subsequence, plus k
    input: (_r, int) => arrayInput(int(1, 2000), () => int(0, 10_000)),
    answer: (s, k) => {
      const tails: number[] = [];
      for (const x of nums(s).slice(1)) {
        let lo = 0;
        let hi = tails.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (tails[mid]! < x) lo = mid + 1;
          else hi = mid;
        }
        tails[lo] = x;
      }
      return String(tails.length + k);
    },
    python: (k) => `from bisect import bisect_left\nn = int(input())\nt = []\nfor x in map(int, input().split()):\n    i = bisect_left(t, x)\n    if i == len(t):\n        t.append(x)\n    else:\n        t[i] = x\nprint(len(t) + ${k})`,
    cpp: (k) => `${CPP_HEAD}int main() { int n; cin >> n; vector<int> t; for (int i = 0; i < n; i++) { int x; cin >> x; auto it = lower_bound(t.begin(), t.end(), x); if (it == t.end()) t.push_back(x); else *it = x; } cout << (long long)t.size() + ${k} << endl; }`,
  },
];

/** `problems` problems with `cases` cases each, the same for a given seed. */
export function generateProblems(problems: number, cases: number, seed = 20_261_129): Problem[] {
  const r = seededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  return Array.from({ length: problems }, (_, i) => {
    const kind = KINDS[i % KINDS.length]!;
    const k = i + 1;
    const list = Array.from({ length: cases }, () => {
      const stdin = kind.input(r, int);
      return { stdin, expected: `${kind.answer(stdin, k)}\n` };
    });
    return { id: `cc-${i}`, cases: list, python: kind.python(k), cpp: kind.cpp(k) };
  });
}
