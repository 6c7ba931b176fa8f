/** The local executor and the command builders, with real processes. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { aliveCommand, detachCommand, stopCommand } from "../../src/deploy/process-commands.js";
import { targetFiles } from "../../src/deploy/target-files.js";
import { ensureOk, sh } from "../../src/exec/command.js";
import { createLocalExecutor } from "../../src/exec/local.js";
import { quote, shellLine } from "../../src/exec/quote.js";
import { createRecordingExecutor } from "../../src/exec/recording.js";

let dir: string;
const started: number[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tradeops-exec-"));
});
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {}
  }
  rmSync(dir, { recursive: true, force: true });
});

const local = createLocalExecutor({ baseEnv: { PATH: process.env.PATH } });

describe("the local executor", () => {
  it("runs an argv with its directory, variables and input, and reports the exit code", async () => {
    const result = await local.run({
      argv: sh('printf "%s:%s:" "$PWD" "$GREETING"; cat; exit 3'),
      cwd: dir,
      env: { GREETING: "hi there" },
      input: "in",
    });
    expect(result).toMatchObject({ code: 3, stdout: `${dir}:hi there:in` });
    expect(() => ensureOk(result, "greet", local)).toThrow(expect.objectContaining({ code: "TRO_ERR_COMMAND_FAILED" }));
  });

  it("ends its message with one full stop when the command's own output ends with one", async () => {
    const result = await local.run({ argv: sh('echo "error: 1 secret did not resolve." >&2; exit 78') });
    expect(() => ensureOk(result, "start it", local)).toThrow(
      /^Could not start it on local: exited 78: error: 1 secret did not resolve\.$/,
    );
  });

  it("kills a command that runs past its timeout and says so", async () => {
    const result = await local.run({ argv: ["sleep", "5"], timeoutMs: 100 });
    expect(result.code).toBe(124);
    expect(result.durationMs).toBeLessThan(2000);
    expect(() => ensureOk(result, "wait", local)).toThrow(/timed out/);
  });

  it("reports a missing program as 127, not an exception", async () => {
    expect((await local.run({ argv: ["/nonexistent/program"] })).code).toBe(127);
  });
});

describe("shell quoting", () => {
  it("gives the remote shell back every argument unchanged", () => {
    const args = ["plain", "with space", "it's", 'a"b', "$HOME", "`x`", "", "a\nb", "*"];
    const line = shellLine(["printf", "%s|", ...args], { cwd: "/tmp", env: { A: "x y" } });
    const out = spawnSync("sh", ["-c", line]).stdout.toString();
    expect(out).toBe(`${args.join("|")}|`);
    expect(quote("safe/path-1.2")).toBe("safe/path-1.2");
  });
});

describe("target files", () => {
  it("reads, writes atomically with mode 0600, appends, and tells a missing file apart", async () => {
    const files = targetFiles(local);
    const path = join(dir, "a/b/state.json");
    expect(await files.read(path)).toBeUndefined();
    await files.writeJson(path, { x: 1 });
    expect(await files.readJson(path)).toEqual({ x: 1 });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await files.append(join(dir, "h.jsonl"), "one");
    await files.append(join(dir, "h.jsonl"), "two");
    expect(readFileSync(join(dir, "h.jsonl"), "utf8")).toBe("one\ntwo\n");
  });
});

describe("detached processes", () => {
  it("start in their own session with the env file and variables, outlive their starter, and stop gracefully", async () => {
    writeFileSync(join(dir, "app.env"), "SECRET_VALUE='from the file'\nPORT=1\n");
    const script =
      'trap "echo got TERM; exit 0" TERM; echo "$SECRET_VALUE $PORT $TRADEOPS_COLOR"; while :; do sleep 0.05; done';
    const result = ensureOk(
      await local.run({
        argv: detachCommand({
          log: join(dir, "logs/app.log"),
          envFile: join(dir, "app.env"),
          dir,
          vars: { PORT: "8202", TRADEOPS_COLOR: "blue" },
          argv: ["sh", "-c", script],
        }),
      }),
      "start",
      local,
    );
    const pid = Number(result.stdout.trim());
    started.push(pid);
    expect((await local.run({ argv: aliveCommand(pid) })).code).toBe(0);
    // its own session, once the starter's subshell has exec'd setsid
    await expect.poll(() => readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[3]).toBe(String(pid));
    await expect.poll(() => readFileSync(join(dir, "logs/app.log"), "utf8")).toContain("from the file 8202 blue");
    expect((await local.run({ argv: stopCommand(pid, 2) })).code).toBe(0);
    expect((await local.run({ argv: aliveCommand(pid) })).code).toBe(1);
    expect(readFileSync(join(dir, "logs/app.log"), "utf8")).toContain("got TERM");
  });

  it("are killed after the grace when they ignore SIGTERM", async () => {
    const result = await local.run({
      argv: detachCommand({
        log: join(dir, "x.log"),
        dir,
        argv: ["sh", "-c", 'trap "" TERM; echo trapped; while :; do sleep 0.05; done'],
      }),
    });
    const pid = Number(result.stdout.trim());
    started.push(pid);
    // SIGTERM before the trap is set would end it at once: wait until the shell ignores it
    for (let i = 0; i < 400 && !readLog("x.log").includes("trapped"); i++) await new Promise((r) => setTimeout(r, 25));
    expect(readLog("x.log")).toContain("trapped");
    const t = Date.now();
    expect((await local.run({ argv: stopCommand(pid, 1) })).code).toBe(0);
    expect(Date.now() - t).toBeGreaterThanOrEqual(900);
    expect((await local.run({ argv: aliveCommand(pid) })).code).toBe(1);
  });
});

function readLog(name: string): string {
  try {
    return readFileSync(join(dir, name), "utf8");
  } catch {
    return "";
  }
}

describe("the recording executor", () => {
  it("writes down each command and answers from a script, or passes it on", async () => {
    const scripted = createRecordingExecutor({
      host: "deploy@srv",
      respond: (c) => (c.argv[0] === "cat" ? { stdout: "{}" } : undefined),
    });
    await targetFiles(scripted).readJson("/srv/x/state.json");
    expect(scripted.lines()).toEqual([
      `sh -c ${'if [ -e "$1" ]; then cat "$1"; else exit 3; fi'} sh /srv/x/state.json`,
    ]);
    const wrapped = createRecordingExecutor({ inner: local });
    expect((await wrapped.run({ argv: ["echo", "hi"] })).stdout).toBe("hi\n");
    expect(wrapped.lines()).toEqual(["echo hi"]);
  });
});

describe("a timed-out command started in its own group", () => {
  it("takes the processes it started down with it", async () => {
    const group = createLocalExecutor({ baseEnv: { PATH: process.env.PATH }, group: true });
    const pidFile = join(dir, "grandchild.pid");
    const result = await group.run({ argv: sh('sleep 30 & echo $! > "$1"; wait', pidFile), timeoutMs: 300 });
    expect(result.code).toBe(124);
    const grandchild = Number(readFileSync(pidFile, "utf8"));
    await expect.poll(async () => (await local.run({ argv: aliveCommand(grandchild) })).code).toBe(1);
  });
});
