// Regular expressions from runbooks (input patterns, trigger matchers) are compiled once and
// reused: the receiver checks them for every alert it routes.
const compiled = new Map<string, RegExp>();
const MAX_CACHED = 1_000;

/** The compiled expression (flag `u`); throws SyntaxError for an invalid one. */
export function regExp(source: string): RegExp {
  let re = compiled.get(source);
  if (!re) {
    re = new RegExp(source, 'u');
    if (compiled.size >= MAX_CACHED) compiled.clear();
    compiled.set(source, re);
  }
  return re;
}
