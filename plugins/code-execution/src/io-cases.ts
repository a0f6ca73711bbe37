// The stdin/stdout test cases of a sample (mode 'io'), in the shapes RL datasets ship them.

/** One test case: the program's standard input and the output it must print. */
export interface IoCase {
  stdin: string;
  expected: string;
}

type Parsed = { cases: IoCase[] } | { problem: string };

const text = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : null);

function fromPairs(inputs: unknown, outputs: unknown, names: string): Parsed {
  if (!Array.isArray(inputs) || !Array.isArray(outputs) || inputs.length !== outputs.length) {
    return { problem: `${names} must be two lists of the same length` };
  }
  return fromList(inputs.map((stdin, i) => ({ stdin, expected: outputs[i] })));
}

function fromList(list: unknown[]): Parsed {
  const cases: IoCase[] = [];
  for (const [i, item] of list.entries()) {
    const o = (item ?? {}) as Record<string, unknown>;
    const stdin = text(o.stdin ?? o.input);
    const expected = text(o.expected ?? o.output);
    if (stdin === null || expected === null) return { problem: `case ${i} needs a string stdin (or input) and expected (or output)` };
    cases.push({ stdin, expected });
  }
  return { cases };
}

/**
 * Parses test cases from one value: a list of `{ stdin, expected }` (or `{ input, output }`), an object of
 * parallel lists `{ inputs, outputs }` (APPS) or `{ input, output }` (CodeContests), or a JSON string of any of them.
 */
export function parseIoCases(value: unknown): Parsed {
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return { problem: 'a string that is not JSON' };
    }
  }
  if (Array.isArray(v)) return fromList(v);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('inputs' in o || 'outputs' in o) return fromPairs(o.inputs, o.outputs, 'inputs and outputs');
    if (Array.isArray(o.input) || Array.isArray(o.output)) return fromPairs(o.input, o.output, 'input and output');
  }
  return { problem: 'neither a list of { stdin, expected } nor { inputs, outputs }' };
}

/** The cases of a sample: `metadata.tests`, else `groundTruth`; a reason string when there are none or they are malformed. */
export function ioCasesOf(sample: { groundTruth?: unknown; metadata?: Record<string, unknown> }): IoCase[] | string {
  const [where, value] = sample.metadata?.tests !== undefined ? ['metadata.tests', sample.metadata.tests] : ['groundTruth', sample.groundTruth];
  if (value === undefined || value === null) return 'no test cases for this sample (metadata.tests or groundTruth)';
  const parsed = parseIoCases(value);
  if ('problem' in parsed) return `${where} holds no usable test cases: ${parsed.problem}`;
  if (parsed.cases.length === 0) return `${where} holds an empty list of test cases`;
  return parsed.cases;
}
