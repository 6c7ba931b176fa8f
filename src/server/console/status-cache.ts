/**
 * The supervisor's status, kept fresh in the background: the overview answers from memory (no socket round
 * trip per request), so an operator's page polling every second costs the supervisor one call a second
 * however many pages are open.
 */
import type { SupervisorStatus } from "../../supervisor/types.js";
import type { SupervisorPort } from "./context.js";

/** How often the supervisor is asked for its status. */
export const STATUS_REFRESH_MS = 1_000;

export interface StatusCache {
  /** the latest status, or undefined when the supervisor has not answered yet */
  current(): SupervisorStatus | undefined;
  /** asks now (after a start/stop/halt) and waits for the answer */
  refresh(): Promise<SupervisorStatus | undefined>;
  /** why the last refresh failed, if it did */
  readonly error: string | undefined;
  stop(): void;
}

export interface StatusCacheOptions {
  readonly intervalMs?: number;
  /** called with every status the supervisor answers */
  readonly onStatus?: (status: SupervisorStatus) => void;
  readonly timers?: { setInterval: typeof setInterval; clearInterval: typeof clearInterval };
}

/** Starts refreshing at once and every `intervalMs`; `stop()` ends it. */
export function createStatusCache(port: SupervisorPort, options: StatusCacheOptions = {}): StatusCache {
  let latest: SupervisorStatus | undefined;
  let error: string | undefined;
  let running: Promise<SupervisorStatus | undefined> | undefined;
  const refresh = () => {
    running ??= (async () => {
      try {
        latest = await port.status();
        error = undefined;
        options.onStatus?.(latest);
      } catch (e) {
        error = (e as Error).message;
      } finally {
        running = undefined;
      }
      return latest;
    })();
    return running;
  };
  const timers = options.timers ?? { setInterval, clearInterval };
  void refresh();
  const timer = timers.setInterval(() => void refresh(), options.intervalMs ?? STATUS_REFRESH_MS);
  timer.unref?.();
  return {
    current: () => latest,
    refresh,
    get error() {
      return error;
    },
    stop: () => timers.clearInterval(timer),
  };
}
