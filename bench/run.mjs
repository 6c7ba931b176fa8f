// Runs the benchmarks in bench/ (`npm run bench`, or `npm run bench -- cold-start` for those whose name
// contains the filter), prints a summary, writes each benchmark's result to its own bench/results/<name>.json (a
// filtered run replaces only the files of the benchmarks it ran) and the whole run to bench/results/latest.json.
// `npm run bench:figures` regenerates the figures table of bench/README.md from the per-benchmark files.
//
// Benchmarks document speed; they do not gate. A missed target prints MISSED and the run still exits 0.
// A benchmark that cannot measure (it throws: the command under test failed, a dependency is missing)
// prints ERROR and the run exits 1, because its numbers would mean nothing.
//
// Each bench/*.bench.mjs exports `async function run({ log })` and returns
// `{ name, target, baseline, measured, ratio?, difference?, unit?, pass, details }` (see bench/README.md).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const benchDir = fileURLToPath(new URL(".", import.meta.url));
const root = join(benchDir, "..");
const resultsDir = join(benchDir, "results");
const SUFFIX = ".bench.mjs";

const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h")) {
  console.log(
    "usage: npm run bench [-- FILTER...]\n  runs bench/*.bench.mjs whose name contains any FILTER (all if none)",
  );
  process.exit(0);
}
const filters = args.filter((a) => !a.startsWith("-"));

ensureBuilt();

const all = readdirSync(benchDir)
  .filter((f) => f.endsWith(SUFFIX))
  .sort();
const selected = all.filter((f) => filters.length === 0 || filters.some((x) => basename(f, SUFFIX).includes(x)));
if (selected.length === 0) {
  console.error(`no benchmark matches ${filters.map((f) => `"${f}"`).join(", ") || "(none found)"}`);
  console.error(`available: ${all.map((f) => basename(f, SUFFIX)).join(", ") || "none"}`);
  process.exit(1);
}

const loadBefore = loadavg().map((n) => Math.round(n * 100) / 100);
if (loadBefore[0] >= cpus().length * 0.5) {
  process.stderr.write(
    `warning: load average ${loadBefore[0]} on ${cpus().length} CPUs: other work is running, expect noisy figures\n`,
  );
}
const results = [];
for (const file of selected) {
  const id = basename(file, SUFFIX);
  const log = (message) => process.stderr.write(`[${id}] ${message}\n`);
  log("running");
  const started = process.hrtime.bigint();
  try {
    const mod = await import(pathToFileURL(join(benchDir, file)).href);
    if (typeof mod.run !== "function") throw new Error(`${file} does not export run({ log })`);
    const before = loadavg().map((n) => Math.round(n * 100) / 100);
    const result = await mod.run({ log });
    const entry = { file, ...result, seconds: seconds(started) };
    results.push(entry);
    writeOwnResult(id, entry, before);
  } catch (error) {
    log(`ERROR: ${error?.stack ?? error}`);
    results.push({ file, name: id, pass: false, error: String(error?.message ?? error), seconds: seconds(started) });
  }
}

printSummary(results);

