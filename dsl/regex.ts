// Every regular expression a runbook supplies (input patterns, trigger matchers, `matches()` in
// expressions, `pattern` in fill schemas) runs on RE2 (re2js, pure JS): matching takes time
// linear in the text whatever the pattern, so neither a careless pattern nor a hostile alert
// label can stall the receiver or trip the workflow sandbox's deadlock detector. CEL specifies
// RE2 semantics for `matches()`; the same engine runs in the sandbox, the CLI and the receiver.
// RE2 has no backreferences or lookaround: such patterns are refused at validate time.
import { RE2JS } from 're2js';
import { BoundedCache } from './bounded-cache';

export interface Pattern {
  /** True when the text contains a match (as JSON Schema's `pattern` and CEL's `matches()`). */
  test(text: string): boolean;
}

const compiled = new BoundedCache<string, Pattern>(1_000);

/** The compiled pattern; throws RegexSyntaxError for one RE2 does not accept. */
export function regExp(source: string): Pattern {
  return compiled.get(source, () => {
    let re: RE2JS;
    try {
      re = RE2JS.compile(source);
    } catch (err) {
      throw new RegexSyntaxError((err as Error).message.replace(/^error parsing regexp: /, ''));
    }
    // toString names the pattern: Ajv keys compiled patterns by it.
    return { test: (text: string) => re.matcher(text).find(), toString: () => `/${source}/` };
  });
}

/** True when the whole text matches (trigger `matchRe`). */
export function fullMatch(source: string, text: string): boolean {
  return regExp(`^(?:${source})$`).test(text);
}

/** Why RE2 refuses a pattern, or undefined when it compiles. */
export function regexProblem(source: string): string | undefined {
  try {
    regExp(source);
    return undefined;
  } catch (err) {
    if (err instanceof RegexSyntaxError) return err.message;
    throw err;
  }
}

export class RegexSyntaxError extends SyntaxError {
  override readonly name = 'RegexSyntaxError';
}
