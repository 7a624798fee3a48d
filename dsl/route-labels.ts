// How routes are named, in messages, in a run's trail and in test coverage: one place, so that
// what the checker declares and what the workflow reports taking are the same strings.

/** A route written under a key, e.g. "`onReject`", "`human.onTimeout`". */
export const keyRoute = (key: string): string => `\`${key}\``;

/** A decide step's choice, e.g. "choice `rollback`". */
export const choiceRoute = (name: string): string => `choice \`${name}\``;

export const ROUTE = {
  onFailure: keyRoute('onFailure'),
  onTimeout: keyRoute('onTimeout'),
  onReject: keyRoute('onReject'),
  humanTimeout: keyRoute('human.onTimeout'),
} as const;
