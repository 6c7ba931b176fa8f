/**
 * What the console tells operators without being asked: every halt and resume the signal log records (a risk
 * rule's halt is a `risk-trip`), a service the supervisor gave up on, a rollback made from the console — sent
 * to the environment's notification channels. Runs while the console runs; a failed send is logged in the
 * channel's result, never raised.
 */
import type { Notifier, NotifyEvent, NotifyEventName } from "../../notify/index.js";
import type { SignalRecord } from "../../signals/types.js";
import type { SupervisorStatus } from "../../supervisor/types.js";
import type { ConsoleContext } from "./context.js";
import type { SignalReader } from "./signal-reader.js";

/** How long to wait before looking for a signal store that is not there yet. */
export const STORE_RETRY_MS = 5_000;

export type Send = (event: NotifyEventName, summary: string, project?: string, facts?: NotifyEvent["facts"]) => void;

export function alertSender(ctx: Pick<ConsoleContext, "workspace" | "environment" | "now">, notifier: Notifier): Send {
  return (event, summary, project, facts) => {
    if (!notifier.channels) return;
    void notifier.notify({
      event,
      environment: ctx.environment,
      workspace: ctx.workspace.name,
      ...(project ? { project } : {}),
      summary,
      ...(facts ? { facts } : {}),
      at: ctx.now().toISOString(),
    });
  };
}

/** A halt or resume record as an event; other records are not news. */
export function eventOf(
  r: SignalRecord,
): { event: NotifyEventName; summary: string; facts: Record<string, string> } | undefined {
  if (r.kind !== "halt" && r.kind !== "resume") return undefined;
  let p: Record<string, unknown> = {};
  try {
    p = JSON.parse(r.payload) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const source = String(p.source ?? "");
  const facts = { reason: String(p.reason ?? ""), source, ...(r.release ? { release: r.release } : {}) };
  if (r.kind === "halt" && p.to === "halted")
    return source.startsWith("risk:")
      ? { event: "risk-trip", summary: `${r.project}: a risk rule halted trading (${source.slice(5)}).`, facts }
      : { event: "halt", summary: `${r.project}: trading halted.`, facts };
  if (r.kind === "resume" && p.to === "active")
    return { event: "resume", summary: `${r.project}: trading resumed.`, facts };
  return undefined;
}

/** Follows the signal log for halts and resumes until `signal` aborts. */
export async function followAlerts(reader: SignalReader, send: Send, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    try {
      for await (const batch of reader.follow({ signal }))
        for (const r of batch) {
          const e = eventOf(r);
          if (e) send(e.event, e.summary, r.project, e.facts);
        }
    } catch {
      // no store yet (nothing has traded): look again later
    }
    await new Promise((resolve) => {
      const t = setTimeout(resolve, STORE_RETRY_MS);
      signal.addEventListener("abort", () => {
        clearTimeout(t);
        resolve(undefined);
      });
    });
  }
}

/** Sends `give-up` for each instance that has just become `failed`. */
export function watchGiveUps(send: Send): (status: SupervisorStatus) => void {
  let failed = new Set<string>();
  let first = true;
  return (status) => {
    const now = new Set(status.instances.filter((i) => i.state === "failed").map((i) => i.name));
    if (!first)
      for (const i of status.instances)
        if (now.has(i.name) && !failed.has(i.name))
          send("give-up", `${i.name}: the supervisor gave up restarting it.`, i.project, {
            reason: i.lastFailure?.reason ?? "unknown",
            restarts: i.restarts,
          });
    failed = now;
    first = false;
  };
}
