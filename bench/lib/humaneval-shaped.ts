// A HumanEval-shaped set, written here (no download): 41 problems in HumanEval's form (imports, signature and
// docstring as the prompt, a canonical body, `def check(candidate)` with asserts), each in 4 copies under
// different entry-point names, 164 samples in all as in OpenAI's HumanEval. Like HumanEval, about a third
// import from `typing`, a few import `math` or `collections` inside the body, and one problem's check calls the
// program 200 times in a seeded random loop (HumanEval has four such checks: 32, 38, 50, 53; here the four
// copies of `decode_shift`).

/** One problem in HumanEval's fields. */
export interface HumanEvalProblem {
  taskId: string;
  /** Imports, signature and docstring: what the model is given. */
  prompt: string;
  /** The body that completes the prompt. */
  canonicalSolution: string;
  /** `METADATA` and `def check(candidate)`; the harness appends `check(<entryPoint>)`. */
  test: string;
  entryPoint: string;
}

interface Base {
  name: string;
  /** Lines before the function (imports, helper functions). */
  head?: string;
  args: string;
  returns?: string;
  doc: string;
  body: string;
  /** Asserts of `check`, each a Python expression over `candidate`. */
  asserts: string[];
  /** Replaces the asserts: the whole body of `check` (indented by 4). */
  checkBody?: string;
}