mkdirSync(resultsDir, { recursive: true });
const report = {
  date: new Date().toISOString(),
  commit: gitDescribe(),
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? "unknown",
  memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  // a shared 2-vCPU machine: a load average near or above the CPU count means the figures are noisy
  loadavg: { before: loadBefore, after: loadavg().map((n) => Math.round(n * 100) / 100) },
  filters,
  results,
};
const out = join(resultsDir, "latest.json");
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nresults: ${out}`);
console.log(
  `load average (1 min) before/after: ${report.loadavg.before[0]} / ${report.loadavg.after[0]} on ${report.cpus} CPUs`,
);

const errors = results.filter((r) => r.error);
const missed = results.filter((r) => !r.error && !r.pass);
if (missed.length)
  console.log(`MISSED: ${missed.map((r) => r.name).join(", ")} (benchmarks document, they do not gate)`);
if (errors.length) {
  console.log(`ERROR: ${errors.map((r) => r.name).join(", ")} could not be measured`);
  process.exit(1);
}

/** One benchmark's result with the machine, commit and load it was measured at, in bench/results/<id>.json. */
function writeOwnResult(id, result, loadBefore) {
  mkdirSync(resultsDir, { recursive: true });
  const own = {
    date: new Date().toISOString(),
    commit: gitDescribe(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    extraCaCerts: Boolean(process.env.NODE_EXTRA_CA_CERTS),
    loadavg: { before: loadBefore, after: loadavg().map((n) => Math.round(n * 100) / 100) },
    result,
  };
  writeFileSync(join(resultsDir, `${id}.json`), `${JSON.stringify(own, null, 2)}\n`);
}

function ensureBuilt() {
  const cli = join(root, "dist", "cli.js");
  if (!existsSync(cli)) {
    process.stderr.write("dist/cli.js is missing: building with `node scripts/build.mjs`\n");
    const build = spawnSync(process.execPath, ["scripts/build.mjs"], { cwd: root, stdio: "inherit" });
    if (build.status !== 0) {
      console.error(`build failed (exit ${build.status ?? build.signal}); cannot benchmark`);
      process.exit(1);
    }
    return;
  }
  const built = statSync(cli).mtimeMs;
  const newer = newestIn(join(root, "src"));
  if (newer && newer.mtimeMs > built) {
    process.stderr.write(
      `warning: ${newer.path.slice(root.length + 1)} is newer than dist/cli.js; ` +
        "the benchmark measures the old build (run `npm run build` first)\n",
    );
  }
}

/** The commit measured, with "+dirty" when the working tree differs from it; "unknown" outside git. */
function gitDescribe() {
  const git = (...a) => spawnSync("git", a, { cwd: root, encoding: "utf8" });
  const head = git("rev-parse", "--short", "HEAD");
  if (head.status !== 0) return "unknown";
  const dirty = git("status", "--porcelain", "--untracked-files=no").stdout.trim() !== "";
  return `${head.stdout.trim()}${dirty ? "+dirty" : ""}`;
}

function newestIn(dir) {
  let newest;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath ?? entry.path, entry.name);
    const mtimeMs = statSync(path).mtimeMs;
    if (!newest || mtimeMs > newest.mtimeMs) newest = { path, mtimeMs };
  }
  return newest;
}

function seconds(started) {
  return Math.round(Number(process.hrtime.bigint() - started) / 1e7) / 100;
}

function fmt(value, unit = "") {
  if (value === undefined || value === null) return "";
  if (typeof value === "number") return `${round(value)}${unit ? ` ${unit}` : ""}`;
  if (typeof value === "string") return value;
  // { label?, median, p90?, unit? }
  const u = value.unit ?? unit;
  const parts = [];
  if (value.median !== undefined) parts.push(`median ${round(value.median)}${u ? ` ${u}` : ""}`);
  if (value.p90 !== undefined) parts.push(`p90 ${round(value.p90)}${u ? ` ${u}` : ""}`);
  if (value.value !== undefined) parts.push(`${round(value.value)}${u ? ` ${u}` : ""}`);
  return `${value.label ? `${value.label}: ` : ""}${parts.join(", ")}`;
}

function round(n) {
  if (!Number.isFinite(n)) return String(n);
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2);
}

function clip(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function printSummary(list) {
  const rows = list.map((r) => {
    const status = r.error ? "ERROR" : r.pass ? "PASS" : "MISSED";
    const vs = [];
    if (r.difference !== undefined) vs.push(`${r.difference >= 0 ? "+" : ""}${fmt(r.difference, r.unit)}`);
    if (r.ratio !== undefined) vs.push(`×${round(r.ratio)}`);
    return [
      r.name,
      status,
      r.error ? clip(r.error.split("\n")[0], 90) : (r.target ?? ""),
      fmt(r.baseline, r.unit),
      fmt(r.measured, r.unit),
      vs.join("  "),
    ];
  });
  const head = ["benchmark", "status", "target", "baseline", "measured", "vs baseline"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  console.log("");
  console.log(line(head));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const row of rows) console.log(line(row));
  for (const r of list) {
    if (!r.error && !r.pass) console.log(`\nMISSED  ${r.name}: target ${r.target}; ${r.missedBy ?? "see details"}`);
    for (const note of r.notes ?? []) console.log(`  ${r.name}: ${note}`);
  }
}
