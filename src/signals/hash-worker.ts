/** Verify's hashing thread: scans the pages it is sent, in order, while the main thread reads the next ones. */
import { parentPort } from "node:worker_threads";
import { newScanState, type ScanState, scanPage } from "./scan.js";
import type { ScanMessage } from "./scanner.js";

let state: ScanState = newScanState();
parentPort!.on("message", (message: ScanMessage) => {
  if (message.type === "start") state = newScanState();
  else if (message.type === "page") {
    scanPage(message.rows, state);
    parentPort!.postMessage({ type: "scanned" });
  } else parentPort!.postMessage({ type: "state", state });
});
