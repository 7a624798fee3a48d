// Replay protection for signed timestamps: a captured request stops being accepted once its
// timestamp leaves the tolerance window. Future timestamps are refused too, or a sender with a
// fast clock (or an attacker holding a pre-signed request) would get a longer window.

/** Why a Unix-seconds timestamp is refused, or undefined when it is within tolerance of receipt. */
export function timestampProblem(headerName: string, value: string, receivedAt: number, toleranceSeconds: number): string | undefined {
  if (!/^\d{1,15}$/.test(value)) return `${headerName} must be a Unix time in seconds`;
  const age = Math.floor(receivedAt / 1000) - Number(value);
  if (age > toleranceSeconds) return `timestamp ${age} s old; tolerance ${toleranceSeconds} s`;
  if (-age > toleranceSeconds) return `timestamp ${-age} s in the future; tolerance ${toleranceSeconds} s`;
  return undefined;
}
