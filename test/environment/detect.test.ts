import { describe, expect, it } from "vitest";
import { type DetectionSource, detectEnvironment } from "../../src/environment/detect.js";
import { ENVIRONMENTS } from "../../src/environment/names.js";
import { TroError } from "../../src/errors.js";
import { DEFAULT_DETECT, type DetectRules } from "../../src/workspace/schema.js";

const rules: DetectRules = {
  ...DEFAULT_DETECT,
  variable: "ARGO_ENVIRONMENT",
  aliases: { live: "production" },
  markerFiles: { production: ["/srv/argo-production/config.json"], staging: ["markers/staging"] },
  pathContains: { production: ["/srv/argo-production"], staging: ["/srv/argo-staging"] },
  hostnameContains: { production: ["production", "prod"], staging: ["staging"] },
  default: "development",
};

/** A world where every rule can be switched on, each pointing to a different environment where it can. */
interface World {
  flag?: string;
  variable?: string;
  marker?: boolean;
  path?: boolean;
  hostname?: boolean;
}

function detect(world: World, overrides: Partial<DetectRules> = {}) {
  return detectEnvironment({
    rules: { ...rules, ...overrides },
    declared: ENVIRONMENTS,
    flag: world.flag,
    env: world.variable === undefined ? {} : { ARGO_ENVIRONMENT: world.variable },
    cwd: world.path ? "/srv/argo-staging/releases/42" : "/home/dev/desk",
    workspaceRoot: world.path ? "/srv/argo-staging/releases/42" : "/home/dev/desk",
    hostname: () => (world.hostname ? "argo-PRODUCTION-1" : "laptop"),
    exists: (p) => Boolean(world.marker) && p === "/srv/argo-production/config.json",
  });
}

function errorOf(fn: () => unknown): TroError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TroError) return error;
    throw error;
  }
  throw new Error("expected a TroError");
}

describe("each rule on its own", () => {
  it("flag", () => {
    const d = detect({ flag: "stage" });
    expect([d.environment, d.source, d.detail]).toEqual(["staging", "flag", "--env stage"]);
  });
  it("variable, through the built-in aliases and the manifest's aliases, in any case", () => {
    expect(detect({ variable: "prod" }).environment).toBe("production");
    expect(detect({ variable: "DEV" }).environment).toBe("development");
    expect(detect({ variable: " Staging " }).environment).toBe("staging");
    const viaManifest = detect({ variable: "live" });
    expect([viaManifest.environment, viaManifest.source]).toEqual(["production", "variable"]);
    expect(viaManifest.detail).toBe("ARGO_ENVIRONMENT=live (alias of production)");
  });
  it("marker file", () => {
    const d = detect({ marker: true });
    expect([d.environment, d.source]).toEqual(["production", "marker"]);
    expect(d.detail).toContain("/srv/argo-production/config.json exists");
  });
  it("marker files given relative to the workspace root", () => {
    const d = detectEnvironment({
      rules,
      declared: ENVIRONMENTS,
      env: {},
      cwd: "/home/dev/desk/argo",
      workspaceRoot: "/home/dev/desk",
      hostname: () => "laptop",
      exists: (p) => p === "/home/dev/desk/markers/staging",
    });
    expect([d.environment, d.source]).toEqual(["staging", "marker"]);
  });
  it("working directory", () => {
    const d = detect({ path: true });
    expect([d.environment, d.source]).toEqual(["staging", "path"]);
  });
  it("hostname, case-insensitive", () => {
    const d = detect({ hostname: true });
    expect([d.environment, d.source]).toEqual(["production", "hostname"]);
    expect(d.detail).toBe("hostname argo-PRODUCTION-1 contains production");
  });
  it("default", () => {
    const d = detect({});
    expect([d.environment, d.source]).toEqual(["development", "default"]);
  });
  it("a configured default other than development", () => {
    expect(detect({}, { default: "test" }).environment).toBe("test");
  });
});

