/** How `tradeops target …` shows a target: one table of instances per host, and one line per thing done. */
import type { RemoveResult, StartResult, StopResult } from "../../deploy/target-control.js";
import type {
  EnvironmentTargetStatus,
  InstanceView,
  LogsView,
  ProxyView,
  TargetStatusView,
} from "../../deploy/target-ops.js";
import type { CommandRun } from "../program.js";

export function duration(seconds: number | null): string {
  if (seconds === null) return "-";
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  return `${Math.floor(s / 86_400)}d${String(Math.floor((s % 86_400) / 3600)).padStart(2, "0")}h`;
}

export function renderStatus(run: CommandRun, views: readonly TargetStatusView[]): void {
  const c = run.out.colors;
  for (const v of views) {
    const proxy = v.proxy.running
      ? `proxy pid ${v.proxy.pid} → ${v.proxy.routeTo ?? "nothing"}`
      : c.yellow("proxy not running");
    const where = v.portless ? `no port (${v.portless})` : `public :${v.publicPort} · ${proxy}`;
    const secrets = v.secrets === "host" ? " · secrets on the host" : "";
    run.out.line(
      `${c.bold(v.project)} in ${v.environment} on ${v.host}  ${c.dim(`${where} · runner ${v.runner}${secrets}`)}`,
    );
    if (v.stopped)
      run.out.line(
        c.yellow(`  stopped by ${v.stopped.who} at ${v.stopped.at}; \`tradeops target start\` starts it again`),
      );
    if (!v.instances.length) {
      run.out.line("  nothing deployed");
      continue;
    }
    const header = ["COLOUR", "RELEASE", "PID", "PORT", "HEALTH", "UPTIME"];
    const rows = v.instances.map((i) => [
      `${i.color}${i.active ? "*" : ""}`,
      i.release,
      String(i.pid ?? "-"),
      v.portless ? "-" : String(i.port),
      i.running ? `${i.health} ${i.healthDetail}` : "down",
      duration(i.uptimeSeconds),
    ]);
    const widths = header.map((h, col) => Math.max(h.length, ...rows.map((r) => r[col]!.length)));
    const line = (cells: string[]) =>
      `  ${cells
        .map((cell, col) => cell.padEnd(widths[col]!))
        .join("  ")
        .trimEnd()}`;
    run.out.line(c.bold(line(header)));
    for (const r of rows) run.out.line(line(r));
  }
  if (views.some((v) => v.active))
    run.out.line(
      c.dim(
        views.every((v) => v.portless)
          ? "  * the active colour, the release that runs"
          : "  * the active colour, the one the proxy should route to",
      ),
    );
}

export function renderLogs(run: CommandRun, views: readonly LogsView[]): void {
  for (const v of views) {
    if (!v.logs.length) run.out.line(`${v.host}: nothing deployed`);
    for (const l of v.logs) {
      run.out.line(run.out.colors.bold(`── ${l.color} ${l.release} on ${v.host}`));
      for (const text of l.text.split("\n").filter(Boolean)) run.out.line(text);
    }
  }
}

export function renderStopped(run: CommandRun, results: readonly StopResult[]): void {
  for (const r of results) {
    for (const s of r.stopped) run.out.line(`stopped ${s.color} ${s.release} (pid ${s.pid}) on ${r.host}`);
    if (r.proxyPid) run.out.line(`stopped the front proxy (pid ${r.proxyPid}) on ${r.host}`);
    else if (!r.portless) run.out.line(`no front proxy ran on ${r.host}`);
    if (!r.stopped.length) run.out.line(`no release ran on ${r.host}`);
  }
}

export function renderStarted(run: CommandRun, results: readonly StartResult[]): void {
  for (const r of results) {
    run.out.line(
      `${r.started ? "started" : "already running:"} ${r.color} ${r.release} (pid ${r.pid}) on ${r.host}, ${r.health}, the front proxy routes to it`,
    );
  }
}

export function renderRemoved(run: CommandRun, results: readonly RemoveResult[]): void {
  renderStopped(run, results);
  for (const r of results) {
    run.out.line(
      `removed from ${r.path} on ${r.host}: ${r.removed.length ? r.removed.join(", ") : "nothing (it was empty)"}`,
    );
    if (r.kept.length) run.out.line(`kept: ${r.kept.join(", ")}`);
  }
}

export function renderProxy(run: CommandRun, views: readonly ProxyView[]): void {
  const c = run.out.colors;
  for (const v of views) {
    const s = v.status;
    if (!s) {
      run.out.line(`front proxy on ${v.host}, public :${v.publicPort}: ${c.yellow("not running")}`);
      continue;
    }
    const route = s.route
      ? `${s.route.color} :${s.route.port} (${s.route.release}, since ${s.route.switchedAt})`
      : "nothing";
    const inflight =
      Object.entries(s.inflight)
        .map(([port, n]) => `:${port} ${n}`)
        .join(", ") || "none";
    run.out.line(
      `front proxy on ${v.host}, public :${s.port}: ${c.green("running")} pid ${s.pid}, version ${s.version}`,
    );
    run.out.line(`  routes to ${route}; requests in flight: ${inflight}`);
  }
}

/** `tradeops status`'s part for deploy targets: each project's instances, or why its target could not be read. */
export function renderDeployed(run: CommandRun, deployed: readonly EnvironmentTargetStatus[]): void {
  for (const d of deployed) {
    if ("error" in d) run.out.warn(`${d.project}: could not read its target: ${d.error}`);
    else renderStatus(run, d.views);
  }
}

/** `blue 2026…-abc1234 running pid 123, healthy 1/1, up 5m02s` (or `down`): one deployed colour on one line. */
export function instanceLine(i: InstanceView): string {
  const state = i.running
    ? `running pid ${i.pid}, ${i.health} ${i.healthDetail}, up ${duration(i.uptimeSeconds)}`
    : "down (its process does not run)";
  return `${i.color}${i.active ? " (active)" : ""} ${i.release} ${state}`;
}
