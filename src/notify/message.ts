/**
 * What a notification says: one event, rendered once as a title and a few lines of plain text. The text is
 * built from the event's own fields only, then every secret the channels were configured with is cut out of
 * it, so a message can never carry a URL token, a bot token or a password.
 */
import type { NOTIFY_EVENTS } from "../workspace/schema.js";

export type NotifyEventName = (typeof NOTIFY_EVENTS)[number];

export interface NotifyEvent {
  readonly event: NotifyEventName;
  readonly environment: string;
  readonly workspace: string;
  readonly project?: string;
  /** one sentence: what happened */
  readonly summary: string;
  /** a few `key: value` facts (reason, release, rule, who) */
  readonly facts?: Readonly<Record<string, string | number>>;
  readonly at: string;
}

const ICON: Record<NotifyEventName, string> = {
  halt: "⛔",
  resume: "▶️",
  "give-up": "💥",
  "gate-failed": "🚧",
  rollback: "↩️",
  "lease-lost": "🔒",
  "risk-trip": "⚠️",
  "deploy-done": "✅",
  test: "🔔",
};

export interface RenderedMessage {
  readonly title: string;
  readonly text: string;
}

/** Title and body, with every value of `secrets` replaced by `[redacted]`. */
export function renderMessage(e: NotifyEvent, secrets: readonly string[]): RenderedMessage {
  const where = `${e.workspace}/${e.environment}${e.project ? `/${e.project}` : ""}`;
  const title = `${ICON[e.event]} ${e.event} · ${where}`;
  const lines = [e.summary, ...Object.entries(e.facts ?? {}).map(([k, v]) => `${k}: ${v}`), `at ${e.at}`];
  return { title: scrub(title, secrets), text: scrub(lines.join("\n"), secrets) };
}

export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join("[redacted]");
  return out;
}
