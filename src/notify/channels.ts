/**
 * The four kinds of channel: a JSON webhook, a Slack-compatible incoming webhook (`{"text": …}`), the Telegram
 * Bot API (`sendMessage`) and email over SMTP (nodemailer). `${NAME}` in a channel's settings is read from the
 * environment when sending; those values are secrets: they never appear in a message or an error.
 */
import { TroError } from "../errors.js";
import type { NotificationChannelManifest } from "../workspace/schema.js";
import type { NotifyEvent, RenderedMessage } from "./message.js";

export const TELEGRAM_API = "https://api.telegram.org";
/** One attempt's deadline. */
export const SEND_TIMEOUT_MS = 5_000;

export type Env = Readonly<Record<string, string | undefined>>;

/** `${NAME}` replaced from the environment; the values used, for scrubbing. @throws TroError TRO_ERR_CONFIG_INVALID */
export function expand(text: string, env: Env, channel: string): { value: string; secrets: string[] } {
  const secrets: string[] = [];
  const value = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const v = env[name];
    if (!v)
      throw new TroError("TRO_ERR_CONFIG_INVALID", `Notification channel ${channel}: ${name} is not set.`, {
        hint: `Set ${name} in the environment (or its secret source) of the process that sends notifications.`,
      });
    secrets.push(v);
    return v;
  });
  return { value, secrets };
}

export function channelName(c: NotificationChannelManifest): string {
  return c.name ?? c.type;
}

/** Every secret value a channel uses (for scrubbing messages and errors). */
export function channelSecrets(c: NotificationChannelManifest, env: Env): string[] {
  const texts = c.type === "telegram" ? [c.botToken] : c.type === "email" ? [c.smtp] : [c.url];
  const out: string[] = [];
  for (const t of texts) {
    try {
      out.push(...expand(t, env, channelName(c)).secrets);
    } catch {
      // unset: nothing to scrub, and sending reports it
    }
  }
  // an SMTP URL's password, even when written literally
  if (c.type === "email") {
    try {
      const password = new URL(expand(c.smtp, env, channelName(c)).value).password;
      if (password) out.push(decodeURIComponent(password));
    } catch {
      // not a URL: sending reports it
    }
  }
  return out;
}

export interface SendDeps {
  readonly fetch: typeof fetch;
  readonly env: Env;
}

/** Sends once. @throws Error with a message safe to show (status codes, never URLs or tokens) */
export async function sendOnce(
  c: NotificationChannelManifest,
  event: NotifyEvent,
  message: RenderedMessage,
  deps: SendDeps,
): Promise<void> {
  const name = channelName(c);
  const post = async (url: string, body: unknown) => {
    let response: Response;
    try {
      response = await deps.fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      });
    } catch (error) {
      throw new Error(
        `${name}: no answer (${(error as Error).name === "TimeoutError" ? "timed out" : "connection failed"})`,
      );
    }
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
  };
  if (c.type === "webhook") {
    await post(expand(c.url, deps.env, name).value, { ...event, title: message.title, text: message.text });
  } else if (c.type === "slack") {
    await post(expand(c.url, deps.env, name).value, { text: `*${message.title}*\n${message.text}` });
  } else if (c.type === "telegram") {
    const token = expand(c.botToken, deps.env, name).value;
    const base = (c.apiUrl ?? TELEGRAM_API).replace(/\/$/, "");
    await post(`${base}/bot${token}/sendMessage`, {
      chat_id: c.chatId,
      text: `${message.title}\n${message.text}`,
      disable_web_page_preview: true,
    });
  } else {
    const { createTransport } = await import("nodemailer");
    const transport = createTransport(expand(c.smtp, deps.env, name).value, {
      connectionTimeout: SEND_TIMEOUT_MS,
      greetingTimeout: SEND_TIMEOUT_MS,
      socketTimeout: SEND_TIMEOUT_MS,
    } as object);
    try {
      await transport.sendMail({ from: c.from, to: [...c.to], subject: message.title, text: message.text });
    } catch (error) {
      const e = error as { responseCode?: number; code?: string };
      throw new Error(`${name}: SMTP ${e.responseCode ?? e.code ?? "error"}`);
    } finally {
      transport.close();
    }
  }
}
