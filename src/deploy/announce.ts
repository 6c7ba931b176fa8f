/**
 * A deploy's news for the environment's notification channels: each release that went live (`deploy-done`),
 * a deploy a gate stopped (`gate-failed`), a deploy that failed after the switch and was rolled back, and an
 * operator's rollback (`rollback`). Sent once the deploy is over; a channel that fails never fails the deploy.
 */
import type { EnvironmentName } from "../environment/names.js";
import { isTroError } from "../errors.js";
import { environmentNotifier, type NotifyEvent, type NotifyEventName } from "../notify/index.js";
import type { Workspace } from "../workspace/types.js";
import type { DeployResult } from "./apply.js";
import { isoNow, systemClock } from "./clock.js";
import type { DeployRecord } from "./types.js";

export interface AnnounceOptions {
  readonly workspace: Workspace;
  readonly environment: EnvironmentName;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** what was asked (`argo`, `all`) */
  readonly which: string;
  /** removes known secrets from text (the CLI's scrubber) */
  readonly scrub: (text: string) => string;
  readonly now?: () => Date;
}

/** The events a deploy's end makes: from its result, or from the error it ended with. */
export function deployEvents(
  o: AnnounceOptions,
  end: { readonly result?: DeployResult; readonly error?: unknown; readonly rollback?: readonly DeployRecord[] },
): Omit<NotifyEvent, "environment" | "workspace" | "at">[] {
  const record = (event: NotifyEventName, r: DeployRecord, summary: string) => ({
    event,
    project: r.project,
    summary,
    facts: {
      host: r.host,
      release: r.release ?? "",
      ...(r.previous ? { previous: r.previous } : {}),
      by: r.who,
      ...(r.rollbackReason ? { reason: r.rollbackReason } : {}),
    },
  });
  if (end.rollback) return end.rollback.map((r) => record("rollback", r, `${r.project} rolled back on ${r.host}.`));
  if (end.result?.outcome === "succeeded")
    return end.result.records.map((r) => record("deploy-done", r, `${r.project} ${r.release} is live on ${r.host}.`));
  if (
    isTroError(end.error) &&
    (end.error.code === "TRO_ERR_GATE_FAILED" || end.error.code === "TRO_ERR_DEPLOY_FAILED")
  ) {
    const gate = end.error.code === "TRO_ERR_GATE_FAILED";
    return [
      {
        event: gate ? "gate-failed" : "rollback",
        ...(o.which !== "all" ? { project: o.which } : {}),
        summary: gate
          ? `A gate stopped the deploy of ${o.which}.`
          : `The deploy of ${o.which} failed and was rolled back.`,
        facts: { error: end.error.message },
      },
    ];
  }
  return [];
}

/** Sends what `deployEvents` finds; never throws. */
export async function announceDeploy(o: AnnounceOptions, end: Parameters<typeof deployEvents>[1]): Promise<void> {
  const notifier = environmentNotifier(o.workspace, o.environment, { env: o.env });
  if (!notifier.channels) return;
  const at = o.now?.().toISOString() ?? isoNow(systemClock);
  for (const e of deployEvents(o, end)) {
    const facts = Object.fromEntries(Object.entries(e.facts ?? {}).map(([k, v]) => [k, o.scrub(String(v))]));
    await notifier.notify({
      ...e,
      summary: o.scrub(e.summary),
      facts,
      environment: o.environment,
      workspace: o.workspace.name,
      at,
    });
  }
}
