import { closeSync, openSync, writeSync } from "node:fs";
import { resolve } from "node:path";
import { EXIT, TroError } from "../../errors.js";
import { appendAnchors, currentAnchors, parseExpectHead, readAnchorsFile } from "../../signals/anchors.js";
import { CSV_HEADER, parseTimeBound, recordToCsv, recordToJsonLine, recordToText } from "../../signals/export.js";
import { followRecords, tailRecords } from "../../signals/follow.js";
import { appendSignalLines, NDJSON_MAX_BYTES } from "../../signals/ndjson.js";
import { openSignalStoreAt, signalStoreLocation } from "../../signals/open.js";
import type { Anchor, ChainVerification, SignalStore } from "../../signals/types.js";
import { requireProject } from "../../workspace/lookup.js";
import { openFromRun } from "../context.js";
import { linesFlag } from "../flags.js";
import type { CommandRun, Handler } from "../program.js";

/** Opens the environment's store for a command; a missing store is an error, never created by a reader. */
async function openStore(run: CommandRun, readOnly: boolean) {
  const ctx = openFromRun(run);
  const project = run.args[0];
  if (project) requireProject(ctx.workspace, project);
  const location = signalStoreLocation(ctx.workspace, ctx.environment, run.io.env);
  if (location.backend === "postgres")
    for (const s of location.secrets) run.out.scrubber.add(s, "signal store password");
  const store = await openSignalStoreAt(location, { environment: ctx.environment, readOnly, create: false });
  return { ctx, project, store, settings: ctx.workspace.settings[ctx.environment]! };
}

async function using<T>(store: SignalStore, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } finally {
    await store.close();
  }
}

function describeChain(c: ChainVerification): string {
  if (!c.records) return `${c.environment}/${c.project}  no records`;
  const range = `${c.records.toLocaleString("en-US")} record${c.records === 1 ? "" : "s"} (${c.firstSeq}–${c.lastSeq})`;
  const cut = c.checkpoint ? `, pruned through ${c.checkpoint.throughSeq} (checkpoint ${c.checkpoint.seq})` : "";
  return `${c.environment}/${c.project}  ${range}${cut}, head ${c.head?.hash.slice(0, 12) ?? "none"}`;
}

export const signalsVerifyCommand: Handler = async (run) => {
  const { store, project, ctx } = await openStore(run, true);
  const anchors: Anchor[] = [];
  if (run.opts.expectHead) {
    const only = project ?? (await store.chains()).map((k) => k.project);
    if (Array.isArray(only) && only.length !== 1)
      throw new TroError("TRO_ERR_USAGE", "--expect-head needs the project whose head it is.", {
        hint: "tradeops signals verify PROJECT --expect-head SEQ:HASH",
      });
    anchors.push(parseExpectHead(String(run.opts.expectHead), Array.isArray(only) ? only[0]! : only));
  }
  if (run.opts.anchors)
    anchors.push(
      ...readAnchorsFile(
        resolve(run.io.cwd, String(run.opts.anchors)),
        String(run.opts.anchors),
        ctx.environment,
      ).filter((a) => !project || a.project === project),
    );
  const report = await using(store, () => store.verify({ project, anchors }));
  const broken = report.chains.filter((c) => !c.ok);
  if (run.globals.json) {
    run.out.json({ ...report, store: store.location });
    return report.ok ? EXIT.ok : EXIT.failed;
  }
  const c = run.out.colors;
  for (const chain of report.chains) {
    run.out.line(`${chain.ok ? c.green("✔") : c.red("✘")} ${describeChain(chain)}`);
    if (chain.firstBad)
      run.out.line(`    first bad record: ${chain.firstBad.seq} (${chain.firstBad.reason}): ${chain.firstBad.detail}`);
  }
  for (const a of report.anchors.filter((x) => x.ok))
    run.out.line(`${c.green("✔")} anchor ${a.project} ${a.seq}:${a.hash.slice(0, 12)} matches`);
  for (const f of report.integrity)
    run.out.line(`${c.red("✘")} ${f.project ? `${report.environment}/${f.project} ` : ""}${f.reason}: ${f.detail}`);
  if (!report.chains.length && !report.integrity.length)
    run.out.line(`no signal records in ${report.environment} yet (${store.location})`);
  if (!broken.length && report.integrity.length) {
    const f = report.integrity[0]!;
    run.out.error(`${c.red("error:")} the signal store fails its integrity check: ${f.reason}: ${f.detail}.`);
    run.out.error(
      "  → Treat the store as tampered with: keep a copy, compare with backups, exports and saved anchors, find who had write access.",
    );
    return EXIT.failed;
  }
  if (!broken.length) return EXIT.ok;
  const first = broken[0]!;
  const name = `${first.environment}/${first.project}`;
  const what =
    broken.length === 1
      ? `the signal chain ${name} is broken`
      : `${broken.length} signal chains are broken, first ${name}`;
  run.out.error(`${c.red("error:")} ${what} at record ${first.firstBad?.seq} (${first.firstBad?.reason}).`);
  run.out.error(
    "  → Treat the store as tampered with: keep a copy, compare with backups or exports, find who had write access.",
  );
  return EXIT.failed;
};

