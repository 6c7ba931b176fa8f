import { EXIT, TroError } from "../../errors.js";
import { createLogger } from "../../logging/logger.js";
import { runTradingNode } from "../../node/node.js";
import { isStandby, standBy } from "../../node/standby.js";
import { createStartTimeline, formatTimeline } from "../../node/start-timeline.js";
import type { ExecutionMode } from "../../runtime/types.js";
import { openFromRun } from "../context.js";
import { portFlag } from "../flags.js";
import type { Handler } from "../program.js";

/**
 * What a warm spare loads before it says it is ready: the modules the node would load after its bind, and its config
 * and strategy once, to warm their compiler and caches (both are read afresh after "go", so never stale; an error here
 * is left for the real start to report).
 */
function standbyPreload(run: Parameters<Handler>[0]) {
  return [
    () => import("../../server/host.js"),
    () => import("better-sqlite3"),
    async () => {
      try {
        const ctx = openFromRun(run);
        const { prepareProject } = await import("../../runtime/runner.js");
        await prepareProject({
          workspace: ctx.workspace,
          project: run.args[0]!,
          environment: ctx.environment,
          env: run.io.env,
        });
      } catch {
        // the start after "go" reads them again and reports what is wrong
      }
    },
  ];
}

/** `tradeops serve PROJECT`: the trading node in this process, until its feed ends or a signal stops it. */
export const serveCommand: Handler = async (run) => {
  // the supervisor and deploys hand a release its colour's port as PORT
  const port = portFlag(run.opts.port ?? run.io.env.PORT, { allowAny: true });
  const speed = parseNumber(run.opts.speed as string | undefined, "--speed");
  // a warm spare of the supervisor (health.warmSpare) waits here, with the node's code loaded, until it is told to go
  if (isStandby(run.io.env) && !(await standBy(standbyPreload(run)))) return EXIT.ok;
  // the timeline starts at the process's start: boot is node and the CLI loading, manifest the workspace
  const timeline = createStartTimeline();
  timeline.record("boot", performance.now());
  const ctx = timeline.time("manifest", () => openFromRun(run));
  const log = createLogger({
    level: ctx.workspace.settings[ctx.environment]?.logLevel ?? "info",
    destination: run.io.stderr as NodeJS.WritableStream & { isTTY?: boolean },
    scrubber: run.out.scrubber,
  });
  const summary = await runTradingNode({
    workspace: ctx.workspace,
    environment: ctx.environment,
    project: run.args[0]!,
    env: run.io.env,
    log,
    mode: run.opts.mode as ExecutionMode | undefined,
    data: run.opts.data as string | undefined,
    port,
    speed,
    scrubber: run.out.scrubber,
    detection: { source: ctx.detection.source, detail: ctx.detection.detail },
    timeline,
    onReady: (t) => {
      if (run.globals.verbose) for (const line of formatTimeline(t.phases)) run.out.line(line);
    },
  });
  if (run.globals.json) {
    run.out.json({
      ok: true,
      project: run.args[0],
      mode: summary.mode,
      ...summary.result,
      permit: summary.permit,
      startTimeline: timeline.toRecord(),
    });
  }
  return EXIT.ok;
};

function parseNumber(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!(text.trim() !== "" && n > 0 && Number.isFinite(n))) {
    throw new TroError("TRO_ERR_USAGE", `${flag} ${text} is not a number above 0.`, {
      hint: "For example --speed 86400 (a day per second).",
    });
  }
  return n;
}
