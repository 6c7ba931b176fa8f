/** How a detected project runs: its port, a static build's output directory, a worker's heartbeat, the paths kept across releases. */
import type { EnvFile, PackageJson } from "./detect.js";
import { dotenvValue, readText } from "./scan.js";

const prefix = (dir: string) => (dir === "." ? "" : `${dir}/`);

/**
 * The directory a frontend's build writes when its output is plain files: `--outDir X` in the build script,
 * `outDir` in vite.config, webpack's `output.path`, Vite/Vue CLI/Parcel/webpack `dist`, Create React App `build`, a Next
 * static export `out`.
 * Undefined for a frontend that needs its own server (Next without `output: "export"`, SvelteKit, Nuxt).
 */
export function staticOutputDir(
  root: string,
  dir: string,
  names: readonly string[],
  pkg: PackageJson,
): string | undefined {
  const build = pkg.scripts?.build;
  if (!build) return undefined;
  const deps = { ...pkg.dependencies, ...pkg.devDependencies };
  const flag = build.match(/--out-?dir[= ]([^\s&;|]+)/i)?.[1];
  if (flag) return flag.replace(/^\.\//, "").replace(/\/$/, "");
  const read = (pattern: RegExp) =>
    names
      .filter((n) => pattern.test(n))
      .map((n) => readText(root, `${prefix(dir)}${n}`))
      .join("\n");
  if ("next" in deps) {
    const config = read(/^next\.config\.(js|mjs|cjs|ts)$/);
    const exported = /output\s*:\s*["']export["']/.test(config) || /\bnext export\b/.test(build);
    if (!exported) return undefined;
    return config.match(/distDir\s*:\s*["']([^"']+)["']/)?.[1] ?? "out";
  }
  if (/\bvite\b/.test(build) || "vite" in deps) {
    return read(/^vite\.config\.(js|mjs|cjs|ts|mts)$/).match(/outDir\s*:\s*["']([^"']+)["']/)?.[1] ?? "dist";
  }
  if (/react-scripts build|craco build/.test(build)) return "build";
  if (/vue-cli-service build|parcel build/.test(build)) return "dist";
  if (/\bwebpack\b/.test(build))
    return (
      read(/^webpack\.config\.(js|mjs|cjs|ts)$/).match(
        /path\s*:\s*path\.(?:resolve|join)\(\s*__dirname\s*,\s*["']([^"']+)["']/,
      )?.[1] ?? "dist"
    );
  return undefined;
}

/** `while True:` / `setInterval`: code that keeps running without serving a port. */
export function runsALoop(code: string): boolean {
  return /\bwhile\s+(True|1)\s*:|\bwhile\s*\(\s*true\s*\)|\bsetInterval\(|\bschedule\.every\b|\bBlockingScheduler\b/.test(
    code,
  );
}

export interface Heartbeat {
  readonly file: string;
  readonly maxAgeSeconds?: number;
}

/**
 * A heartbeat file the code writes (a path literal naming `heartbeat`, relative to the project, that the code
 * touches or writes), and how old it may get: three times the loop's sleep, at least 30 s.
 */
export function heartbeatOf(code: string): Heartbeat | undefined {
  if (!/\.touch\(|open\([^)]*["'][wa]\+?["']|write_text\(|writeFileSync\(|utimesSync\(|os\.utime\(/.test(code))
    return undefined;
  // a path literal (`data/heartbeat`, `collector.heartbeat`), not a variable's name (`TICKS_HEARTBEAT`)
  const file = [...code.matchAll(/["']((?:\.\/)?(?:[A-Za-z0-9_.-]+\/)*[A-Za-z0-9_.-]*heartbeat[A-Za-z0-9_.-]*)["']/g)]
    .map((m) => m[1]!)
    .find((f) => !/^[A-Z0-9_]+$/.test(f));
  if (!file) return undefined;
  const sleeps = [
    ...code.matchAll(/\b(?:time\.)?sleep\(\s*(\d+(?:\.\d+)?)\s*\)|setInterval\([^)]*,\s*(\d+)\s*\)/g),
  ].map((m) => (m[1] ? Number(m[1]) : Number(m[2]) / 1000));
  const longest = sleeps.length ? Math.max(...sleeps) : undefined;
  return {
    file: file.replace(/^\.\//, ""),
    ...(longest ? { maxAgeSeconds: Math.max(30, Math.ceil(longest * 3)) } : {}),
  };
}

/** Directories kept across releases: `data/`, `logs/`, `db/`, `state/` the project holds or its code writes into. */
export function persistentPaths(names: readonly string[], code: string): string[] {
  const out: string[] = [];
  for (const d of ["data", "db", "logs", "state"]) {
    const held = names.some((n) => n.startsWith(`${d}/`));
    const written = new RegExp(`["'](?:\\./)?${d}(/[^"'\\s]*)?["']`).test(code);
    if (held || written) out.push(`${d}/`);
  }
  // a SQLite file at the project's top named in the code (`trades.db`)
  for (const m of code.matchAll(/["'](?:\.\/)?([A-Za-z0-9_-]+\.(?:db|sqlite3?))["']/g))
    if (!out.includes(m[1]!)) out.push(m[1]!);
  return out;
}

/** The port: `*_PORT=` in a development dotenv layer, `--port N` in a Procfile or unit, `EXPOSE N`, `.listen(N)`. */
export function findPort(
  root: string,
  dir: string,
  names: readonly string[],
  envFiles: readonly EnvFile[],
  code: string,
): { port: number; from: string } | undefined {
  const candidates: [string, string][] = [];
  for (const n of names.filter((x) => /(^|\/)(Procfile|Dockerfile)$/.test(x)))
    candidates.push([n, readText(root, `${prefix(dir)}${n}`)]);
  for (const e of envFiles.filter((x) => x.environment === "development")) {
    const text = readText(root, e.file);
    for (const key of e.keys.filter((k) => /(^|_)PORT$/.test(k) && !/HTTPS?_PORT$/.test(k))) {
      const v = Number(dotenvValue(text, key));
      if (Number.isInteger(v) && v > 0 && v < 65_536) return { port: v, from: `${e.file} ${key}` };
    }
  }
  candidates.push(["code", code]);
  for (const [from, text] of candidates) {
    const m = text.match(
      /--port[= ](\d{2,5})\b|EXPOSE\s+(\d{2,5})\b|port\s*=\s*(\d{4,5})\b|\.listen\(\s*(?:process\.env\.PORT\s*(?:\|\||\?\?)\s*)?(\d{4,5})\b/,
    );
    const v = Number(m?.[1] ?? m?.[2] ?? m?.[3] ?? m?.[4]);
    if (Number.isInteger(v) && v > 0 && v < 65_536)
      return { port: v, from: from === "code" ? "the code" : `${prefix(dir)}${from}` };
  }
  return undefined;
}
