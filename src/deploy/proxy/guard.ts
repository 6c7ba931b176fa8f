/**
 * The switch guard: a deploy switches with a guard, renews it while it runs and confirms it once the release passed
 * its checks. If the deploy dies after the switch (killed, machine lost), the renewals stop and the proxy returns
 * traffic to the colour it left — still warm, since only a finished deploy stops it — instead of leaving an
 * unverified release live until someone deploys again. Nothing is returned to a colour that does not answer.
 */
import { connect } from "node:net";
import type { ProxyGuard, ProxyRoute } from "./protocol.js";

type Target = Pick<ProxyRoute, "color" | "port" | "release">;

export interface GuardRecord {
  readonly release: string;
  readonly fallback: Target;
  /** epoch milliseconds */
  until: number;
}

export interface GuardDeps {
  /** the release traffic goes to now */
  readonly current: () => string | undefined;
  readonly applyRoute: (to: Target) => Promise<void>;
  readonly log: (event: string, fields?: Record<string, unknown>) => void;
  readonly now?: () => number;
  /** keeps the guard where a successor keeper finds it (`guard.json`); null when none is pending */
  readonly persist?: (guard: GuardRecord | null) => void;
  /** the guard a previous keeper left */
  readonly initial?: GuardRecord | null;
  /** whether a port accepts connections (default: a loopback TCP connect within a second) */
  readonly answers?: (port: number) => Promise<boolean>;
}

export interface SwitchGuard {
  set(release: string, fallback: Target, leaseMs: number): void;
  clear(): void;
  renew(leaseMs: number): boolean;
  /** ends the guard of `release`; false when traffic is no longer on it */
  confirm(release: string): boolean;
  /** returns traffic when the guard expired; called on a timer */
  check(): Promise<void>;
  status(): ProxyGuard | null;
  lastRevert(): string | null;
}

/** Whether something accepts connections on a loopback port within a second. */
function tcpAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

export function createSwitchGuard(deps: GuardDeps): SwitchGuard {
  const now = deps.now ?? Date.now;
  const answers = deps.answers ?? tcpAnswers;
  let guard: GuardRecord | null = deps.initial ?? null;
  let reverted: string | null = null;
  const save = () => deps.persist?.(guard);
  return {
    set: (release, fallback, leaseMs) => {
      guard = { release, fallback, until: now() + leaseMs };
      save();
    },
    clear: () => {
      if (!guard) return;
      guard = null;
      save();
    },
    renew: (leaseMs) => {
      if (!guard) return false;
      guard.until = now() + leaseMs;
      save();
      return true;
    },
    confirm: (release) => {
      if (deps.current() !== release) return false;
      guard = null;
      save();
      return true;
    },
    check: async () => {
      if (!guard || now() < guard.until) return;
      const { fallback, release } = guard;
      guard = null;
      save();
      if (deps.current() !== release) return;
      const at = new Date(now()).toISOString();
      if (await answers(fallback.port)) {
        await deps.applyRoute(fallback);
        reverted = `${at}: returned to ${fallback.release} (${fallback.color}): the switch to ${release} was not confirmed in time`;
      } else reverted = `${at}: kept ${release}: its switch was not confirmed, and ${fallback.release} does not answer`;
      deps.log("guard-expired", { release, fallback: fallback.release, reverted: deps.current() === fallback.release });
    },
    status: () =>
      guard && { release: guard.release, fallback: guard.fallback, expiresAt: new Date(guard.until).toISOString() },
    lastRevert: () => reverted,
  };
}
