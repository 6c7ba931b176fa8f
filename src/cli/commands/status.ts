/** `tradeops status [PROJECT] [--json]`: every supervised instance, its state, pid, uptime, restarts and health. */
import { EXIT } from "../../errors.js";
import { hasRecordedServices } from "../../supervisor/client.js";
import type { InstanceStatus, SupervisorStatus } from "../../supervisor/types.js";
import { requireProject } from "../../workspace/lookup.js";
import type { CommandRun, Handler } from "../program.js";
import { duration, renderDeployed } from "../render/target.js";
import { exitText } from "./stop.js";
import { openSupervisor } from "./supervisor.js";
import { deployedIn } from "./target.js";

export const statusCommand: Handler = async (run) => {
  const { ctx, stateDir, client } = openSupervisor(run);
  const project = run.args[0];
  // a mistyped name is said at once, whether or not a supervisor runs
  if (project !== undefined) requireProject(ctx.workspace, project);
  // a supervisor that died is brought back (it adopts what still runs); with nothing recorded, none is started
  // releases deployed to the environment's targets run under their own runners: read from each target
  const targets = await deployedIn(run, ctx.workspace, ctx.environment, project);
  if (!(await client.running()) && !hasRecordedServices(stateDir)) {
    if (run.globals.json) run.out.json({ supervisor: null, instances: [], targets });
    else {
      const deployed = targets.some((t) => "views" in t && t.views.some((v) => v.instances.length));
      run.out.info(
        deployed
          ? `No supervisor runs for ${ctx.workspace.name} (${ctx.environment}) on this machine; deployed on its targets:`
          : `No supervisor runs for ${ctx.workspace.name} (${ctx.environment}); nothing is started.`,
      );
      renderDeployed(run, targets);
    }
    return EXIT.ok;
  }
  const status = await client.status(project);
  if (run.globals.json) run.out.json({ ...status, targets });
  else {
    render(run, status, ctx.workspace.name);
    renderDeployed(run, targets);
  }
  return EXIT.ok;
};

function render(run: CommandRun, status: SupervisorStatus, workspace: string): void {
  const c = run.out.colors;
  const paint: Record<InstanceStatus["state"], (s: string) => string> = {
    running: c.green,
    starting: c.yellow,
    backoff: c.yellow,
    stopping: c.yellow,
    unhealthy: c.red,
    failed: c.red,
    stopped: c.dim,
  };
  const s = status.supervisor;
  run.out.info(c.dim(`${workspace} (${s.environment}) · supervisor pid ${s.pid} · ${s.stateDir}`));
  if (s.disk.low) run.out.warn(`low disk space for logs: ${Math.round((s.disk.freeBytes ?? 0) / 1048576)} MiB free`);
  if (!status.instances.length) {
    run.out.line("No instances are supervised.");
    return;
  }
  const rows = status.instances.map((i) => [
    i.name,
    i.state,
    String(i.pid ?? "-"),
    String(i.port ?? "-"),
    i.release ?? "-",
    duration(i.uptimeSeconds),
    String(i.restarts),
    i.lastExit ? exitText(i.lastExit) : "-",
    `${i.health.level1.status}/${i.health.level2.status}`,
  ]);
  const header = ["NAME", "STATE", "PID", "PORT", "RELEASE", "UPTIME", "RESTARTS", "LAST EXIT", "HEALTH L1/L2"];
  const widths = header.map((h, col) => Math.max(h.length, ...rows.map((r) => r[col]!.length)));
  const line = (cells: string[], color?: (s: string) => string) =>
    cells
      .map((cell, col) => (col === 1 && color ? color(cell.padEnd(widths[col]!)) : cell.padEnd(widths[col]!)))
      .join("  ")
      .trimEnd();
  run.out.line(c.bold(line(header)));
  status.instances.forEach((i, n) => {
    run.out.line(line(rows[n]!, paint[i.state]));
    if (i.state === "backoff" && i.nextStartAt) run.out.line(c.dim(`  ${backoffText(i)}`));
    if (i.spare) run.out.line(c.dim(`  warm spare pid ${i.spare.pid}: ${i.spare.state} since ${i.spare.startedAt}`));
    if (i.lastFailure && (i.state === "failed" || i.state === "backoff" || i.state === "unhealthy")) {
      run.out.line(
        `  ${paint[i.state](`${i.state === "failed" ? "failed" : "last failure"} ${i.lastFailure.at}:`)} ${i.lastFailure.reason}`,
      );
      for (const l of i.lastFailure.logTail.slice(-5)) run.out.line(c.dim(`    │ ${l}`));
    }
  });
}

/** `restart 2 of 3 at … (waits 10 s; backoff 5, 10, 20 s, then failed)`: the same for a crash and failed health. */
function backoffText(i: InstanceStatus): string {
  const p = i.restartPolicy;
  return `restart ${i.streak} of ${p.maxRestarts} at ${i.nextStartAt} (waits ${p.nextDelaySeconds} s; backoff ${p.backoffSeconds.join(", ")} s, then failed)`;
}
