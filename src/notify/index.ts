/** Operator notifications: the environment's channels, and the test message `tradeops notify test` sends. */
import type { EnvironmentName } from "../environment/names.js";
import { TroError } from "../errors.js";
import type { Workspace } from "../workspace/types.js";
import type { NotifyEvent } from "./message.js";
import { type ChannelResult, createNotifier, type Notifier, type NotifierOptions } from "./notifier.js";

export type { NotifyEvent, NotifyEventName } from "./message.js";
export type { ChannelResult, Notifier } from "./notifier.js";

/** The notifier of one environment (no channels: one that sends nothing). */
export function environmentNotifier(
  workspace: Workspace,
  environment: EnvironmentName,
  options: NotifierOptions,
): Notifier {
  return createNotifier(workspace.settings[environment]?.notifications ?? [], options);
}

/**
 * Sends a test message to every channel of the environment.
 * @throws TroError TRO_ERR_CONFIG_INVALID when the environment has no channel
 */
export async function sendTestNotification(
  workspace: Workspace,
  environment: EnvironmentName,
  options: NotifierOptions & { readonly now?: () => Date },
): Promise<ChannelResult[]> {
  const notifier = environmentNotifier(workspace, environment, options);
  if (!notifier.channels) {
    throw new TroError("TRO_ERR_CONFIG_INVALID", `No notification channel is configured for ${environment}.`, {
      hint: `Add environments.${environment}.notifications to tradeops.yaml (docs/console.md#notifications).`,
    });
  }
  const event: NotifyEvent = {
    event: "test",
    environment,
    workspace: workspace.name,
    summary: `Test message from tradeops: notifications of ${workspace.name} in ${environment} reach this channel.`,
    at: (options.now?.() ?? new Date()).toISOString(),
  };
  return notifier.notify(event);
}
