/** `tradeops start [PROJECT|all]`: through the background supervisor (started on demand), idempotent. */

import { resolve } from "node:path";
import { EXIT, formatProblem, TroError } from "../../errors.js";
import { startableProjects } from "../../supervisor/launch-rules.js";
import { toWire } from "../../supervisor/protocol.js";
import type { StartResult } from "../../supervisor/supervisor.js";
import { COLORS, type Color, type InstanceRequest, instanceName } from "../../supervisor/types.js";
import { portFlag, secondsFlag } from "../flags.js";
import type { CommandRun, Handler } from "../program.js";
import { openSupervisor } from "./supervisor.js";

/** `--color` checked. @throws TroError TRO_ERR_USAGE */
export function colorOption(value: unknown): Color | undefined {
  if (value === undefined) return undefined;
  if (!COLORS.includes(value as Color)) {
    throw new TroError("TRO_ERR_USAGE", `--color must be blue or green, got "${String(value)}".`, {
      hint: "e.g. --color blue",
    });
  }
  return value as Color;
}

function ordersOption(value: unknown): boolean {
  if (value === undefined || value === "on") return true;
  if (value === "off") return false;
  throw new TroError("TRO_ERR_USAGE", `--orders must be on or off, got "${String(value)}".`, {
    hint: "e.g. --orders off (shadow mode)",
  });
}

export const startCommand: Handler = async (run) => {
  const { ctx, client } = openSupervisor(run);
  const color = colorOption(run.opts.color);
  const port = portFlag(run.opts.port);
  const orders = ordersOption(run.opts.orders);
  const waitMs = secondsFlag(run.opts.waitHealthy, "--wait-healthy");
  const projects = startableProjects(ctx.workspace, run.args[0]);
  if ((run.args[0] ?? "all") === "all" && (port !== undefined || run.opts.dir !== undefined)) {
    throw new TroError("TRO_ERR_USAGE", "--port and --dir apply to one project, not to all.", {
      hint: "tradeops start PROJECT --port N",
    });
  }
  const requests: InstanceRequest[] = projects.map((project) => ({
    project,
    ...(color ? { color } : {}),
    ...(run.opts.release !== undefined ? { release: String(run.opts.release) } : {}),
    ...(run.opts.dir !== undefined ? { dir: resolve(run.io.cwd, String(run.opts.dir)) } : {}),
    ...(port !== undefined ? { port } : {}),
    orders,
  }));
  const { started } = await client.ensure();
  if (started)
    run.out.info(run.out.colors.dim(`started the supervisor for ${ctx.workspace.name} (${ctx.environment})`));
  const results: StartResult[] = [];
  const failures: { name: string; error: unknown }[] = [];
  for (const request of requests) {
    const name = instanceName(request.project, request.color);
    try {
      const result = await client.start(request, run.io.env);
      results.push(result);
      report(run, result);
    } catch (error) {
      // `start all` starts every project it can, then reports the ones it could not
      if (requests.length === 1) throw error;
      failures.push({ name, error });
      reportFailure(run, name, error);
    }
  }
  const names = results.map((r) => r.instance.name);
  const healthy = waitMs === undefined ? [] : await Promise.all(names.map((name) => client.waitRunning(name, waitMs)));
  for (const i of healthy) run.out.info(`${i.name} is healthy (pid ${i.pid ?? "-"})`);
  if (run.globals.json) {
    const latest = waitMs === undefined ? results.map((r) => r.instance) : healthy;
    run.out.json({
      ok: failures.length === 0,
      instances: latest,
      already: results.filter((r) => r.already).map((r) => r.instance.name),
      failed: failures.map((f) => ({ name: f.name, error: toWire(f.error) })),
    });
  }
  const first = failures[0]?.error;
  if (first === undefined) return EXIT.ok;
  return first instanceof TroError ? first.exitCode : EXIT.failed;
};

function report(run: CommandRun, result: StartResult): void {
  const i = result.instance;
  const where = `pid ${i.pid ?? "-"}${i.port ? `, port ${i.port}` : ""}`;
  if (result.already) run.out.info(`${i.name} is already ${i.state} (${where})`);
  else run.out.info(`${i.name} starting (${where})`);
  if (result.differs.length) {
    run.out.warn(
      `${i.name} runs with another ${result.differs.join(", ")}; stop it and start it again to change that.`,
    );
  }
}

function reportFailure(run: CommandRun, name: string, error: unknown): void {
  if (run.globals.json) return;
  const c = run.out.colors;
  run.out.error(`${c.red("error:")} ${name}: ${(error as Error).message}`);
  if (error instanceof TroError) {
    for (const problem of error.problems) run.out.error(`  ${formatProblem(problem)}`);
    if (error.hint) run.out.error(`  → ${error.hint}`);
  }
}
