// The cache behind compiled runbook regexes and schema validators: built once, bounded, and a
// failed build is tried again rather than remembered.
import { BoundedCache } from '../../dsl/bounded-cache';
import { regExp } from '../../dsl/regex';

it('builds a value once per key and returns the same one after', () => {
  const cache = new BoundedCache<string, object>(10);
  let builds = 0;
  const make = () => ({ n: ++builds });
  const first = cache.get('a', make);
  expect(cache.get('a', make)).toBe(first);
  expect(builds).toBe(1);
});

it('starts over when full, so distinct keys never hold more than the bound', () => {
  const cache = new BoundedCache<number, number>(3);
  let builds = 0;
  for (const k of [1, 2, 3]) cache.get(k, () => ++builds);
  cache.get(4, () => ++builds);
  expect(builds).toBe(4);
  cache.get(4, () => ++builds);
  expect(builds).toBe(4);
  cache.get(1, () => ++builds);
  expect(builds).toBe(5);
});

it('does not remember a build that threw', () => {
  const cache = new BoundedCache<string, number>(3);
  expect(() =>
    cache.get('x', () => {
      throw new Error('bad');
    }),
  ).toThrow('bad');
  expect(cache.get('x', () => 7)).toBe(7);
});

it('compiles a runbook pattern once and refuses an invalid one every time', () => {
  expect(regExp('^[a-z]+$')).toBe(regExp('^[a-z]+$'));
  expect(() => regExp('([a-z')).toThrow(SyntaxError);
  expect(() => regExp('([a-z')).toThrow(SyntaxError);
});
