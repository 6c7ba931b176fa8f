/** `tradeops generate systemd [--env E] [--out DIR]`: a unit that runs the supervisor under systemd. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { EXIT, TroError } from "../../errors.js";
import { tradeopsEntry } from "../../supervisor/launch.js";
import { resolveStateDir } from "../../supervisor/paths.js";
import { renderSystemdUnit, systemdUnitName } from "../../supervisor/systemd.js";
import { openFromRun } from "../context.js";
import type { Handler } from "../program.js";

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
