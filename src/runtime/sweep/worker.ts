/**
 * A sweep's worker thread: loads the strategy once (from the parent's compiled-module cache), reads the bars the
 * parent shares, then runs the batches of parameter sets it is sent and returns their metrics with its CPU time.
 */
import { parentPort, workerData } from "node:worker_threads";
import { useModuleCache } from "../../workspace/module-cache.js";
import { loadStrategy } from "../load-strategy.js";
import { evaluateSet } from "./evaluate.js";
import type { WorkerBatch, WorkerInit, WorkerReady, WorkerReply } from "./pool.js";
import { threadCpuMs } from "./thread-cpu.js";

const init = workerData as WorkerInit;
useModuleCache(init.moduleCache || undefined);
const { strategy } = await loadStrategy(init.projectDir, init.root);
const ctx = { ...init, strategy };
parentPort!.on("message", ({ jobs }: WorkerBatch) => {
  const wall = performance.now();
  const cpu = threadCpuMs();
  const results = jobs.map((job) => evaluateSet(ctx, job.index, job.params));
  const after = threadCpuMs();
  const reply: WorkerReply = {
    results,
    cpuMs: cpu === null || after === null ? null : after - cpu,
    wallMs: performance.now() - wall,
  };
  parentPort!.postMessage(reply);
});
parentPort!.postMessage({ ready: true, cpuMs: threadCpuMs() } satisfies WorkerReady);