describe("priority: a higher rule beats every lower one", () => {
  // each rule's world and the environment it alone would choose
  const worlds: Record<Exclude<DetectionSource, "default">, { world: World; env: string }> = {
    flag: { world: { flag: "test" }, env: "test" },
    variable: { world: { variable: "dev" }, env: "development" },
    marker: { world: { marker: true }, env: "production" },
    path: { world: { path: true }, env: "staging" },
    hostname: { world: { hostname: true }, env: "production" },
  };
  const order = ["flag", "variable", "marker", "path", "hostname", "default"] as const;
  for (const [i, higher] of order.entries()) {
    for (const lower of order.slice(i + 1)) {
      if (higher === "default") continue;
      it(`${higher} beats ${lower}`, () => {
        const world = { ...(lower === "default" ? {} : worlds[lower].world), ...worlds[higher].world };
        const d = detect(world, lower === "default" ? { default: "staging" } : {});
        expect(d.source).toBe(higher);
        expect(d.environment).toBe(worlds[higher].env);
        const lowerRule = d.evaluated.find((e) => e.rule === lower)!;
        expect(lowerRule.matched).toBe(true);
      });
    }
  }
  it("every rule on at once: the flag decides and every rule is reported in order", () => {
    const d = detect({ flag: "test", variable: "dev", marker: true, path: true, hostname: true });
    expect(d.source).toBe("flag");
    expect(d.evaluated.map((e) => e.rule)).toEqual(order);
    expect(d.evaluated.every((e) => e.matched)).toBe(true);
  });
  it("lower rules that point elsewhere are reported as warnings", () => {
    const d = detect({ variable: "dev", hostname: true });
    expect(d.environment).toBe("development");
    expect(d.warnings).toEqual([
      "hostname rule points to production (hostname argo-PRODUCTION-1 contains production) but variable decided development.",
    ]);
  });
});

describe("refusals", () => {
  it("an unknown variable value is an error (exit 78), never ignored", () => {
    const error = errorOf(() => detect({ variable: "prodution", hostname: true }));
    expect(error.code).toBe("TRO_ERR_ENV_UNKNOWN");
    expect(error.exitCode).toBe(78);
    expect(error.message).toBe('ARGO_ENVIRONMENT="prodution" is not a known environment.');
    expect(error.hint).toContain("production");
  });
  it("an unknown variable value under a valid --env is reported as a warning", () => {
    const d = detect({ flag: "staging", variable: "prodution" });
    expect(d.environment).toBe("staging");
    expect(d.warnings[0]).toContain("It was ignored because --env decided.");
  });
  it("the names a refusal offers are those of the declared environments, the workspace's aliases included", () => {
    const error = errorOf(() =>
      detectEnvironment({
        rules: { ...DEFAULT_DETECT, variable: "SHOP_STAGE", aliases: { sandbox: "development", uat: "staging" } },
        declared: ["development", "staging"],
        env: { SHOP_STAGE: "qa" },
      }),
    );
    expect(error.hint).toBe(
      "Set SHOP_STAGE to one of: development, staging, dev, develop, local, stage, stg, sandbox, uat.",
    );
  });
  it("an unknown --env is a usage error (exit 64)", () => {
    const error = errorOf(() => detect({ flag: "qa" }));
    expect([error.code, error.exitCode]).toEqual(["TRO_ERR_USAGE", 64]);
  });
  it("default: refuse exits 78 and says what to set", () => {
    const error = errorOf(() => detect({}, { default: "refuse" }));
    expect(error.code).toBe("TRO_ERR_ENV_REFUSED");
    expect(error.exitCode).toBe(78);
    expect(error.hint).toContain("Set ARGO_ENVIRONMENT=<environment> or pass --env <environment>");
  });
  it("default: refuse still accepts any rule that matches", () => {
    expect(detect({ hostname: true }, { default: "refuse" }).environment).toBe("production");
  });
  it("an environment the workspace does not declare is refused", () => {
    const error = errorOf(() =>
      detectEnvironment({
        rules,
        declared: ["development", "production"],
        flag: "staging",
        env: {},
        hostname: () => "x",
      }),
    );
    expect([error.code, error.exitCode]).toEqual(["TRO_ERR_ENV_UNDECLARED", 78]);
  });
  it("two environments matching one rule equally well are ambiguous", () => {
    const error = errorOf(() =>
      detectEnvironment({
        rules: { ...rules, hostnameContains: { production: ["box"], staging: ["box"] } },
        declared: ENVIRONMENTS,
        env: {},
        hostname: () => "box-1",
        exists: () => false,
      }),
    );
    expect([error.code, error.exitCode]).toEqual(["TRO_ERR_ENV_AMBIGUOUS", 78]);
  });
  it("the longest matching fragment wins within one rule", () => {
    const d = detectEnvironment({
      rules: { ...rules, hostnameContains: { production: ["prod"], development: ["prod-copy"] } },
      declared: ENVIRONMENTS,
      env: {},
      hostname: () => "prod-copy-7",
      exists: () => false,
    });
    expect(d.environment).toBe("development");
  });
});
