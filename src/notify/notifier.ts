/**
 * Sends an event to every channel of an environment that wants it, each with bounded retries (3 attempts,
 * 0.5 s then 1 s apart): a flaky webhook does not lose a halt, a dead one does not hold anything up for long.
 * `notify` never throws; it returns what each channel did.
 */
import { isTroError } from "../errors.js";
import type { NotificationChannelManifest } from "../workspace/schema.js";
import { channelName, channelSecrets, type Env, sendOnce } from "./channels.js";
import { type NotifyEvent, renderMessage, scrub } from "./message.js";

export const ATTEMPTS = 3;
export const RETRY_DELAYS_MS = [500, 1_000] as const;

export interface ChannelResult {
  readonly channel: string;
  readonly type: string;
  readonly ok: boolean;
  readonly attempts: number;
  /** safe to show: no URL, token or password */
  readonly error?: string;
}

export interface Notifier {
  readonly channels: number;
  notify(event: NotifyEvent): Promise<ChannelResult[]>;
}

export interface NotifierOptions {
  readonly env: Env;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
}

export function createNotifier(channels: readonly NotificationChannelManifest[], o: NotifierOptions): Notifier {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deps = { fetch: o.fetch ?? fetch, env: o.env };
  const secrets = channels.flatMap((c) => channelSecrets(c, o.env));
  const one = async (c: NotificationChannelManifest, event: NotifyEvent): Promise<ChannelResult> => {
    const message = renderMessage(event, secrets);
    let error = "";
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        await sendOnce(c, event, message, deps);
        return { channel: channelName(c), type: c.type, ok: true, attempts: attempt };
      } catch (e) {
        error = scrub((e as Error).message, secrets);
        // a setting that is wrong stays wrong: no retry
        if (isTroError(e)) return { channel: channelName(c), type: c.type, ok: false, attempts: attempt, error };
        if (attempt < ATTEMPTS) await sleep(RETRY_DELAYS_MS[attempt - 1] ?? 1_000);
      }
    }
    return { channel: channelName(c), type: c.type, ok: false, attempts: ATTEMPTS, error };
  };
  return {
    channels: channels.length,
    notify: (event) =>
      // a test message goes to every channel: that is what it tests
      Promise.all(
        channels
          .filter((c) => event.event === "test" || !c.events || c.events.includes(event.event))
          .map((c) => one(c, event)),
      ),
  };
}
