// Delivery ids seen lately (PagerDuty's X-Webhook-Id, Standard Webhooks' webhook-id), so a
// re-delivered request is answered without doing the work again. Bounded in size and age.
export class RecentIds {
  private readonly ids = new Map<string, number>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly ttlMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  seen(id: string): boolean {
    const at = this.ids.get(id);
    if (at === undefined) return false;
    if (this.now() - at > this.ttlMs) {
      this.ids.delete(id);
      return false;
    }
    return true;
  }

  remember(id: string): void {
    this.ids.delete(id);
    this.ids.set(id, this.now());
    // Maps iterate in insertion order: the first entries are the oldest.
    while (this.ids.size > this.maxEntries) this.ids.delete(this.ids.keys().next().value!);
  }
}
