/**
 * The order permit: the one gate in front of the venue. It honours the orders switch (off: shadow, every decision
 * recorded, nothing sent until a deploy hands this release the lease) and the executor lease with its fencing
 * token: acquired or claimed before the first send, renewed on a timer, confirmed with the store immediately
 * before each send, and given up on shutdown. Losing it (a newer token seen, or the store unreachable until the
 * lease would lapse) stops sending at once and says why.
 *
 * States:  shadow (orders off, no lease) · waiting → holding → fenced (terminal: a newer token exists)
 *                                            holding → expired → waiting (the store was away; may take it again)
 *                                            holding → released (shutdown)
 */

import type { LeaseStore } from "../accounts/lease-store.js";
import { LEASE_CLOCK_SKEW_MS } from "../accounts/lease-store.js";
import { TroError } from "../errors.js";
import type { GateDecision, OrderGate } from "../runtime/execution/gate.js";

export const PERMIT_TRANSITIONS = {
  shadow: [],
  waiting: ["holding", "released"],
  holding: ["fenced", "expired", "released"],
  expired: ["waiting", "released"],
  fenced: ["released"],
  released: [],
} as const satisfies Record<string, readonly string[]>;
export type PermitState = keyof typeof PERMIT_TRANSITIONS;

/** How often the permit looks at the lease while it waits for it or holds it (file and PostgreSQL). */
export const PERMIT_POLL_MS = { file: 10, postgres: 50 } as const;

export interface PermitEvent {
  readonly from: PermitState;
  readonly to: PermitState;
  readonly token: number;
  readonly reason: string;
}

export interface OrderPermitOptions {
  /** TRADEOPS_ORDERS: off waits in shadow for a deploy to hand the lease over; on may take a free lease */
  readonly orders: boolean;
  /** who holds the lease: the release id (what a deploy transfers the lease to), `<release>@<host>` on many hosts */
  readonly holder: string;
  /**
   * The release this process runs, when its holder name is `<release>@<host>` (the PostgreSQL lease across hosts):
   * while the lease names a process of the same release, this one stands by and takes the lease when it lapses.
   */
  readonly release?: string;
  /** the executor lease; without one, orders on sends freely and orders off is shadow for good */
  readonly lease?: LeaseStore;
  /** the lease's time to live; the permit stops this much (less the skew bound) after its last renewal */
  readonly ttlMs: number;
  readonly pollMs?: number;
  readonly skewMs?: number;
  /** monotonic milliseconds (performance.now) */
  readonly now?: () => number;
  readonly timers?: { setInterval: typeof setInterval; clearInterval: typeof clearInterval };
  readonly onChange?: (event: PermitEvent) => void;
}

export interface OrderPermit extends OrderGate {
  readonly state: PermitState;
  readonly token: number;
  /** why it is not sending, when it is not */
  readonly reason: string;
  /** starts looking at the lease; resolves after the first look */
  start(): Promise<void>;
  /** settles when the permit holds the lease (never, for shadow) */
  readonly acquired: Promise<number>;
  /** stops the timer and gives the lease up when it holds it */
  stop(): Promise<void>;
}

