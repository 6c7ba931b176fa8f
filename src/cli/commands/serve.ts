import { wireRun } from "../../adapters/factory.js";
import { EXIT, TroError } from "../../errors.js";
import { createServiceMetrics } from "../../health/metrics.js";
import { createHealthRegistry } from "../../health/registry.js";
import { createLogger, type Logger } from "../../logging/logger.js";
import { resolveControlToken } from "../../runtime/control-token.js";
import { nodeIdleProbe } from "../../runtime/idle-probe.js";
import { describeAccount } from "../../runtime/plan.js";
import { planFor, prepareProject } from "../../runtime/runner.js";
import { createStrategyService } from "../../runtime/service.js";
import { openServiceRecords, runSummary } from "../../runtime/service-records.js";
import type { ExecutionMode } from "../../runtime/types.js";
import { createServiceHost } from "../../server/host.js";
import { leaseReader, observeFeed, portfolioSource, tradingSample } from "../../server/portfolio-source.js";
import { openFromRun } from "../context.js";
import { portFlag } from "../flags.js";
import type { CommandRun, Handler } from "../program.js";

export const serveCommand: Handler = async (run) => {
  // the supervisor and deploys hand a release its colour's port as PORT
  const port = portFlag(run.opts.port ?? run.io.env.PORT, { allowAny: true });
  const speed = parseNumber(
    run.opts.speed as string | undefined,
    "--speed",
    Number.MIN_VALUE,
    Number.POSITIVE_INFINITY,
  );
  const ctx = openFromRun(run);
  const prepared = await prepareProject({
    workspace: ctx.workspace,
    project: run.args[0]!,
    environment: ctx.environment,
    env: run.io.env,
  });
  const plan = planFor(prepared, "serve", {
    mode: run.opts.mode as ExecutionMode | undefined,
    data: run.opts.data as string | undefined,
  });
  const log = createLogger({
    level: prepared.envSettings.logLevel,
    destination: run.io.stderr as NodeJS.WritableStream & { isTTY?: boolean },
    scrubber: run.out.scrubber,
  });
  log.info(
    {
      environment: ctx.environment,
      decidedBy: ctx.detection.source,
      detection: ctx.detection.detail,
      mode: plan.mode,
      modeFrom: plan.modeFrom,
      account: describeAccount(prepared, plan),
      venue: plan.venue,
      data: plan.notes.find((n) => n.startsWith("data: "))?.slice(6),
      autoExecute: plan.autoExecute,
      idlePause: plan.idlePause,
      port: port ?? prepared.project.port ?? 0,
      config: prepared.config.hash.slice(0, 12),
    },
    `starting ${prepared.project.name} in ${ctx.environment}: ${plan.mode} mode`,
  );
  for (const note of plan.notes) (note.startsWith("LIVE") ? log.warn.bind(log) : log.info.bind(log))({}, note);

  const abort = new AbortController();
  const wiring = wireRun({ workspace: ctx.workspace, prepared, plan, env: run.io.env, signal: abort.signal, speed });
  const records = await openServiceRecords({ workspace: ctx.workspace, prepared, plan, env: run.io.env, log });
  try {
    return await runService(run, {
      ctx,
      prepared,
      plan,
      port: port ?? prepared.project.port ?? 0,
      log,
      abort,
      wiring,
      records,
    });
  } finally {
    await records.close();
  }
};

interface ServiceParts {
  readonly ctx: ReturnType<typeof openFromRun>;
  readonly prepared: Awaited<ReturnType<typeof prepareProject>>;
  readonly plan: ReturnType<typeof planFor>;
  readonly port: number;
  readonly log: Logger;
  readonly abort: AbortController;
  readonly wiring: ReturnType<typeof wireRun>;
  readonly records: Awaited<ReturnType<typeof openServiceRecords>>;
}

