// scoreInOrder: bounded-concurrency map over a (possibly async) stream that yields results in input order.

/**
 * Runs `fn` on items with at most `concurrency` calls in flight and yields results in input order;
 * at most 4 x concurrency results are buffered behind a slow head. A rejection is thrown at its position.
 */
export async function* scoreInOrder<T, R>(items: Iterable<T> | AsyncIterable<T>, fn: (item: T) => Promise<R>, concurrency: number): AsyncGenerator<R> {
  const limit = Math.max(1, Math.floor(concurrency));
  const window: { promise: Promise<R>; done: boolean }[] = [];
  let running = 0;
  let wake: (() => void) | null = null;
  for await (const item of items) {
    while (running >= limit || window.length >= limit * 4) {
      if (window[0].done || window.length >= limit * 4) yield await window.shift()!.promise;
      else await new Promise<void>((r) => (wake = r));
    }
    running++;
    const entry = { promise: fn(item), done: false };
    entry.promise.then(
      () => {},
      () => {},
    ).finally(() => {
      entry.done = true;
      running--;
      const w = wake;
      wake = null;
      w?.();
    });
    window.push(entry);
    while (window.length > 0 && window[0].done) yield await window.shift()!.promise;
  }
  while (window.length > 0) yield await window.shift()!.promise;
}
