// Parser of integer flags for commander: a value outside [min, max] is a usage error naming the range.
import { InvalidArgumentError } from 'commander';

/** A commander argument parser accepting integers in [min, max] (`max` omitted: no upper bound). */
export function integer(min: number, max = Infinity): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer ${max === Infinity ? `>= ${min}` : `in [${min}, ${max}]`}, got ${JSON.stringify(value)}.`);
    }
    return n;
  };
}
