/**
 * Why: a warm spare (health.warmSpare) takes over a crashed node in milliseconds because it has already paid for node,
 * the CLI's code and a warm compiler. Started by the supervisor with TRADEOPS_STANDBY=1 and an IPC channel,
 * `tradeops serve` runs its preloads (modules; config and strategy once, discarded), says it is ready, and waits: no
 * port bound, no store, broker or executor lease opened. On "go" it drops the channel and starts exactly as any node
 * does (manifest, port, config and strategy read afresh, so never stale; the lease taken through the normal path). If
 * the supervisor goes away or drops it first, it exits without having done anything.
 */

import { STANDBY_GO, STANDBY_READY, STANDBY_VARIABLE } from "../supervisor/standby-protocol.js";

export interface StandbyChannel {
  send?: (message: unknown) => boolean;
  on(event: "message", listener: (message: unknown) => void): unknown;
  on(event: "disconnect", listener: () => void): unknown;
  off(event: "message", listener: (message: unknown) => void): unknown;
  off(event: "disconnect", listener: () => void): unknown;
  disconnect?: () => void;
  connected?: boolean;
}

/** Whether this process was started as a spare: the variable set and a channel to the supervisor open. */
export function isStandby(
  env: Readonly<Record<string, string | undefined>>,
  channel: StandbyChannel = process,
): boolean {
  return env[STANDBY_VARIABLE] === "1" && typeof channel.send === "function" && channel.connected !== false;
}

const isGo = (message: unknown): boolean =>
  typeof message === "object" &&
  message !== null &&
  (message as { tradeops?: unknown }).tradeops === STANDBY_GO.tradeops;

/**
 * Loads what the node will need, tells the supervisor it is ready, and waits for "go": true then (the channel is
 * dropped, the process starts the node and lives on without its supervisor like any service), false when the
 * supervisor went away or dismissed it first (the caller exits).
 */
export async function standBy(
  preload: readonly (() => Promise<unknown>)[],
  channel: StandbyChannel = process,
): Promise<boolean> {
  await Promise.all(preload.map((load) => load()));
  return new Promise<boolean>((resolve) => {
    const done = (go: boolean) => {
      channel.off("message", onMessage);
      channel.off("disconnect", onDisconnect);
      if (go && channel.connected !== false) channel.disconnect?.();
      resolve(go);
    };
    const onMessage = (message: unknown) => {
      if (isGo(message)) done(true);
    };
    const onDisconnect = () => done(false);
    channel.on("message", onMessage);
    channel.on("disconnect", onDisconnect);
    if (channel.connected === false) return done(false);
    try {
      channel.send?.(STANDBY_READY);
    } catch {
      done(false);
    }
  });
}
