/**
 * How deploys and gates show their progress and plan: a live task list (listr2) on a terminal, plain lines
 * otherwise, nothing with --json (standard output is the JSON document).
 */
import { describePlannedSlot } from "../../deploy/deploy-style.js";
import type { DeployEvent } from "../../deploy/events.js";
import type { DeployPlan } from "../../deploy/plan.js";
import type { RollbackPlan } from "../../deploy/rollback-plan.js";
import type { GateResult } from "../../deploy/types.js";
import type { CommandRun } from "../program.js";

function mark(run: CommandRun, status: string): string {
  const c = run.out.colors;
  return status === "pass"
    ? c.green("✔")
    : status === "fail"
      ? c.red("✘")
      : status === "skip"
        ? c.yellow("↷")
        : c.dim("…");
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function gateLines(run: CommandRun, g: GateResult): string[] {
  const head = `${mark(run, g.status)} gate ${String(g.gate).padStart(2)} ${g.name}: ${g.reason} ${run.out.colors.dim(`(${secs(g.durationMs)})`)}`;
  return [head, ...(g.details ?? []).slice(0, 30).map((d) => `     ${d}`)];
}

export interface Progress {
  event(event: DeployEvent): void;
  plan(plan: DeployPlan): void;
  done(): Promise<void>;
}

/** Plain lines, or a listr2 task list on a terminal; nothing with --json (stdout is the JSON document). */
export function createProgress(run: CommandRun): Progress {
  if (run.globals.json) return { event: () => undefined, plan: () => undefined, done: async () => undefined };
  if (run.io.stdout.isTTY && run.io.stdout === process.stdout) return liveProgress(run);
  return plainProgress(run);
}

function plainProgress(run: CommandRun): Progress {
  const c = run.out.colors;
  return {
    plan: () => undefined,
    done: async () => undefined,
    event: (e) => {
      if (e.type === "gate-end") {
        for (const l of gateLines(run, e.result)) run.out.line(l);
      } else if (e.type === "step-start") run.out.line(`${c.cyan("▶")} ${e.project}@${e.host} ${e.step}`);
      else if (e.type === "step-end")
        run.out.line(
          `${mark(run, e.status)} ${e.project}@${e.host} ${e.step} ${c.dim(`(${secs(e.durationMs)})`)}${e.detail ? `: ${e.detail}` : ""}`,
        );
      else if (e.type === "note") e.level === "warn" ? run.out.warn(e.message) : run.out.info(e.message);
    },
  };
}

interface Outcome {
  readonly status: "pass" | "fail" | "skip";
  readonly detail: string;
}

/** listr2 fed by events: the task list is built from the plan; each task waits for its end event. */
function liveProgress(run: CommandRun): Progress {
  const waits = new Map<string, { promise: Promise<Outcome>; resolve: (o: Outcome) => void }>();
  const waitFor = (key: string) => {
    if (!waits.has(key)) {
      let resolve!: (o: Outcome) => void;
      const promise = new Promise<Outcome>((r) => (resolve = r));
      waits.set(key, { promise, resolve });
    }
    return waits.get(key)!;
  };
  const late: string[] = [];
  let running: Promise<unknown> | undefined;
  return {
    plan: (plan) => {
      const tasks: { key: string; title: string }[] = [];
      for (const d of plan.deploys)
        tasks.push({ key: `step:${d.project}:local:artifact`, title: `${d.project}: artifact` });
      for (const g of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12]) tasks.push({ key: `gate:${g}`, title: `gate ${g}` });
      for (const d of plan.deploys) {
        for (const host of d.target.hosts) {
          for (const s of d.steps.filter((x) => x !== "monitor" && x !== "finish"))
            tasks.push({ key: `step:${d.project}:${host}:${s}`, title: `${d.project}@${host}: ${s}` });
        }
      }
      if (plan.deploys.length) tasks.push({ key: "gate:11", title: "gate 11" });
      for (const d of plan.deploys)
        for (const host of d.target.hosts)
          tasks.push({ key: `step:${d.project}:${host}:finish`, title: `${d.project}@${host}: finish` });
      for (const t of tasks) waitFor(t.key);
      running = import("listr2").then(({ Listr }) =>
        new Listr(
          tasks.map((t) => ({
            title: t.title,
            task: async (_: unknown, task: { title: string; skip(m?: string): void }) => {
              const outcome = await waitFor(t.key).promise;
              if (outcome.status === "skip") return task.skip(`${t.title}: ${outcome.detail}`);
              if (outcome.status === "fail") throw new Error(`${t.title}: ${outcome.detail}`);
              task.title = `${t.title}: ${outcome.detail}`;
            },
          })),
          { concurrent: false, exitOnError: false },
        )
          .run()
          .catch(() => undefined),
      );
    },
    event: (e) => {
      if (e.type === "gate-end") {
        const key = `gate:${e.result.gate}`;
        if (!waits.has(key)) late.push(...gateLines(run, e.result));
        else
          waits.get(key)!.resolve({
            status: e.result.status === "pending" ? "skip" : e.result.status,
            detail: `${e.result.name}: ${e.result.reason}`,
          });
      } else if (e.type === "step-end") {
        const key = `step:${e.project}:${e.host}:${e.step}`;
        if (!waits.has(key))
          late.push(`${mark(run, e.status)} ${e.project}@${e.host} ${e.step}${e.detail ? `: ${e.detail}` : ""}`);
        else waits.get(key)!.resolve({ status: e.status, detail: e.detail ?? secs(e.durationMs) });
      } else if (e.type === "note") late.push(`! ${e.message}`);
    },
    done: async () => {
      for (const w of waits.values()) w.resolve({ status: "skip", detail: "not reached" });
      await running;
      running = undefined;
      for (const line of late.splice(0)) run.out.line(line);
    },
  };
}