const BASES: Base[] = [
  {
    name: 'has_close_elements',
    head: 'from typing import List',
    args: 'numbers: List[float], threshold: float',
    returns: 'bool',
    doc: 'Check if in given list of numbers, are any two numbers closer to each other than given threshold.',
    body: 'for idx, elem in enumerate(numbers):\n    for idx2, elem2 in enumerate(numbers):\n        if idx != idx2:\n            distance = abs(elem - elem2)\n            if distance < threshold:\n                return True\n\nreturn False',
    asserts: ['candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.3) == True', 'candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.05) == False', 'candidate([1.0, 2.0, 5.9, 4.0, 5.0], 0.95) == True', 'candidate([1.0, 2.0, 5.9, 4.0, 5.0], 0.8) == False', 'candidate([1.0, 2.0, 3.0, 4.0, 5.0, 2.0], 0.1) == True', 'candidate([1.1, 2.2, 3.1, 4.1, 5.1], 1.0) == True', 'candidate([1.1, 2.2, 3.1, 4.1, 5.1], 0.5) == False'],
  },
  {
    name: 'separate_paren_groups',
    head: 'from typing import List',
    args: 'paren_string: str',
    returns: 'List[str]',
    doc: 'Separate balanced groups of nested parentheses into separate strings, ignoring spaces.',
    body: "result = []\ncurrent_string = []\ncurrent_depth = 0\n\nfor c in paren_string:\n    if c == '(':\n        current_depth += 1\n        current_string.append(c)\n    elif c == ')':\n        current_depth -= 1\n        current_string.append(c)\n\n        if current_depth == 0:\n            result.append(''.join(current_string))\n            current_string.clear()\n\nreturn result",
    asserts: ["candidate('(()()) ((())) () ((())()())') == ['(()())', '((()))', '()', '((())()())']", "candidate('() (()) ((())) (((())))') == ['()', '(())', '((()))', '(((())))']", "candidate('(()(())((())))') == ['(()(())((())))']", "candidate('( ) (( )) (( )( ))') == ['()', '(())', '(()())']"],
  },
  {
    name: 'truncate_number',
    args: 'number: float',
    returns: 'float',
    doc: 'Given a positive floating point number, return its decimal part.',
    body: 'return number % 1.0',
    asserts: ['candidate(3.5) == 0.5', 'abs(candidate(1.33) - 0.33) < 1e-6', 'abs(candidate(123.456) - 0.456) < 1e-6'],
  },
  {
    name: 'below_zero',
    head: 'from typing import List',
    args: 'operations: List[int]',
    returns: 'bool',
    doc: 'Detect if at any point the balance of a bank account that starts at zero falls below zero.',
    body: 'balance = 0\n\nfor op in operations:\n    balance += op\n    if balance < 0:\n        return True\n\nreturn False',
    asserts: ['candidate([]) == False', 'candidate([1, 2, -3, 1, 2, -3]) == False', 'candidate([1, 2, -4, 5, 6]) == True', 'candidate([1, -1, 2, -2, 5, -5, 4, -4]) == False', 'candidate([1, -1, 2, -2, 5, -5, 4, -5]) == True', 'candidate([1, -2, 2, -2, 5, -5, 4, -4]) == True'],
  },
  {
    name: 'mean_absolute_deviation',
    head: 'from typing import List',
    args: 'numbers: List[float]',
    returns: 'float',
    doc: 'Mean Absolute Deviation around the mean of the input numbers.',
    body: 'mean = sum(numbers) / len(numbers)\nreturn sum(abs(x - mean) for x in numbers) / len(numbers)',
    asserts: ['abs(candidate([1.0, 2.0, 3.0]) - 2.0/3.0) < 1e-6', 'abs(candidate([1.0, 2.0, 3.0, 4.0]) - 1.0) < 1e-6', 'abs(candidate([1.0, 2.0, 3.0, 4.0, 5.0]) - 6.0/5.0) < 1e-6'],
  },
  {
    name: 'intersperse',
    head: 'from typing import List',
    args: 'numbers: List[int], delimeter: int',
    returns: 'List[int]',
    doc: "Insert a number 'delimeter' between every two consecutive elements of input list `numbers'.",
    body: 'if not numbers:\n    return []\n\nresult = []\n\nfor n in numbers[:-1]:\n    result.append(n)\n    result.append(delimeter)\n\nresult.append(numbers[-1])\n\nreturn result',
    asserts: ['candidate([], 7) == []', 'candidate([5, 6, 3, 2], 8) == [5, 8, 6, 8, 3, 8, 2]', 'candidate([2, 2, 2], 2) == [2, 2, 2, 2, 2]'],
  },
  {
    name: 'filter_by_substring',
    head: 'from typing import List',
    args: 'strings: List[str], substring: str',
    returns: 'List[str]',
    doc: 'Filter an input list of strings only for ones that contain given substring.',
    body: 'return [x for x in strings if substring in x]',
    asserts: ["candidate([], 'john') == []", "candidate(['xxx', 'asd', 'xxy', 'john doe', 'xxxAAA', 'xxx'], 'xxx') == ['xxx', 'xxxAAA', 'xxx']", "candidate(['xxx', 'asd', 'aaaxxy', 'john doe', 'xxxAAA', 'xxx'], 'xx') == ['xxx', 'aaaxxy', 'xxxAAA', 'xxx']", "candidate(['grunt', 'trumpet', 'prune', 'gruesome'], 'run') == ['grunt', 'prune']"],
  },
  {
    name: 'sum_product',
    head: 'from typing import List, Tuple',
    args: 'numbers: List[int]',
    returns: 'Tuple[int, int]',
    doc: 'For a given list of integers, return a tuple consisting of a sum and a product of all the integers.',
    body: 'sum_value = 0\nprod_value = 1\n\nfor n in numbers:\n    sum_value += n\n    prod_value *= n\nreturn sum_value, prod_value',
    asserts: ['candidate([]) == (0, 1)', 'candidate([1, 1, 1]) == (3, 1)', 'candidate([100, 0]) == (100, 0)', 'candidate([3, 5, 7]) == (3 + 5 + 7, 3 * 5 * 7)', 'candidate([10]) == (10, 10)'],
  },
  {
    name: 'rolling_max',
    head: 'from typing import List, Tuple',
    args: 'numbers: List[int]',
    returns: 'List[int]',
    doc: 'From a given list of integers, generate a list of rolling maximum element found until given moment.',
    body: 'running_max = None\nresult = []\n\nfor n in numbers:\n    if running_max is None:\n        running_max = n\n    else:\n        running_max = max(running_max, n)\n\n    result.append(running_max)\n\nreturn result',
    asserts: ['candidate([]) == []', 'candidate([1, 2, 3, 4]) == [1, 2, 3, 4]', 'candidate([4, 3, 2, 1]) == [4, 4, 4, 4]', 'candidate([3, 2, 3, 100, 3]) == [3, 3, 3, 100, 100]'],
  },
  {
    name: 'make_palindrome',
    head: 'def is_palindrome(string: str) -> bool:\n    """ Test if given string is a palindrome """\n    return string == string[::-1]\n',
    args: 'string: str',
    returns: 'str',
    doc: 'Find the shortest palindrome that begins with a supplied string.',
    body: "if not string:\n    return ''\n\nbeginning_of_suffix = 0\n\nwhile not is_palindrome(string[beginning_of_suffix:]):\n    beginning_of_suffix += 1\n\nreturn string + string[:beginning_of_suffix][::-1]",
    asserts: ["candidate('') == ''", "candidate('x') == 'x'", "candidate('xyz') == 'xyzyx'", "candidate('xyx') == 'xyx'", "candidate('jerry') == 'jerryrrej'"],
  },
  {
    name: 'string_xor',
    head: 'from typing import List',
    args: 'a: str, b: str',
    returns: 'str',
    doc: 'Input are two strings a and b consisting only of 1s and 0s. Perform binary XOR on these inputs.',
    body: "def xor(i, j):\n    if i == j:\n        return '0'\n    else:\n        return '1'\n\nreturn ''.join(xor(x, y) for x, y in zip(a, b))",
    asserts: ["candidate('111000', '101010') == '010010'", "candidate('1', '1') == '0'", "candidate('0101', '0000') == '0101'"],
  },
  {
    name: 'longest',
    head: 'from typing import List, Optional',
    args: 'strings: List[str]',
    returns: 'Optional[str]',
    doc: 'Out of list of strings, return the longest one. Return the first one in case of multiple strings of the same length.',
    body: 'if not strings:\n    return None\n\nmaxlen = max(len(x) for x in strings)\nfor s in strings:\n    if len(s) == maxlen:\n        return s',
    asserts: ['candidate([]) == None', "candidate(['x', 'y', 'z']) == 'x'", "candidate(['x', 'yyy', 'zzzz', 'www', 'kkkk', 'abc']) == 'zzzz'"],
  },
  {
    name: 'greatest_common_divisor',
    args: 'a: int, b: int',
    returns: 'int',
    doc: 'Return a greatest common divisor of two integers a and b.',
    body: 'while b:\n    a, b = b, a % b\nreturn a',
    asserts: ['candidate(3, 7) == 1', 'candidate(10, 15) == 5', 'candidate(49, 14) == 7', 'candidate(144, 60) == 12'],
  },
  {
    name: 'all_prefixes',
    head: 'from typing import List',
    args: 'string: str',
    returns: 'List[str]',
    doc: 'Return list of all prefixes from shortest to longest of the input string.',
    body: 'result = []\n\nfor i in range(len(string)):\n    result.append(string[:i+1])\nreturn result',
    asserts: ["candidate('') == []", "candidate('asdfgh') == ['a', 'as', 'asd', 'asdf', 'asdfg', 'asdfgh']", "candidate('WWW') == ['W', 'WW', 'WWW']"],
  },
  {
    name: 'count_distinct_characters',
    args: 'string: str',
    returns: 'int',
    doc: 'Given a string, find out how many distinct characters (regardless of case) does it consist of.',
    body: 'return len(set(string.lower()))',
    asserts: ["candidate('') == 0", "candidate('abcde') == 5", "candidate('abcde' + 'cade' + 'CADE') == 5", "candidate('aaaaAAAAaaaa') == 1", "candidate('Jerry jERRY JeRRRY') == 5"],
  },
  {
    name: 'parse_music',
    head: 'from typing import List',
    args: 'music_string: str',
    returns: 'List[int]',
    doc: "Parse a string of musical notes in a special ASCII format: 'o' lasts four beats, 'o|' two, '.|' one.",
    body: "note_map = {'o': 4, 'o|': 2, '.|': 1}\nreturn [note_map[x] for x in music_string.split(' ') if x]",
    asserts: ["candidate('') == []", "candidate('o o o o') == [4, 4, 4, 4]", "candidate('.| .| .| .|') == [1, 1, 1, 1]", "candidate('o| o| .| .| o o o o') == [2, 2, 1, 1, 4, 4, 4, 4]", "candidate('o| .| o| .| o o| o o|') == [2, 1, 2, 1, 4, 2, 4, 2]"],
  },
  {
    name: 'how_many_times',
    args: 'string: str, substring: str',
    returns: 'int',
    doc: 'Find how many times a given substring can be found in the original string. Count overlapping cases.',
    body: 'times = 0\n\nfor i in range(len(string) - len(substring) + 1):\n    if string[i:i+len(substring)] == substring:\n        times += 1\n\nreturn times',
    asserts: ["candidate('', 'x') == 0", "candidate('xyxyxyx', 'x') == 4", "candidate('cacacacac', 'cac') == 4", "candidate('john doe', 'john') == 1"],
  },
  {
    name: 'sort_numbers',
    head: 'from typing import List',
    args: 'numbers: str',
    returns: 'str',
    doc: "Input is a space-delimited string of numberals from 'zero' to 'nine'. Return the string with numbers sorted from smallest to largest.",
    body: "value_map = {\n    'zero': 0,\n    'one': 1,\n    'two': 2,\n    'three': 3,\n    'four': 4,\n    'five': 5,\n    'six': 6,\n    'seven': 7,\n    'eight': 8,\n    'nine': 9\n}\nreturn ' '.join(sorted([x for x in numbers.split(' ') if x], key=lambda x: value_map[x]))",
    asserts: ["candidate('') == ''", "candidate('three') == 'three'", "candidate('three five nine') == 'three five nine'", "candidate('five zero four seven nine eight') == 'zero four five seven eight nine'", "candidate('six five four three two one zero') == 'zero one two three four five six'"],
  },
  {
    name: 'find_closest_elements',
    head: 'from typing import List, Tuple',
    args: 'numbers: List[float]',
    returns: 'Tuple[float, float]',
    doc: 'From a supplied list of numbers (of length at least two) select and return two that are the closest to each other, in order.',
    body: 'closest_pair = None\ndistance = None\n\nfor idx, elem in enumerate(numbers):\n    for idx2, elem2 in enumerate(numbers):\n        if idx != idx2:\n            if distance is None:\n                distance = abs(elem - elem2)\n                closest_pair = tuple(sorted([elem, elem2]))\n            else:\n                new_distance = abs(elem - elem2)\n                if new_distance < distance:\n                    distance = new_distance\n                    closest_pair = tuple(sorted([elem, elem2]))\n\nreturn closest_pair',
    asserts: ['candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2]) == (3.9, 4.0)', 'candidate([1.0, 2.0, 5.9, 4.0, 5.0]) == (5.0, 5.9)', 'candidate([1.0, 2.0, 3.0, 4.0, 5.0, 2.2]) == (2.0, 2.2)', 'candidate([1.0, 2.0, 3.0, 4.0, 5.0, 2.0]) == (2.0, 2.0)', 'candidate([1.1, 2.2, 3.1, 4.1, 5.1]) == (2.2, 3.1)'],
  },
  {
    name: 'factorize',
    head: 'from typing import List',
    args: 'n: int',
    returns: 'List[int]',
    doc: 'Return list of prime factors of given integer in the order from smallest to largest.',
    body: 'import math\nfact = []\ni = 2\nwhile i <= int(math.sqrt(n) + 1):\n    if n % i == 0:\n        fact.append(i)\n        n //= i\n    else:\n        i += 1\n\nif n > 1:\n    fact.append(n)\nreturn fact',
    asserts: ['candidate(2) == [2]', 'candidate(4) == [2, 2]', 'candidate(8) == [2, 2, 2]', 'candidate(3 * 19) == [3, 19]', 'candidate(3 * 19 * 3 * 19) == [3, 3, 19, 19]', 'candidate(3 * 19 * 3 * 19 * 3 * 19) == [3, 3, 3, 19, 19, 19]', 'candidate(3 * 19 * 19 * 19) == [3, 19, 19, 19]', 'candidate(3 * 2 * 3) == [2, 3, 3]'],
  },
  {
    name: 'remove_duplicates',
    head: 'from typing import List',
    args: 'numbers: List[int]',
    returns: 'List[int]',
    doc: 'From a list of integers, remove all elements that occur more than once, keeping the order of the rest.',
    body: 'import collections\nc = collections.Counter(numbers)\nreturn [n for n in numbers if c[n] <= 1]',
    asserts: ['candidate([]) == []', 'candidate([1, 2, 3, 4]) == [1, 2, 3, 4]', 'candidate([1, 2, 3, 2, 4, 3, 5]) == [1, 4, 5]'],
  },
  {
    name: 'flip_case',
    args: 'string: str',
    returns: 'str',
    doc: 'For a given string, flip lowercase characters to uppercase and uppercase to lowercase.',
    body: 'return string.swapcase()',
    asserts: ["candidate('') == ''", "candidate('Hello!') == 'hELLO!'", "candidate('These violent delights have violent ends') == 'tHESE VIOLENT DELIGHTS HAVE VIOLENT ENDS'"],
  },
  {
    name: 'is_prime',
    args: 'n',
    doc: 'Return true if a given number is prime, and false otherwise.',
    body: 'if n < 2:\n    return False\nfor k in range(2, n - 1):\n    if n % k == 0:\n        return False\nreturn True',
    asserts: ['candidate(6) == False', 'candidate(101) == True', 'candidate(11) == True', 'candidate(13441) == True', 'candidate(61) == True', 'candidate(4) == False', 'candidate(1) == False', 'candidate(5) == True', 'candidate(11) == True', 'candidate(17) == True', 'candidate(5 * 17) == False', 'candidate(11 * 7) == False', 'candidate(13441 * 19) == False'],
  },
  {
    name: 'decode_shift',
    head: 'def encode_shift(s: str):\n    """\n    returns encoded string by shifting every character by 5 in the alphabet.\n    """\n    return "".join([chr(((ord(ch) + 5 - ord("a")) % 26) + ord("a")) for ch in s])\n',
    args: 's: str',
    doc: 'Takes as input string encoded with encode_shift function. Returns decoded string.',
    body: 'return "".join([chr(((ord(ch) - 5 - ord("a")) % 26) + ord("a")) for ch in s])',
    asserts: [],
    checkBody: "from random import randint, choice, seed\nimport copy\nimport string\nseed(50)\nletters = string.ascii_lowercase\nfor _ in range(100):\n    str = ''.join(choice(letters) for i in range(randint(10, 20)))\n    encoded_str = encode_shift(str)\n    assert candidate(copy.deepcopy(encoded_str)) == str",
  },
  {
    name: 'unique',
    args: 'l: list',
    doc: 'Return sorted unique elements in a list.',
    body: 'return sorted(list(set(l)))',
    asserts: ['candidate([5, 3, 5, 2, 3, 3, 9, 0, 123]) == [0, 2, 3, 5, 9, 123]'],
  },
  {
    name: 'fizz_buzz',
    args: 'n: int',
    doc: 'Return the number of times the digit 7 appears in integers less than n which are divisible by 11 or 13.',
    body: "ns = []\nfor i in range(n):\n    if i % 11 == 0 or i % 13 == 0:\n        ns.append(i)\ns = ''.join(list(map(str, ns)))\nans = 0\nfor c in s:\n    ans += (c == '7')\nreturn ans",
    asserts: ['candidate(50) == 0', 'candidate(78) == 2', 'candidate(79) == 3', 'candidate(100) == 3', 'candidate(200) == 6', 'candidate(4000) == 192', 'candidate(10000) == 639', 'candidate(100000) == 8026'],
  },
  {
    name: 'sort_even',
    args: 'l: list',
    doc: 'Return a list identical to l in its odd indices, with the values at its even indices sorted.',
    body: 'evens = l[::2]\nodds = l[1::2]\nevens.sort()\nans = []\nfor e, o in zip(evens, odds):\n    ans.extend([e, o])\nif len(evens) > len(odds):\n    ans.append(evens[-1])\nreturn ans',
    asserts: ['tuple(candidate([1, 2, 3])) == tuple([1, 2, 3])', 'tuple(candidate([5, 3, -5, 2, -3, 3, 9, 0, 123, 1, -10])) == tuple([-10, 3, -5, 2, -3, 3, 5, 0, 9, 1, 123])', 'tuple(candidate([5, 8, -12, 4, 23, 2, 3, 11, 12, -10])) == tuple([-12, 8, 3, 4, 5, 2, 12, 11, 23, -10])'],
  },
  {
    name: 'prime_fib',
    args: 'n: int',
    doc: 'Return the n-th number that is a Fibonacci number and it is also prime.',
    body: 'import math\n\ndef is_prime(p):\n    if p < 2:\n        return False\n    for k in range(2, min(int(math.sqrt(p)) + 1, p - 1)):\n        if p % k == 0:\n            return False\n    return True\nf = [0, 1]\nwhile True:\n    f.append(f[-1] + f[-2])\n    if is_prime(f[-1]):\n        n -= 1\n    if n == 0:\n        return f[-1]',
    asserts: ['candidate(1) == 2', 'candidate(2) == 3', 'candidate(3) == 5', 'candidate(4) == 13', 'candidate(5) == 89', 'candidate(6) == 233', 'candidate(7) == 1597', 'candidate(8) == 28657', 'candidate(9) == 514229', 'candidate(10) == 433494437'],
  },
  {
    name: 'triples_sum_to_zero',
    args: 'l: list',
    doc: 'Return True if there are three distinct elements in the list that sum to zero, and False otherwise.',
    body: 'for i in range(len(l)):\n    for j in range(i + 1, len(l)):\n        for k in range(j + 1, len(l)):\n            if l[i] + l[j] + l[k] == 0:\n                return True\nreturn False',
    asserts: ['candidate([1, 3, 5, 0]) == False', 'candidate([1, 3, 5, -1]) == False', 'candidate([1, 3, -2, 1]) == True', 'candidate([1, 2, 3, 7]) == False', 'candidate([1, 2, 5, 7]) == False', 'candidate([2, 4, -5, 3, 9, 7]) == True', 'candidate([1]) == False', 'candidate([1, 3, 5, -100]) == False', 'candidate([100, 3, 5, -100]) == False'],
  },
  {
    name: 'car_race_collision',
    args: 'n: int',
    doc: 'n cars drive left to right and n right to left on an infinitely long line; output the number of collisions.',
    body: 'return n**2',
    asserts: ['candidate(2) == 4', 'candidate(3) == 9', 'candidate(4) == 16', 'candidate(8) == 64', 'candidate(10) == 100'],
  },
  {
    name: 'incr_list',
    args: 'l: list',
    doc: 'Return list with elements incremented by 1.',
    body: 'return [(e + 1) for e in l]',
    asserts: ['candidate([]) == []', 'candidate([3, 2, 1]) == [4, 3, 2]', 'candidate([5, 2, 5, 2, 3, 3, 9, 0, 123]) == [6, 3, 6, 3, 4, 4, 10, 1, 124]'],
  },
  {
    name: 'pairs_sum_to_zero',
    args: 'l',
    doc: 'Return True if there are two distinct elements in the list that sum to zero, and False otherwise.',
    body: 'for i, l1 in enumerate(l):\n    for j in range(i + 1, len(l)):\n        if l1 + l[j] == 0:\n            return True\nreturn False',
    asserts: ['candidate([1, 3, 5, 0]) == False', 'candidate([1, 3, -2, 1]) == False', 'candidate([1, 2, 3, 7]) == False', 'candidate([2, 4, -5, 3, 5, 7]) == True', 'candidate([1]) == False', 'candidate([-3, 9, -1, 3, 2, 30]) == True', 'candidate([-3, 9, -1, 3, 2, 31]) == True', 'candidate([-3, 9, -1, 4, 2, 30]) == False', 'candidate([-3, 9, -1, 4, 2, 31]) == False'],
  },
  {
    name: 'change_base',
    args: 'x: int, base: int',
    doc: 'Change numerical base of input number x to base; return the string representation. Bases are less than 10.',
    body: 'ret = ""\nwhile x > 0:\n    ret = str(x % base) + ret\n    x //= base\nreturn ret',
    asserts: ['candidate(8, 3) == "22"', 'candidate(9, 3) == "100"', 'candidate(234, 2) == "11101010"', 'candidate(16, 2) == "10000"', 'candidate(8, 2) == "1000"', 'candidate(7, 2) == "111"'],
    checkBody: 'assert candidate(8, 3) == "22"\nassert candidate(9, 3) == "100"\nassert candidate(234, 2) == "11101010"\nassert candidate(16, 2) == "10000"\nassert candidate(8, 2) == "1000"\nassert candidate(7, 2) == "111"\nfor x in range(2, 8):\n    assert candidate(x, x + 1) == str(x)',
  },
  {
    name: 'triangle_area',
    args: 'a, h',
    doc: 'Given length of a side and high return area for a triangle.',
    body: 'return a * h / 2.0',
    asserts: ['candidate(5, 3) == 7.5', 'candidate(2, 2) == 2.0', 'candidate(10, 8) == 40.0'],
  },
  {
    name: 'fib4',
    args: 'n: int',
    doc: 'fib4(0) -> 0, fib4(1) -> 0, fib4(2) -> 2, fib4(3) -> 0, fib4(n) -> the sum of the four before it. Do not use recursion.',
    body: 'results = [0, 0, 2, 0]\nif n < 4:\n    return results[n]\n\nfor _ in range(4, n + 1):\n    results.append(results[-1] + results[-2] + results[-3] + results[-4])\n    results.pop(0)\n\nreturn results[-1]',
    asserts: ['candidate(5) == 4', 'candidate(8) == 28', 'candidate(10) == 104', 'candidate(12) == 386'],
  },
  {
    name: 'median',
    args: 'l: list',
    doc: 'Return median of elements in the list l.',
    body: 'l = sorted(l)\nif len(l) % 2 == 1:\n    return l[len(l) // 2]\nelse:\n    return (l[len(l) // 2 - 1] + l[len(l) // 2]) / 2.0',
    asserts: ['candidate([3, 1, 2, 4, 5]) == 3', 'candidate([-10, 4, 6, 1000, 10, 20]) == 8.0', 'candidate([5]) == 5', 'candidate([6, 5]) == 5.5', 'candidate([8, 1, 3, 9, 9, 2, 7]) == 7'],
  },
  {
    name: 'is_palindrome',
    args: 'text: str',
    doc: 'Checks if given string is a palindrome.',
    body: 'for i in range(len(text)):\n    if text[i] != text[len(text) - 1 - i]:\n        return False\nreturn True',
    asserts: ["candidate('') == True", "candidate('aba') == True", "candidate('aaaaa') == True", "candidate('zbcd') == False", "candidate('xywyx') == True", "candidate('xywyz') == False", "candidate('xywzx') == False"],
  },
  {
    name: 'modp',
    args: 'n: int, p: int',
    doc: 'Return 2^n modulo p (be aware of numerics).',
    body: 'ret = 1\nfor i in range(n):\n    ret = (2 * ret) % p\nreturn ret',
    asserts: ['candidate(3, 5) == 3', 'candidate(1101, 101) == 2', 'candidate(0, 101) == 1', 'candidate(3, 11) == 8', 'candidate(100, 101) == 1', 'candidate(30, 5) == 4', 'candidate(31, 5) == 3'],
  },
  {
    name: 'remove_vowels',
    args: 'text',
    doc: 'remove_vowels is a function that takes string and returns string without vowels.',
    body: 'return "".join([s for s in text if s.lower() not in ["a", "e", "i", "o", "u"]])',
    asserts: ["candidate('') == ''", 'candidate("abcdef\\nghijklm") == \'bcdf\\nghjklm\'', "candidate('fedcba') == 'fdcb'", "candidate('eeeee') == ''", "candidate('acBAA') == 'cB'", "candidate('EcBOO') == 'cB'", "candidate('ybcd') == 'ybcd'"],
  },
  {
    name: 'below_threshold',
    args: 'l: list, t: int',
    doc: 'Return True if all numbers in the list l are below threshold t.',
    body: 'for e in l:\n    if e >= t:\n        return False\nreturn True',
    asserts: ['candidate([1, 2, 4, 10], 100)', 'not candidate([1, 20, 4, 10], 5)', 'candidate([1, 20, 4, 10], 21)', 'candidate([1, 20, 4, 10], 22)', 'candidate([1, 8, 4, 10], 11)', 'not candidate([1, 8, 4, 10], 10)'],
  },
  {
    name: 'same_chars',
    args: 's0: str, s1: str',
    doc: 'Check if two words have the same characters.',
    body: 'return set(s0) == set(s1)',
    asserts: ["candidate('eabcdzzzz', 'dddzzzzzzzddeddabc') == True", "candidate('abcd', 'dddddddabc') == True", "candidate('dddddddabc', 'abcd') == True", "candidate('eabcd', 'dddddddabc') == False", "candidate('abcd', 'dddddddabcf') == False", "candidate('eabcdzzzz', 'dddzzzzzzzddddabc') == False", "candidate('aabb', 'aaccc') == False"],
  },
];

