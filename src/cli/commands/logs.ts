/**
 * `tradeops logs [PROJECT] [-f] [-n N] [--since T] [--raw]`: the supervised services' logs, standard output and
 * standard error kept apart, pretty on a terminal, JSON lines with --raw, one JSON document (NDJSON with -f)
 * with --json.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { sensitiveValues } from "../../config/redact.js";
import { EXIT } from "../../errors.js";
import { prepareProcess } from "../../secrets/prepare.js";
import { followFiles } from "../../supervisor/log-follow.js";
import { tailLines } from "../../supervisor/logs.js";
import { resolveStateDir, stateLayout } from "../../supervisor/paths.js";
import { isInstanceOf } from "../../supervisor/types.js";
import { requireProject } from "../../workspace/lookup.js";
import { openFromRun } from "../context.js";
import { linesFlag, sinceFlag } from "../flags.js";
import type { CommandRun, Handler } from "../program.js";
import { createLogRenderer, type LogEntry, type LogFile, lineTime } from "../render/logs.js";

const DEFAULT_LINES = 50;
/** how long `logs` waits for secret sources (AWS, commands) before printing without their redaction */
const SECRETS_DEADLINE_MS = 3_000;

export const logsCommand: Handler = async (run) => {
  const ctx = openFromRun(run);
  const project = run.args[0];
  if (project) requireProject(ctx.workspace, project);
  const lines = linesFlag(run.opts.lines, DEFAULT_LINES);
  const since = sinceFlag(run.opts.since, Date.now());
  const layout = stateLayout(resolveStateDir(ctx.workspace.root, ctx.environment, run.io.env));
  const files = logFiles(layout.logsDir).filter((f) => !project || isInstanceOf(f.instance, project));
  await registerSecrets(run, ctx, [...new Set(files.map((f) => f.instance.split("@")[0]!))]);
  const render = createLogRenderer(run.out, {
    raw: Boolean(run.opts.raw),
    labels: new Set(files.map((f) => f.instance)).size > 1,
    width: Math.max(0, ...files.map((f) => f.instance.length)),
  });
  const entries = files.flatMap((file) => readEntries(file, lines, since));
  if (run.globals.json && !run.opts.follow) {
    run.out.json({ ok: true, environment: ctx.environment, directory: layout.logsDir, lines: entries });
    return EXIT.ok;
  }
  if (!files.length && !run.globals.json)
    run.out.info(`No logs yet for ${project ?? "any service"} in ${ctx.environment} (${layout.logsDir}).`);
  const emit = (entry: LogEntry) => (run.globals.json ? run.out.record(entry) : render(entry));
  for (const entry of entries) emit(entry);
  if (!run.opts.follow) return EXIT.ok;
  const byLabel = new Map(files.map((f) => [f.path, f]));
  const stop = followFiles(
    files.map((f) => ({ label: f.path, path: f.path })),
    (path, line) => {
      const file = byLabel.get(path)!;
      emit({ service: file.instance, stream: file.stream, line });
    },
  );
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

/** The live (not rotated) log files: `NAME.log` is standard output, `NAME.err.log` standard error. */
function logFiles(dir: string): LogFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.endsWith(".log") && !/\.\d{8}T\d{9}Z(-\d+)?\.log$/.test(name))
    .sort()
    .map((name) => {
      const err = name.endsWith(".err.log");
      return {
        instance: name.slice(0, err ? -8 : -4),
        stream: err ? ("err" as const) : ("out" as const),
        path: join(dir, name),
      };
    });
}

/** The last `count` lines of a file, those before `since` left out (a line without a time takes the last seen). */
function readEntries(file: LogFile, count: number, since: number | undefined): LogEntry[] {
  const out: LogEntry[] = [];
  let at = Number.NEGATIVE_INFINITY;
  for (const line of tailLines(file.path, since === undefined ? count : Number.MAX_SAFE_INTEGER)) {
    at = lineTime(line) ?? at;
    if (since === undefined || at >= since) out.push({ service: file.instance, stream: file.stream, line });
  }
  return since === undefined ? out : out.slice(-count);
}

/**
 * A service that logs its own secret must not have it printed again: resolve them and scrub (best effort). The
 * warning comes once, and only for projects that declare secrets which did not resolve.
 */
async function registerSecrets(
  run: CommandRun,
  ctx: ReturnType<typeof openFromRun>,
  projects: string[],
): Promise<void> {
  const unredacted: string[] = [];
  await Promise.all(
    projects.map(async (project) => {
      if (!Object.hasOwn(ctx.workspace.projects, project)) return;
      const work = prepareProcess({ workspace: ctx.workspace, project, environment: ctx.environment, env: run.io.env });
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("secret sources too slow")), SECRETS_DEADLINE_MS);
      });
      try {
        const prepared = await Promise.race([work, late]);
        for (const s of prepared.secrets.values()) run.out.scrubber.add(s.reveal(), `${s.name} from ${s.source}`);
        if (prepared.config)
          for (const { key, value } of sensitiveValues(prepared.config)) run.out.scrubber.add(value, `config ${key}`);
      } catch {
        if (Object.keys(ctx.workspace.projects[project]!.secrets).length) unredacted.push(project);
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  if (unredacted.length)
    run.out.warn(
      `the secrets of ${unredacted.sort().join(", ")} do not resolve here, so their values cannot be redacted from these lines`,
    );
}