/** `deploy --dry-run`: what would happen, project by project. */
export function printPlan(run: CommandRun, plan: DeployPlan): void {
  const c = run.out.colors;
  run.out.line(
    `${c.bold(`plan ${plan.id}`)}: deploy ${plan.requested} to ${plan.environment} at ${plan.head.slice(0, 7)}`,
  );
  for (const d of plan.deploys) {
    const now = d.active ? `${d.active.release} on ${d.active.color}` : "nothing yet";
    run.out.line(
      `  ${c.bold(d.project)} (${d.why}): ${d.release} → ${describePlannedSlot(d)} on ${d.target.hosts.join(", ")}; serving now: ${now}`,
    );
    run.out.line(`    steps: ${d.steps.join(" → ")}`);
    if (d.sendsOrders) run.out.line(`    orders: ${handoffLine(d.target)}`);
  }
  if (!plan.deploys.length) run.out.line("  nothing to deploy");
  run.out.line(
    `  tested: ${plan.tested.join(", ") || "nothing"}; health level ${plan.healthLevel}, monitoring ${plan.monitorSeconds} s`,
  );
  run.out.line(
    `  window: ${plan.window.local}${plan.window.blocked ? ` — blocked: ${plan.window.reason}` : ", open"}${plan.window.emergency ? ` (emergency: ${plan.window.emergency})` : ""}`,
  );
  for (const s of plan.skips) run.out.line(`  skip gate ${s.gate}: ${s.reason}`);
  for (const w of plan.warnings) run.out.warn(w);
}

/** The policy's verdict on the moment (`gates`, `--at`): `✘ window at … (fri 15:00 UTC): Friday is a blocked day …`. */
export function printWindow(run: CommandRun, window: DeployPlan["window"], at: Date | undefined): void {
  const when = `${at ? `at ${at.toISOString()} ` : ""}(${window.local})`;
  if (window.blocked) run.out.line(`${mark(run, "fail")} window ${when}: ${window.reason}`);
  else run.out.line(`${mark(run, "pass")} window ${when}: open`);
}

/** Where an order sender's handoff happens: the lease on its host, or the PostgreSQL lease its hosts share. */
function handoffLine(target: DeployPlan["deploys"][number]["target"]): string {
  if (target.lease === "postgres") {
    return target.hosts.length > 1
      ? `handoff on the PostgreSQL lease across ${target.hosts.length} hosts (one sends, the others stand by)`
      : "handoff on the PostgreSQL lease";
  }
  return `handoff on the file lease on ${target.hosts[0] === "local" ? "this machine" : target.hosts[0]}`;
}

/** `rollback --dry-run`: the recoveries that run first, each host's move, warm or cold, and its lease handoff. */
export function describeRollbackPlan(plan: RollbackPlan): string[] {
  const lines = [`plan ${plan.id}: roll back ${plan.members.join(" + ")} in ${plan.environment}`];
  for (const r of plan.recoveries ?? []) {
    const p = r.inProgress;
    lines.push(
      `  first, recovery of ${r.project} on ${r.host}: the ${p.kind} ${p.id} was left in progress (step ${p.step}, ${p.release} in ${p.color})`,
    );
    for (const action of r.actions) lines.push(`    - ${action}`);
  }
  for (const m of plan.moves)
    lines.push(
      `  ${m.project} on ${m.host}: ${m.from.release} (${m.from.color}) → ${m.to.release} (${m.to.color}, ${m.warm ? "warm: instant switch" : "cold: starts and passes health first"})${m.handoff === "none" ? "" : `; orders: handoff on the ${m.handoff}`}`,
    );
  for (const n of plan.notes) lines.push(`  ${n.level === "warn" ? "warning" : "note"}: ${n.message}`);
  lines.push(`  health level ${plan.healthLevel} after the switch; nothing was moved (--dry-run)`);
  return lines;
}
