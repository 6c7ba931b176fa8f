import { describe, expect, it } from "vitest";
import {
  acceptSignalChanges,
  linesFlag,
  portFlag,
  secondsFlag,
  sinceFlag,
  targetEnvironment,
} from "../../src/cli/flags.js";
import { loadWorkspace } from "../../src/workspace/load.js";
import { DESK } from "../helpers/cli.js";

const usage = expect.objectContaining({ code: "TRO_ERR_USAGE", exitCode: 64 });

describe("shared flags parse the same everywhere", () => {
  it("--port", () => {
    expect(portFlag("8000")).toBe(8000);
    expect(portFlag(undefined)).toBeUndefined();
    expect(portFlag("0", { allowAny: true })).toBe(0);
    for (const bad of ["0", "65536", "80.5", "0x50", "", " ", "eighty", "-1"])
      expect(() => portFlag(bad)).toThrow(usage);
  });
  it("--accept-signal-changes needs a reason", () => {
    expect(acceptSignalChanges(undefined)).toBeUndefined();
    expect(acceptSignalChanges("  slower trend, reviewed ")).toBe("slower trend, reviewed");
    for (const bad of ["", "   "]) expect(() => acceptSignalChanges(bad)).toThrow(usage);
  });
  it("--lines", () => {
    expect(linesFlag(undefined, 50)).toBe(50);
    expect(linesFlag("0", 50)).toBe(0);
    for (const bad of ["-1", "1.5", "1e3", "ten"]) expect(() => linesFlag(bad, 50)).toThrow(usage);
  });
  it("seconds, in milliseconds", () => {
    expect(secondsFlag("1.5", "--grace")).toBe(1500);
    for (const bad of ["-1", "soon", "Infinity"]) expect(() => secondsFlag(bad, "--grace")).toThrow(usage);
  });
  it("--since: a duration back from now, or a UTC time", () => {
    const now = Date.parse("2026-12-02T12:00:00Z");
    expect(sinceFlag("10m", now)).toBe(now - 600_000);
    expect(sinceFlag("1d", now)).toBe(now - 86_400_000);
    expect(sinceFlag("2026-12-01", now)).toBe(Date.parse("2026-12-01T00:00:00Z"));
    expect(sinceFlag("2026-12-01T14:30:00", now)).toBe(Date.parse("2026-12-01T14:30:00Z"));
    for (const bad of ["yesterday", "10", "5w", "2026-13-45"]) expect(() => sinceFlag(bad, now)).toThrow(usage);
  });
});

describe("the target environment: one grammar", () => {
  const workspace = loadWorkspace({ cwd: DESK });
  const example = "tradeops deploy argo to production";
  it("PROJECT [to] ENV, --to ENV or --env ENV, aliases included", () => {
    expect(targetEnvironment(workspace, { words: ["to", "production"], example })).toBe("production");
    expect(targetEnvironment(workspace, { words: ["prod"], example })).toBe("production");
    expect(targetEnvironment(workspace, { words: [], toFlag: "stage", example })).toBe("staging");
    expect(targetEnvironment(workspace, { words: [], envFlag: "staging", example })).toBe("staging");
    // the same environment said twice is fine
    expect(targetEnvironment(workspace, { words: ["staging"], envFlag: "stage", example })).toBe("staging");
  });
  it("falls back to the detected one only where the command allows it", () => {
    expect(targetEnvironment(workspace, { words: [], detected: "development", example })).toBe("development");
    expect(() => targetEnvironment(workspace, { words: [], example })).toThrow(usage);
  });
  it("refuses two different environments and unknown names", () => {
    expect(() => targetEnvironment(workspace, { words: ["staging"], toFlag: "production", example })).toThrow(usage);
    expect(() => targetEnvironment(workspace, { words: ["staging", "production"], example })).toThrow(usage);
    // a mistyped argument is a usage error like a mistyped --env (64); 78 is for a bad detection variable
    expect(() => targetEnvironment(workspace, { words: ["qa"], example })).toThrow(
      expect.objectContaining({ code: "TRO_ERR_USAGE", message: '"qa" is not an environment.' }),
    );
  });
});
