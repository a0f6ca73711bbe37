// Parser of integer flags for commander: a value outside [min, max] is a usage error naming the range.
import { InvalidArgumentError } from 'commander';

/** A commander argument parser accepting integers in [min, max]. */
export function integer(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected an integer in [${min}, ${max}], got ${JSON.stringify(value)}.`);
    return n;
  };
}
