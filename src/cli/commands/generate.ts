/**
 * `tradeops generate systemd [--env E] [--out DIR]`: a unit that runs the supervisor under systemd; with
 * `--per-service [PROJECT…]`, one unit per project instead.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { EXIT, TroError } from "../../errors.js";
import { tradeopsEntry } from "../../supervisor/launch.js";
import { resolveStateDir } from "../../supervisor/paths.js";
import { renderSystemdUnit, systemdUnitName } from "../../supervisor/systemd.js";
import { buildServiceUnits } from "../../supervisor/systemd-services.js";
import { openFromRun } from "../context.js";
import type { CommandRun, Handler } from "../program.js";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const generateSystemdCommand: Handler = async (run) => {
  const ctx = openFromRun(run);
  const extraEnv: Record<string, string> = {};
  for (const pair of (run.opts.set as string[] | undefined) ?? []) {
    const eq = pair.indexOf("=");
    const key = pair.slice(0, eq);
    if (eq < 1 || !ENV_NAME.test(key)) {
      throw new TroError("TRO_ERR_USAGE", `--set takes NAME=VALUE, got "${pair}".`, {
        hint: "e.g. --set AWS_REGION=eu-west-1",
      });
    }
    extraEnv[key] = pair.slice(eq + 1);
  }
  if (run.opts.perService) return perService(run, ctx, extraEnv);
  const name = systemdUnitName(ctx.workspace.name, ctx.environment);
  const text = renderSystemdUnit({
    workspaceName: ctx.workspace.name,
    workspaceRoot: ctx.workspace.root,
    environment: ctx.environment,
    detectVariable: ctx.workspace.detect.variable,
    stateDir: resolveStateDir(ctx.workspace.root, ctx.environment, run.io.env),
    nodePath: process.execPath,
    entry: tradeopsEntry(run.io.env),
    ...(run.opts.user ? { user: String(run.opts.user) } : {}),
    ...(run.opts.group ? { group: String(run.opts.group) } : {}),
    extraEnv,
  });
  const out = run.opts.out === undefined ? undefined : resolve(run.io.cwd, String(run.opts.out));
  const path = out ? join(out, name) : undefined;
  if (out) {
    mkdirSync(out, { recursive: true });
    writeFileSync(path!, text, { mode: 0o644 });
  }
  if (run.globals.json) run.out.json({ unit: name, path: path ?? null, environment: ctx.environment, text });
  else if (path) {
    run.out.info(`wrote ${path}`);
    run.out.info(
      run.out.colors.dim(
        `install: sudo cp ${path} /etc/systemd/system/ && sudo systemctl daemon-reload && sudo systemctl enable --now ${name}`,
      ),
    );
  } else run.out.line(text.trimEnd());
  return EXIT.ok;
};

/** `--per-service`: one unit per project with a start command (or the projects named), written or printed. */
function perService(run: CommandRun, ctx: ReturnType<typeof openFromRun>, extraEnv: Record<string, string>): number {
  const units = buildServiceUnits(ctx.workspace, {
    environment: ctx.environment,
    projects: run.args,
    user: run.opts.user === undefined ? "" : String(run.opts.user),
    ...(run.opts.group ? { group: String(run.opts.group) } : {}),
    nodePath: process.execPath,
    entry: tradeopsEntry(run.io.env),
    extraEnv,
  });
  const out = run.opts.out === undefined ? undefined : resolve(run.io.cwd, String(run.opts.out));
  if (out) {
    mkdirSync(out, { recursive: true });
    for (const u of units) writeFileSync(join(out, u.unit), u.text, { mode: 0o644 });
  }
  const paths = units.map((u) => (out ? join(out, u.unit) : null));
  if (run.globals.json)
    run.out.json({ environment: ctx.environment, units: units.map((u, i) => ({ ...u, path: paths[i] })) });
  else if (out) {
    for (const path of paths) run.out.info(`wrote ${path}`);
    const names = units.map((u) => u.unit).join(" ");
    run.out.info(
      run.out.colors.dim(
        `install: sudo cp ${paths.join(" ")} /etc/systemd/system/ && sudo systemctl daemon-reload && sudo systemctl enable --now ${names}`,
      ),
    );
  } else for (const u of units) run.out.line(`# ${u.unit}\n${u.text.trimEnd()}\n`);
  return EXIT.ok;
}
