// The parser of integer flags (`--port <n>`): commander calls it with the raw text; a bad value is a usage error.
import { InvalidArgumentError } from 'commander';

/** A commander argument parser accepting integers in [min, max] (`max` omitted: no upper bound). */
export function integerOption(min: number, max = Infinity): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer ${max === Infinity ? `>= ${min}` : `in [${min}, ${max}]`}, got ${JSON.stringify(value)}.`);
    }
    return n;
  };
}