const indent = (text: string, by: string) => text.split('\n').map((l) => (l === '' ? l : by + l)).join('\n');

/** The 164 problems: each base problem in 4 copies (entry points `name`, `name_2`, `name_3`, `name_4`). */
export function humanEvalShaped(): HumanEvalProblem[] {
  const out: HumanEvalProblem[] = [];
  for (let copy = 1; copy <= 4; copy++) {
    for (const b of BASES) {
      const entryPoint = copy === 1 ? b.name : `${b.name}_${copy}`;
      const head = b.head ? `${b.head}\n\n\n` : '';
      const prompt = `${head}def ${entryPoint}(${b.args})${b.returns ? ` -> ${b.returns}` : ''}:\n    """ ${b.doc}\n    """\n`;
      const check = b.checkBody ?? b.asserts.map((a) => `assert ${a}`).join('\n');
      const test = `\n\nMETADATA = {\n    'author': 'jt',\n    'dataset': 'test'\n}\n\n\ndef check(candidate):\n${indent(check, '    ')}\n`;
      out.push({ taskId: `HumanEvalShaped/${out.length}`, prompt, canonicalSolution: `${indent(b.body, '    ')}\n`, test, entryPoint });
    }
  }
  return out;
}

/** The program a model would have written: prompt + body. */
export const programOf = (p: HumanEvalProblem): string => p.prompt + p.canonicalSolution;

/** The tests as the sandbox's tests mode takes them: `check` and the call that runs it. */
export const testsOf = (p: HumanEvalProblem): string => `${p.test}\ncheck(${p.entryPoint})\n`;
