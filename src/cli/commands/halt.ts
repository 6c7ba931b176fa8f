import { userInfo } from "node:os";
import { relative } from "node:path";
import { EXIT } from "../../errors.js";
import { controlFilePath, writeControl } from "../../runtime/control-file.js";
import { resolveControlToken } from "../../runtime/control-token.js";
import { requireProject } from "../../workspace/lookup.js";
import { openFromRun } from "../context.js";
import { portFlag } from "../flags.js";
import type { CommandRun, Handler } from "../program.js";

/** How long a control request to a local service may take before the file alone has to do. */
export const CONTROL_REQUEST_TIMEOUT_MS = 2_000;

export const haltCommand: Handler = (run) => switchTrading(run, "halted");
export const resumeCommand: Handler = (run) => switchTrading(run, "active");

/**
 * Writes the kill-switch file (a strategy on this machine picks it up within half a second, and a restarted
 * one starts in that state), then tells a service listening on the project's port through its control route.
 */
async function switchTrading(run: CommandRun, state: "halted" | "active"): Promise<number> {
  const ctx = openFromRun(run);
  const project = requireProject(ctx.workspace, run.args[0]!);
  const reason = String(run.opts.reason);
  const file = controlFilePath(ctx.workspace.root, project.name);
  writeControl(file, { state, reason, at: new Date().toISOString(), by: `cli:${safeUser()}` });
  const port = portFlag(run.opts.port as string | undefined) ?? project.port;
  const service = port ? await tellService(run, ctx, project, port, state, reason) : undefined;
  if (run.globals.json) {
    run.out.json({ project: project.name, state, reason, file, ...(service ? { service } : {}) });
    return EXIT.ok;
  }
  const c = run.out.colors;
  const verb = state === "halted" ? c.red("halted") : c.green("resumed");
  run.out.line(`${c.bold(project.name)} ${verb}: kill switch written to ${relative(run.io.cwd, file) || file}`);
  if (service?.reached) run.out.line(`  the service on port ${port} answered: trading ${service.state ?? state}`);
  else if (service) run.out.info(`  ${service.detail}; a strategy on this machine reads the file within a second`);
  if (service?.warning) run.out.warn(service.warning);
  return EXIT.ok;
}

interface ServiceAnswer {
  readonly reached: boolean;
  readonly status?: number;
  readonly state?: string;
  readonly detail: string;
  readonly warning?: string;
}

async function tellService(
  run: CommandRun,
  ctx: ReturnType<typeof openFromRun>,
  project: ReturnType<typeof requireProject>,
  port: number,
  state: "halted" | "active",
  reason: string,
): Promise<ServiceAnswer> {
  const token = await resolveControlToken({
    workspace: ctx.workspace,
    prepared: { project, environment: ctx.environment },
    env: run.io.env,
  }).catch(() => undefined);
  if (token) run.out.scrubber.add(token.reveal(), "control token");
  const url = `http://127.0.0.1:${port}/control/${state === "halted" ? "halt" : "resume"}`;
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token.reveal()}` } : {}) },
      body: JSON.stringify(state === "halted" ? { reason } : {}),
      signal: AbortSignal.timeout(CONTROL_REQUEST_TIMEOUT_MS),
    });
    const body = (await response.json().catch(() => ({}))) as { state?: string; error?: { message?: string } };
    if (response.ok) return { reached: true, status: response.status, state: body.state, detail: "answered" };
    return {
      reached: false,
      status: response.status,
      detail: `the service on port ${port} refused (${response.status})`,
      warning: `the control route refused: ${body.error?.message ?? response.statusText} (set ${"TRADEOPS_CONTROL_TOKEN"} or the CONTROL_TOKEN secret)`,
    };
  } catch {
    return { reached: false, detail: `no service answered on 127.0.0.1:${port}` };
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}
