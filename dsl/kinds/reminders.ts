// `remind` and `escalate` of an approval or a human decision, compiled.
import type { Reminders } from '../schema-parts';

interface ReminderDoc {
  remind?: string;
  escalate?: { after: string; to: string[] };
}

export function reminders(raw: ReminderDoc, ctx: { ms(duration: string | undefined, fallback: string): number }): { reminders?: Reminders } {
  if (raw.remind === undefined && raw.escalate === undefined) return {};
  return {
    reminders: {
      ...(raw.remind !== undefined && { remindMs: ctx.ms(raw.remind, raw.remind) }),
      ...(raw.escalate && { escalate: { afterMs: ctx.ms(raw.escalate.after, raw.escalate.after), to: raw.escalate.to } }),
    },
  };
}
