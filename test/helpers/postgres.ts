/**
 * One real PostgreSQL 15 per test run, started only if a test asks for it (TESTING.md). The default export is a
 * Vitest global setup: it runs a tiny broker on 127.0.0.1 in the main process; the first `postgresUrl()` call
 * from any test worker makes the broker initdb a temporary directory and start the server (as user `postgres`
 * when running as root) on a free loopback port. Teardown stops it by its pid file and removes the directory.
 */
import { execFileSync } from "node:child_process";
import { chownSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BIN = "/usr/lib/postgresql/15/bin";
/** how long pg_ctl may take to start or stop the server */
const PG_CTL_TIMEOUT_S = 60;

interface RunningPostgres {
  readonly dir: string;
  readonly data: string;
  readonly url: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    postgresBroker: string;
  }
}

function asPostgres(command: string, args: string[]): string {
  const isRoot = process.getuid?.() === 0;
  const [file, argv] = isRoot ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
  return execFileSync(file, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** Initialises and starts a PostgreSQL server in a new temporary directory. */
export async function startPostgres(): Promise<RunningPostgres> {
  const dir = mkdtempSync(join(tmpdir(), "tradeops-pg-"));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }));
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }));
    chownSync(dir, uid, gid);
  }
  const data = join(dir, "data");
  asPostgres(`${BIN}/initdb`, ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"]);
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`;
    try {
      asPostgres(`${BIN}/pg_ctl`, [
        "-D",
        data,
        "-l",
        join(dir, "log"),
        "-w",
        "-t",
        String(PG_CTL_TIMEOUT_S),
        "-o",
        options,
        "start",
      ]);
      return { dir, data, url: `postgres://postgres@127.0.0.1:${port}/postgres` };
    } catch (error) {
      lastError = error; // the port was taken in between: try another
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`PostgreSQL did not start: ${String((lastError as Error)?.message ?? lastError)}`);
}

/** Stops the server (pg_ctl, then its postmaster pid if pg_ctl fails) and removes its directory. */
export function stopPostgres(pg: RunningPostgres): void {
  try {
    asPostgres(`${BIN}/pg_ctl`, ["-D", pg.data, "-m", "fast", "-w", "-t", String(PG_CTL_TIMEOUT_S), "stop"]);
  } catch {
    try {
      const pid = Number(readFileSync(join(pg.data, "postmaster.pid"), "utf8").split("\n")[0]);
      if (pid > 0) process.kill(pid, "SIGKILL");
    } catch {
      // not running
    }
  }
  rmSync(pg.dir, { recursive: true, force: true });
}

/** Vitest global setup: the broker that starts PostgreSQL on first request and stops it at the end. */
export default async function setup(project: { provide(key: "postgresBroker", value: string): void }) {
  let running: Promise<RunningPostgres> | undefined;
  const broker: Server = createServer((request, response) => {
    if (request.url !== "/postgres") {
      response.writeHead(404).end();
      return;
    }
    running ??= startPostgres();
    running.then(
      (pg) => response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ url: pg.url })),
      (error: Error) => response.writeHead(500).end(error.message),
    );
  });
  await new Promise<void>((resolve) => broker.listen(0, "127.0.0.1", resolve));
  const address = broker.address();
  if (typeof address !== "object" || !address) throw new Error("the PostgreSQL broker has no address");
  project.provide("postgresBroker", `http://127.0.0.1:${address.port}`);
  return async () => {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    if (running) stopPostgres(await running);
  };
}

/** The URL of this run's PostgreSQL server (started on first use). */
export async function postgresUrl(): Promise<string> {
  const { inject } = await import("vitest");
  const response = await fetch(`${inject("postgresBroker")}/postgres`);
  if (!response.ok) throw new Error(`PostgreSQL is not available: ${await response.text()}`);
  return ((await response.json()) as { url: string }).url;
}

let databases = 0;

/** A fresh, empty database on this run's server, so that test files never share tables. */
export async function createDatabase(prefix = "t"): Promise<string> {
  const { default: pg } = await import("pg");
  const url = await postgresUrl();
  const name = `${prefix}_${process.pid}_${++databases}_${Date.now().toString(36)}`.toLowerCase();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}
