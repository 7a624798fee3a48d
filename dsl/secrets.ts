// Secrets are references. In the workflow a secret renders to a token; only the activity that
// uses it swaps the token for the value, so values never enter workflow input, history or logs.

export const secretToken = (name: string): string => `⟦secret:${name}⟧`;
export const SECRET_TOKEN = /⟦secret:([a-z][a-z0-9_]*)⟧/g;

/** The `secrets` variable of expressions: each name maps to its token. */
export function secretScope(names: Iterable<string>): Record<string, string> {
  return Object.fromEntries([...names].map((n) => [n, secretToken(n)]));
}
