// Retries an operation against a cluster that is still starting (`runbook setup --wait`, the
// cluster's own start): every failure until the deadline is taken as "not ready yet".
export async function retryUntil<T>(deadline: number, fn: () => Promise<T>, intervalMs = 500): Promise<T> {
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() + intervalMs > deadline) throw err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}
