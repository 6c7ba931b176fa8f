/** Which `serve` command lines the hot path pre-binds: exactly `[globals] serve PROJECT [serve flags]`. */
import { describe, expect, it } from "vitest";
import { parseServeArgv } from "../../src/cli/hot-serve.js";

describe("parseServeArgv", () => {
  it("takes the global flags, the project and serve's own flags in both spellings", () => {
    expect(parseServeArgv(["serve", "argo"])).toEqual({ project: "argo" });
    expect(
      parseServeArgv(["--workspace", "/ws", "-v", "serve", "argo", "--port=8001", "--mode", "paper", "--speed", "2"]),
    ).toEqual({ project: "argo", workspace: "/ws", port: "8001", mode: "paper", speed: "2" });
    expect(parseServeArgv(["-e", "staging", "--json", "serve", "--data", "sample:sp500", "argo"])).toEqual({
      project: "argo",
      env: "staging",
      data: "sample:sp500",
    });
  });

  it("leaves anything else to the full CLI", () => {
    for (const argv of [
      ["serve"],
      ["serve", "argo", "extra"],
      ["serve", "argo", "--help"],
      ["serve", "argo", "--port"],
      ["serve", "argo", "--port", "1", "--port", "2"],
      ["serve", "argo", "--unknown", "x"],
      ["--port", "1", "serve", "argo"],
      ["env"],
      ["run", "serve", "argo"],
    ])
      expect(parseServeArgv(argv), argv.join(" ")).toBeUndefined();
  });
});