export const signalsTailCommand: Handler = async (run) => {
  const lines = linesFlag(run.opts.lines, 10);
  const { store, project } = await openStore(run, true);
  // with --json: one document, or with -f one record per line (NDJSON)
  const print = (records: readonly Parameters<typeof recordToText>[0][]) => {
    for (const r of records) run.globals.json ? run.out.data(recordToJsonLine(r)) : run.out.line(recordToText(r));
  };
  return using(store, async () => {
    const shown = await tailRecords(store, { project, lines });
    if (run.globals.json && !run.opts.follow) {
      run.out.json({ ok: true, records: shown.map((r) => JSON.parse(recordToJsonLine(r))) });
      return EXIT.ok;
    }
    print(shown);
    if (!run.opts.follow) return EXIT.ok;
    const after = new Map<string, number>();
    for (const key of project ? [{ project }] : await store.chains())
      after.set(key.project, (await store.head(key.project))?.seq ?? 0);
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      for await (const batch of followRecords(store, { project, after, signal: stop.signal })) print(batch);
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
    return EXIT.ok;
  });
};

export const signalsExportCommand: Handler = async (run) => {
  const fromTime = run.opts.from ? parseTimeBound(String(run.opts.from), "from") : undefined;
  const toTime = run.opts.to ? parseTimeBound(String(run.opts.to), "to") : undefined;
  const csv = run.opts.format === "csv";
  const { store, project } = await openStore(run, true);
  return using(store, async () => {
    const output = run.opts.output ? resolve(run.io.cwd, String(run.opts.output)) : undefined;
    const fd = output ? openSync(output, "w") : undefined;
    const emit = (text: string) => (fd === undefined ? run.out.data(text) : writeSync(fd, `${text}\n`));
    let count = 0;
    try {
      if (csv) emit(CSV_HEADER);
      const keys = project ? [{ project }] : await store.chains();
      for (const key of keys)
        for await (const page of store.read({ project: key.project, fromTime, toTime }))
          for (const r of page) {
            emit(csv ? recordToCsv(r) : recordToJsonLine(r));
            count++;
          }
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    if (output) run.out.info(`wrote ${count} record${count === 1 ? "" : "s"} to ${run.opts.output}`);
    return EXIT.ok;
  });
};

export const signalsPruneCommand: Handler = async (run) => {
  const dryRun = Boolean(run.opts.dryRun);
  const { store, project, settings } = await openStore(run, dryRun);
  const retentionDays = settings.signals.retentionDays;
  const results = await using(store, () => store.prune({ retentionDays, project, dryRun }));
  if (run.globals.json) {
    run.out.json({
      ok: true,
      environment: store.environment,
      store: store.location,
      retentionDays,
      dryRun,
      chains: results,
    });
    return EXIT.ok;
  }
  for (const r of results) {
    const chain = `${r.environment}/${r.project}`;
    if (!r.deleted) run.out.line(`${chain}: nothing older than ${r.cutoff} (retention ${retentionDays} days)`);
    else
      run.out.line(
        `${chain}: ${dryRun ? "would prune" : "pruned"} ${r.deleted} record${r.deleted === 1 ? "" : "s"} (${r.firstSeq}–${r.throughSeq}, older than ${r.cutoff})${r.checkpointSeq ? `; checkpoint at ${r.checkpointSeq}` : ""}`,
      );
  }
  if (!results.length) run.out.line(`no signal records in ${store.environment} (${store.location})`);
  return EXIT.ok;
};

export const signalsAnchorCommand: Handler = async (run) => {
  const { store, project } = await openStore(run, true);
  const lines = await using(store, () => currentAnchors(store, project));
  if (run.opts.append) appendAnchors(resolve(run.io.cwd, String(run.opts.append)), lines);
  if (run.globals.json) {
    run.out.json({
      ok: true,
      environment: store.environment,
      anchors: lines.map((l) => {
        const [chain, value] = l.split(" ");
        const [seq, hash] = value!.split(":");
        return { chain, project: chain!.split("/")[1], seq: Number(seq), hash };
      }),
      appendedTo: run.opts.append ?? null,
    });
    return EXIT.ok;
  }
  for (const line of lines) run.out.line(line);
  if (!lines.length) run.out.line(`no signal records in ${store.environment} yet (${store.location})`);
  else if (run.opts.append)
    run.out.info(`appended ${lines.length} anchor${lines.length === 1 ? "" : "s"} to ${run.opts.append}`);
  return EXIT.ok;
};

async function readInput(run: CommandRun): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of run.io.stdin ?? []) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk);
    size += buffer.length;
    if (size > NDJSON_MAX_BYTES)
      throw new TroError("TRO_ERR_USAGE", `Standard input holds more than ${NDJSON_MAX_BYTES} bytes of records.`, {
        hint: "Append in several batches.",
      });
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export const signalsAppendCommand: Handler = async (run) => {
  const ctx = openFromRun(run);
  const project = requireProject(ctx.workspace, run.args[0]!).name;
  const text = await readInput(run);
  const location = signalStoreLocation(ctx.workspace, ctx.environment, run.io.env);
  if (location.backend === "postgres")
    for (const s of location.secrets) run.out.scrubber.add(s, "signal store password");
  const store = await openSignalStoreAt(location, { environment: ctx.environment });
  const result = await using(store, () => appendSignalLines(store, project, text));
  if (run.globals.json) run.out.json({ ok: true, store: store.location, ...result });
  else if (!result.appended)
    run.out.line(`no records on standard input; nothing appended to ${ctx.environment}/${project}`);
  else
    run.out.line(
      `appended ${result.appended} record${result.appended === 1 ? "" : "s"} to ${result.environment}/${project} (seq ${result.firstSeq}–${result.lastSeq}, head ${result.head!.slice(0, 12)})`,
    );
  return EXIT.ok;
};
