/** `tradeops logs [PROJECT] [-f] [--lines N]`: the supervised services' log files, last lines or followed. */
import { requireProject } from "../../workspace/lookup.js";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { sensitiveValues } from "../../config/redact.js";
import { EXIT, TroError } from "../../errors.js";
import { prepareProcess } from "../../secrets/prepare.js";
import { followFiles } from "../../supervisor/log-follow.js";
import { tailLines } from "../../supervisor/logs.js";
import { resolveStateDir, stateLayout } from "../../supervisor/paths.js";
import { isInstanceOf } from "../../supervisor/types.js";
import { openFromRun } from "../context.js";
import type { CommandRun, Handler } from "../program.js";

const DEFAULT_LINES = 50;
/** how long `logs` waits for secret sources (AWS, commands) before printing without their redaction */
const SECRETS_DEADLINE_MS = 3_000;

function withDeadline<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("secret sources too slow")), SECRETS_DEADLINE_MS);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export const logsCommand: Handler = async (run) => {
  const ctx = openFromRun(run);
  const project = run.args[0];
  if (project) requireProject(ctx.workspace, project);
  const lines = run.opts.lines === undefined ? DEFAULT_LINES : Number(run.opts.lines);
  if (!Number.isInteger(lines) || lines < 0) {
    throw new TroError("TRO_ERR_USAGE", `--lines must be a whole number ≥ 0, got "${String(run.opts.lines)}".`, {
      hint: "e.g. --lines 100",
    });
  }
  const layout = stateLayout(resolveStateDir(ctx.workspace.root, ctx.environment, run.io.env));
  const files = logFiles(layout.logsDir).filter((f) => !project || isInstanceOf(f.label, project));
  await registerSecrets(run, ctx, [...new Set(files.map((f) => f.label.split("@")[0]!))]);
  if (!files.length) {
    run.out.info(`No logs yet for ${project ?? "any service"} in ${ctx.environment} (${layout.logsDir}).`);
    return EXIT.ok;
  }
  const prefixed = files.length > 1;
  const width = Math.max(...files.map((f) => f.label.length));
  const print = (label: string, line: string) =>
    run.out.line(prefixed ? `${run.out.colors.cyan(label.padEnd(width))} | ${line}` : line);
  for (const file of files) for (const line of tailLines(file.path, lines)) print(file.label, line);
  if (!run.opts.follow) return EXIT.ok;
  const stop = followFiles(files, print);
  await new Promise<void>((resolve) => {
    const done = () => {
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      resolve();
    };
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });
  stop();
  return EXIT.ok;
};

function logFiles(dir: string): { label: string; path: string }[] {
  try {
    return readdirSync(dir)
      .filter((name) => name.endsWith(".log") && !/\.\d{8}T\d{9}Z(-\d+)?\.log$/.test(name))
      .sort()
      .map((name) => ({ label: name.slice(0, -4), path: join(dir, name) }));
  } catch {
    return [];
  }
}

/** A service that logs its own secret must not have it printed again: resolve them and scrub (best effort). */
async function registerSecrets(
  run: CommandRun,
  ctx: ReturnType<typeof openFromRun>,
  projects: string[],
): Promise<void> {
  for (const project of projects) {
    if (!ctx.workspace.projects[project]) continue;
    try {
      const prepared = await withDeadline(
        prepareProcess({
          workspace: ctx.workspace,
          project,
          environment: ctx.environment,
          env: run.io.env,
        }),
      );
      for (const s of prepared.secrets.values()) run.out.scrubber.add(s.reveal(), `${s.name} from ${s.source}`);
      if (prepared.config)
        for (const { key, value } of sensitiveValues(prepared.config)) run.out.scrubber.add(value, `config ${key}`);
    } catch {
      run.out.warn(`${project}: its secrets do not resolve here, so they cannot be redacted from its log lines`);
    }
  }
}