export function createOrderPermit(o: OrderPermitOptions): OrderPermit {
  const now = o.now ?? (() => performance.now());
  const timers = o.timers ?? { setInterval, clearInterval };
  const pollMs = o.pollMs ?? (o.lease ? PERMIT_POLL_MS[o.lease.backend] : 0);
  const renewEvery = Math.max(pollMs, Math.floor(o.ttlMs / 3));
  const validFor = Math.max(0, o.ttlMs - (o.skewMs ?? LEASE_CLOCK_SKEW_MS));
  let state: PermitState = o.lease || o.orders ? "waiting" : "shadow";
  let token = 0;
  let reason = o.lease
    ? o.orders
      ? "waiting for the executor lease"
      : `shadow: waiting for a deploy to hand ${o.holder} the executor lease`
    : "shadow: orders are off (TRADEOPS_ORDERS=off)";
  let validUntil = 0;
  let lastRenewAt = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  let busy: Promise<void> | undefined;
  // the last holder seen was this release (on this host or another): a lapsed lease is this release's to take again
  let live = false;
  const ofRelease = (h: string) =>
    h === o.holder || (!!o.release && (h === o.release || h.startsWith(`${o.release}@`)));
  let resolveAcquired!: (token: number) => void;
  const acquired = new Promise<number>((resolve) => {
    resolveAcquired = resolve;
  });

  const move = (to: PermitState, why: string, newToken = token) => {
    if (!(PERMIT_TRANSITIONS[state] as readonly PermitState[]).includes(to)) return;
    const from = state;
    state = to;
    token = newToken;
    reason = why;
    if (to === "holding") resolveAcquired(token);
    o.onChange?.({ from, to, token, reason: why });
  };
  const hold = (t: number, sentAt: number, why: string) => {
    validUntil = sentAt + validFor;
    lastRenewAt = sentAt;
    live = true;
    move("holding", why, t);
  };

  /** One look at the lease: take it, keep it, or notice it is gone. */
  const look = async (): Promise<void> => {
    const lease = o.lease;
    if (!lease) {
      if (state === "waiting" && o.orders) {
        validUntil = Number.POSITIVE_INFINITY;
        move("holding", "orders on, no executor lease configured", 0);
      }
      return;
    }
    const sentAt = now();
    try {
      if (state === "waiting" || state === "expired") {
        if (state === "expired") move("waiting", reason);
        const s = await lease.read();
        if (s.holder !== undefined) live = ofRelease(s.holder);
        if (s.holder === o.holder) {
          const t = await lease.claim(o.holder);
          if (t !== undefined) hold(t, sentAt, `holds the executor lease (token ${t}), handed over to ${o.holder}`);
        } else if ((o.orders || live) && s.holder === undefined) {
          const t = await lease.acquire(o.holder).catch((error: unknown) => {
            if (error instanceof TroError && error.code === "TRO_ERR_LOCK_HELD") return undefined;
            throw error;
          });
          if (t !== undefined)
            hold(
              t,
              sentAt,
              o.orders
                ? `holds the executor lease (token ${t})`
                : `holds the executor lease (token ${t}), taken over after ${o.release ?? o.holder}'s lapsed`,
            );
        }
        return;
      }
      if (state !== "holding") return;
      const s = await lease.read();
      if (s.token !== token || s.holder !== o.holder) {
        validUntil = 0;
        move("fenced", `lease lost: token ${s.token} (holder ${s.holder ?? "nobody"}) is newer than ours, ${token}`);
        return;
      }
      if (sentAt - lastRenewAt >= renewEvery) {
        if (await lease.renew(o.holder, token)) {
          validUntil = sentAt + validFor;
          lastRenewAt = sentAt;
        } else {
          validUntil = 0;
          move("fenced", `lease lost: the store refused to renew token ${token}`);
        }
      }
    } catch (error) {
      if (state === "holding" && now() >= validUntil) {
        move(
          "expired",
          `lease lost: the store was unreachable until the lease would lapse (${(error as Error).message})`,
        );
      }
    }
    if (state === "holding" && now() >= validUntil) {
      move("expired", "lease lost: it could not be renewed before it would lapse");
    }
  };
  const tick = () => {
    busy ??= look().finally(() => {
      busy = undefined;
    });
    return busy;
  };

  const decide = (): GateDecision => {
    if (state === "holding" && now() < validUntil) return { ok: true, token };
    if (state === "holding") {
      move("expired", "lease lost: it could not be renewed before it would lapse");
    }
    return { ok: false, rule: state === "fenced" || state === "expired" ? "lease" : "shadow", reason };
  };

  return {
    get state() {
      return state;
    },
    get token() {
      return token;
    },
    get reason() {
      return reason;
    },
    acquired,
    decide,
    async beforeSend(): Promise<GateDecision> {
      const first = decide();
      if (!first.ok || !o.lease) return first;
      let current: boolean;
      try {
        current = await o.lease.isCurrent(o.holder, token);
      } catch (error) {
        return { ok: false, rule: "lease", reason: `no order without a confirmed token: ${(error as Error).message}` };
      }
      if (!current) {
        if (state === "holding") {
          validUntil = 0;
          move("fenced", `lease lost: token ${token} is no longer current at the send`);
        }
        return { ok: false, rule: "lease", reason };
      }
      return decide();
    },
    async start() {
      if (state === "shadow") return;
      await tick();
      if (pollMs > 0) timer = timers.setInterval(() => void tick(), pollMs);
    },
    async stop() {
      if (timer) timers.clearInterval(timer);
      timer = undefined;
      await busy;
      const held = state === "holding" ? token : 0;
      move("released", "shut down: the executor lease was given up");
      if (held && o.lease) await o.lease.release(o.holder, held).catch(() => undefined);
    },
  };
}
