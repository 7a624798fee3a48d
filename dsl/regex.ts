// Regular expressions from runbooks (input patterns, trigger matchers) are compiled once and
// reused: the receiver checks them for every alert it routes.
import { BoundedCache } from './bounded-cache';

const compiled = new BoundedCache<string, RegExp>(1_000);

/** The compiled expression (flag `u`); throws SyntaxError for an invalid one. */
export function regExp(source: string): RegExp {
  return compiled.get(source, () => new RegExp(source, 'u'));
}
