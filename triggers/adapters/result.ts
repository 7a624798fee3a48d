// The adapter boundary: readers throw PayloadError deep inside a payload; callers only ever see a ParseResult.
import type { Alert } from '../../dsl/alert';
import type { ParseResult } from '../request';
import { PayloadError } from './fields';

export interface Delivery {
  alerts: Alert[];
  deliveryId?: string;
  ignored?: string;
}

export function parseDelivery(read: () => Delivery): ParseResult {
  let delivery: Delivery;
  try {
    delivery = read();
  } catch (err) {
    if (err instanceof PayloadError) return { ok: false, status: err.status, reason: err.message };
    throw err;
  }
  const ignored = delivery.ignored ?? (delivery.alerts.length === 0 ? 'the delivery carries no alerts' : undefined);
  return compact<ParseResult>({ ok: true, alerts: delivery.alerts, deliveryId: delivery.deliveryId, ignored });
}

/** Drops keys whose value is undefined, so results hold only what the source gave (and compare equal to their literal form). */
export function compact<V>(record: Record<string, V | undefined>): Record<string, V>;
export function compact<T extends object>(value: T): T;
export function compact(value: object): object {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}
