/** A sweep's worker thread: loads the strategy once, then runs the parameter sets it is sent, one at a time. */
import { parentPort, workerData } from "node:worker_threads";
import { loadStrategy } from "../load-strategy.js";
import { evaluateSet } from "./evaluate.js";
import type { WorkerInit, WorkerJob } from "./run.js";

const init = workerData as WorkerInit;
const { strategy } = await loadStrategy(init.projectDir, init.root);
const ctx = { ...init, strategy };
parentPort!.on("message", (job: WorkerJob) => {
  parentPort!.postMessage(evaluateSet(ctx, job.index, job.params));
});
parentPort!.postMessage({ ready: true });