/** The host on the port, the strategy service behind it, until the feed ends or a signal stops it. */
async function runService(run: CommandRun, parts: ServiceParts): Promise<number> {
  const { ctx, prepared, plan, port, log, abort, wiring, records } = parts;
  const metrics = createServiceMetrics({ service: prepared.project.name, executionMode: plan.mode });
  const feed = observeFeed(wiring.feed);
  const service = createStrategyService({
    prepared,
    plan,
    root: ctx.workspace.root,
    venue: wiring.venue,
    feed: feed.feed,
    sink: records.sink,
    runId: Date.now().toString(36),
    log,
    signal: abort.signal,
    metrics,
    ...(records.recorder ? { store: records.recorder } : {}),
    ...(plan.idlePause ? { idleProbe: nodeIdleProbe() } : {}),
  });
  metrics.attachTrading(tradingSample(() => service.kernel, leaseReader(run.io.env, prepared.project.name)));
  const registry = createHealthRegistry();
  for (const component of [...service.components, ...records.components]) registry.register(component);
  const host = createServiceHost({
    service: prepared.project.name,
    executionMode: plan.mode,
    registry,
    metrics,
    logger: log,
    port,
    controls: {
      halt: ({ reason }) => service.halt(reason, "control:http"),
      resume: () => service.resume("control:http"),
      state: () => service.tradingState(),
    },
    portfolio: portfolioSource(() => service.kernel, feed),
    controlToken: await controlTokenFor(ctx.workspace, prepared, run.io.env, run.out.scrubber, log),
    paths: { level1: prepared.project.health.path, level2: prepared.project.health.detailedPath },
    drainHooks: [
      { name: "stop-trading", run: () => stopTrading(abort, service.done) },
      { name: "flush-signals", run: () => records.sink.flush?.() },
    ],
  });
  const removeSignals = host.handleSignals();
  const { url } = await host.start();
  log.info({ url }, `health on ${url}${prepared.project.health.path}`);
  try {
    await service.start();
    const summary = await Promise.race([service.done, host.closed.then(() => undefined)]);
    await host.shutdown(summary ? `the feed ended after ${summary.bars} bars` : "stopped");
    const result = runSummary(service.kernel, summary?.bars);
    log.info(result, "stopped trading");
    if (run.globals.json) run.out.json({ ok: true, project: prepared.project.name, mode: plan.mode, ...result });
    return EXIT.ok;
  } finally {
    await host.shutdown("start failed");
    removeSignals();
  }
}

async function controlTokenFor(
  workspace: Parameters<typeof resolveControlToken>[0]["workspace"],
  prepared: Parameters<typeof resolveControlToken>[0]["prepared"],
  env: Readonly<Record<string, string | undefined>>,
  scrubber: { add(value: string, label: string): void },
  log: Logger,
) {
  const token = await resolveControlToken({ workspace, prepared, env }).catch((error: Error) => {
    log.warn({ error: error.message }, "no control token: the control routes refuse every caller");
    return undefined;
  });
  if (token) scrubber.add(token.reveal(), "control token");
  else
    log.warn(
      {},
      "no control token (TRADEOPS_CONTROL_TOKEN or the CONTROL_TOKEN secret): use `tradeops halt`, which also writes the kill-switch file",
    );
  return token;
}

async function stopTrading(abort: AbortController, done: Promise<unknown>): Promise<void> {
  abort.abort();
  await done.catch(() => undefined);
}

function parseNumber(text: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  const whole = flag !== "--port" || Number.isInteger(n);
  if (!(text.trim() !== "" && whole && n >= min && n <= max)) {
    const range = Number.isFinite(max) ? `from ${min} to ${max}` : "above 0";
    throw new TroError("TRO_ERR_USAGE", `${flag} ${text} is not a number ${range}.`, {
      hint:
        flag === "--port"
          ? "For example --port 8000 (0: any free port)."
          : "For example --speed 86400 (a day per second).",
    });
  }
  return n;
}
