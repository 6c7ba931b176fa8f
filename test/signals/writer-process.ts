/**
 * A real writer process for crash and concurrency tests: appends batches to one chain and reports each one.
 * Usage (through jiti): node --import jiti/register writer-process.ts  (settings in TRO_WRITER as JSON)
 * Prints `ready` once the store is open, `begin N` before batch N and `committed N SEQ` after it, on stdout (synchronous on pipes).
 */
import { openSignalStoreAt, type StoreLocation } from "../../src/signals/index.js";

interface WriterSettings {
  readonly location: StoreLocation;
  readonly project: string;
  readonly writer: string;
  readonly batch: number;
  /** 0: until killed */
  readonly batches: number;
  /** wait for a line on stdin before the first batch (to start several writers at the same moment) */
  readonly waitForGo?: boolean;
}

const settings = JSON.parse(process.env.TRO_WRITER ?? "{}") as WriterSettings;
const store = await openSignalStoreAt(settings.location, { environment: "production" });
process.stdout.write("ready\n");
if (settings.waitForGo) {
  await new Promise((resolve) => process.stdin.once("data", resolve));
  process.stdin.destroy();
}
for (let n = 1; settings.batches === 0 || n <= settings.batches; n++) {
  const records = Array.from({ length: settings.batch }, (_, i) => ({
    project: settings.project,
    kind: "signal" as const,
    strategy: settings.writer,
    payload: { writer: settings.writer, batch: n, i, price: 100 + i / 100 },
  }));
  process.stdout.write(`begin ${n}\n`);
  const stored = await store.append(records);
  process.stdout.write(`committed ${n} ${stored[stored.length - 1]!.seq}\n`);
}
await store.close();
