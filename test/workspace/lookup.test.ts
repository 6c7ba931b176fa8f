import { describe, expect, it } from "vitest";
import { loadWorkspace } from "../../src/workspace/load.js";
import { parseHost, requireProject, selectProjects, urlHost } from "../../src/workspace/lookup.js";
import { DESK } from "../helpers/cli.js";

const workspace = loadWorkspace({ cwd: DESK });

describe("one lookup for projects", () => {
  it("names the projects and a near miss; an unknown name is a usage error (64)", () => {
    expect(() => requireProject(workspace, "sigal-lab")).toThrow(
      expect.objectContaining({
        code: "TRO_ERR_PROJECT_UNKNOWN",
        exitCode: 64,
        message: "There is no project sigal-lab in tradeops.yaml.",
        hint: "Did you mean signal-lab? Projects: argo, signal-lab, alpine-backend, alpine-frontend, shared.",
      }),
    );
    expect(() => requireProject(workspace, "zzz")).toThrow(
      expect.objectContaining({ hint: "Projects: argo, signal-lab, alpine-backend, alpine-frontend, shared." }),
    );
  });
  it("never answers with an inherited property", () => {
    for (const name of ["__proto__", "constructor", "toString"])
      expect(() => requireProject(workspace, name)).toThrow(expect.objectContaining({ exitCode: 64 }));
  });
  it("selects `all` or one project, keeping only those that qualify", () => {
    expect(selectProjects(workspace, "all", (p) => Boolean(p.port)).map((p) => p.name)).toEqual([
      "argo",
      "signal-lab",
      "alpine-backend",
    ]);
    expect(selectProjects(workspace, "argo").map((p) => p.name)).toEqual(["argo"]);
  });
});

describe("one host parser", () => {
  it.each([
    ["local", { local: true, destination: "local", host: "127.0.0.1" }],
    ["argo-prod", { local: false, destination: "argo-prod", host: "argo-prod" }],
    [
      "deploy@argo-prod.example.internal",
      {
        local: false,
        destination: "deploy@argo-prod.example.internal",
        user: "deploy",
        host: "argo-prod.example.internal",
      },
    ],
    [
      "deploy@alpine-prod.example.internal:2222",
      {
        local: false,
        destination: "deploy@alpine-prod.example.internal",
        user: "deploy",
        host: "alpine-prod.example.internal",
        port: 2222,
      },
    ],
    ["root@[::1]:52222", { local: false, destination: "root@[::1]", user: "root", host: "::1", port: 52222 }],
    ["root@::1", { local: false, destination: "root@::1", user: "root", host: "::1" }],
  ])("%s", (spec, expected) => {
    expect(parseHost(spec)).toEqual(expected);
  });
  it("brackets an IPv6 address in a URL", () => {
    expect(urlHost(parseHost("root@[::1]:22"))).toBe("[::1]");
    expect(urlHost(parseHost("deploy@10.0.0.5"))).toBe("10.0.0.5");
  });
});
