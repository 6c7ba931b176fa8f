/**
 * Backtest requests from the console, queued and run one at a time by the same runner as the CLI: each is a
 * `tradeops backtest` child process (a backtest is a CPU-bound loop; in the console's process it would stall
 * every other request). Progress comes from its progress lines; the report is the file it writes.
 */
import { spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { TroError } from "../../errors.js";

/** Requests waiting beyond the running one; more are refused as busy. */
export const MAX_QUEUED = 8;
/** Finished jobs remembered (their report files stay on disk). */
export const KEEP_FINISHED = 50;

export interface BacktestRequest {
  readonly project: string;
  readonly from?: string;
  readonly to?: string;
  readonly data?: string;
  readonly initialCash?: number;
}

export type JobStatus = "queued" | "running" | "succeeded" | "failed";

export interface BacktestJob {
  readonly id: string;
  readonly request: BacktestRequest;
  status: JobStatus;
  readonly createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** 0…1 */
  progress: number;
  bars: { done: number; total: number } | null;
  /** the report's summary once it succeeded */
  summary: Record<string, unknown> | null;
  reportUrl: string | null;
  error: string | null;
}

export interface BacktestQueueOptions {
  /** argv that runs the CLI, e.g. [process.execPath, "…/bin/tradeops.js"] */
  readonly cli: readonly string[];
  readonly workspaceRoot: string;
  readonly environment: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** where report files go */
  readonly dir: string;
  readonly now?: () => Date;
}

export interface BacktestQueue {
  submit(request: BacktestRequest): BacktestJob;
  get(id: string): BacktestJob | undefined;
  list(): BacktestJob[];
  /** the HTML report of a finished job */
  reportPath(id: string): string | undefined;
  /** job changes: `(job) => …` on every progress step and status change */
  readonly events: EventEmitter;
  /** stops the running job (SIGTERM) and forgets the queue */
  close(): void;
}

const PROGRESS = /backtest: (\d+)\/(\d+) bars/;

export function createBacktestQueue(o: BacktestQueueOptions): BacktestQueue {
  const now = o.now ?? (() => new Date());
  const jobs: BacktestJob[] = [];
  const events = new EventEmitter();
  events.setMaxListeners(0);
  let running: ReturnType<typeof spawn> | undefined;
  let seq = 0;

  const emit = (job: BacktestJob) => events.emit("job", job);
  const htmlOf = (id: string) => join(o.dir, `${id}.html`);

  const next = () => {
    if (running) return;
    const job = jobs.find((j) => j.status === "queued");
    if (!job) return;
    job.status = "running";
    job.startedAt = now().toISOString();
    emit(job);
    const r = job.request;
    const args = [
      ...o.cli.slice(1),
      "--workspace",
      o.workspaceRoot,
      "--env",
      o.environment,
      "backtest",
      r.project,
      "--report",
      htmlOf(job.id),
      ...(r.data ? ["--data", r.data] : []),
      ...(r.from ? ["--from", r.from] : []),
      ...(r.to ? ["--to", r.to] : []),
      ...(r.initialCash !== undefined ? ["--initial-cash", String(r.initialCash)] : []),
    ];
    const child = spawn(o.cli[0]!, args, { env: { ...o.env, NO_COLOR: "1" }, stdio: ["ignore", "ignore", "pipe"] });
    running = child;
    let err = "";
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (text: string) => {
      err = (err + text).slice(-4000);
      for (const line of text.split("\n")) {
        const m = PROGRESS.exec(line);
        if (!m) continue;
        const done = Number(m[1]);
        const total = Number(m[2]);
        job.bars = { done, total };
        job.progress = total ? done / total : 1;
        emit(job);
      }
    });
    const finish = (code: number | null) => {
      running = undefined;
      job.finishedAt = now().toISOString();
      const json = join(o.dir, `${job.id}.json`);
      if (code === 0 && existsSync(json)) {
        const report = JSON.parse(readFileSync(json, "utf8")) as { summary?: Record<string, unknown> };
        job.status = "succeeded";
        job.progress = 1;
        job.summary = report.summary ?? null;
        job.reportUrl = `/reports/${job.id}.html`;
      } else {
        job.status = "failed";
        job.error = lastError(err) ?? `the backtest exited with code ${code}`;
      }
      emit(job);
      const finished = jobs.filter((j) => j.status === "succeeded" || j.status === "failed");
      for (const old of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED)))
        jobs.splice(jobs.indexOf(old), 1);
      next();
    };
    child.on("error", () => finish(null));
    child.on("exit", (code) => finish(code));
  };

  return {
    events,
    submit(request) {
      if (jobs.filter((j) => j.status === "queued").length >= MAX_QUEUED) {
        throw new TroError("TRO_ERR_QUEUE_FULL", `${MAX_QUEUED} backtests are already waiting.`, {
          hint: "Wait for one to finish, then ask again.",
        });
      }
      const at = now();
      const job: BacktestJob = {
        id: `${at
          .toISOString()
          .replace(/[-:.TZ]/g, "")
          .slice(0, 14)}-${++seq}`,
        request,
        status: "queued",
        createdAt: at.toISOString(),
        startedAt: null,
        finishedAt: null,
        progress: 0,
        bars: null,
        summary: null,
        reportUrl: null,
        error: null,
      };
      jobs.push(job);
      emit(job);
      next();
      return job;
    },
    get: (id) => jobs.find((j) => j.id === id),
    list: () => [...jobs].reverse(),
    reportPath(id) {
      const job = jobs.find((j) => j.id === id);
      return job?.status === "succeeded" ? htmlOf(id) : undefined;
    },
    close() {
      for (const j of jobs) if (j.status === "queued") j.status = "failed";
      running?.kill("SIGTERM");
    },
  };
}

/** The CLI's error sentence (`error: …`), without colours. */
function lastError(stderr: string): string | undefined {
  const lines = stderr.split("\n").filter((l) => /error/i.test(l));
  return (
    lines
      .at(-1)
      ?.replace(/^\s*error:\s*/i, "")
      .trim() || undefined
  );
}
