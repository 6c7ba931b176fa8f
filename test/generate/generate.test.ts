// biome-ignore-all lint/suspicious/noExplicitAny: parsed manifests are walked by key
/**
 * Every generated file validated by the tool that owns its format: GitHub's own workflow parser, the Compose
 * specification's JSON Schema, and the kubernetes-models schemas (Kubernetes, Argo Rollouts, External Secrets);
 * and `generate --check` catching drift.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { AnalysisTemplate, Rollout } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1";
import { ExternalSecret } from "@kubernetes-models/external-secrets/external-secrets.io/v1beta1";
import { Ajv } from "ajv";
import { Deployment } from "kubernetes-models/apps/v1";
import { Lease } from "kubernetes-models/coordination.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { Role, RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1";
import { ConfigMap, Service, ServiceAccount } from "kubernetes-models/v1";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { cli, copyWorkspace } from "../helpers/cli.js";

async function generated(ws: string, which: string) {
  const res = await cli(["generate", which, "--json"], { cwd: ws });
  expect(res.code, res.stderr).toBe(0);
  return JSON.parse(res.stdout).files as { path: string; text: string }[];
}

async function workflowErrors(text: string) {
  const result = parseWorkflow({ name: "tradeops.yml", content: text }, new NoOperationTraceWriter());
  const errors = result.context.errors.getErrors().map((e) => e.message);
  if (result.value) {
    const template = await convertWorkflowTemplate(result.context, result.value);
    errors.push(...(template.errors ?? []).map((e) => e.Message));
  }
  return errors;
}

describe("generate github-actions", () => {
  it("validates with GitHub's workflow parser: a matrix per strategy, gated deploy jobs per environment", async () => {
    const ws = copyWorkspace();
    const [file] = await generated(ws, "github-actions");
    expect(await workflowErrors(file!.text)).toEqual([]);
    const wf = parse(file!.text);
    expect(wf.jobs.strategies.strategy.matrix.include).toEqual([
      { project: "argo", path: "argo", test: "node --test" },
    ]);
    expect(wf.jobs.strategies.env).toMatchObject({ ARGO_ENVIRONMENT: "test", USE_ARCHIVED_DATA: "true" });
    expect(Object.keys(wf.jobs)).toEqual(["strategies", "projects", "deploy-staging", "deploy-production"]);
    const prod = wf.jobs["deploy-production"];
    expect(prod).toMatchObject({ environment: "production", needs: ["strategies", "projects"] });
    expect(prod.steps.map((s: { run?: string }) => s.run).filter(Boolean)).toContain(
      'npx tradeops deploy "$PROJECT" --to production --confirm "$CONFIRM"',
    );
    expect(wf.on.workflow_dispatch.inputs.confirm).toMatchObject({ required: true, type: "string" });
    // inputs never spliced into a script
    expect(JSON.stringify(prod.steps)).not.toContain("inputs.");
  });

  it("the parser does fail a broken workflow (the check above can fail)", async () => {
    const ws = copyWorkspace();
    const [file] = await generated(ws, "github-actions");
    const broken = file!.text.replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest");
    expect((await workflowErrors(broken)).length).toBeGreaterThan(0);
  });
});

describe("generate compose", () => {
  // the Compose Specification's own schema, vendored (test/fixtures/schemas/README.md says from where)
  const schema = JSON.parse(
    readFileSync(join(import.meta.dirname, "../fixtures/schemas/compose-spec.schema.json"), "utf8"),
  );
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile({ ...schema, $schema: undefined });

  it("validates against the Compose specification; health checks on levels 1 and 2, secrets as compose secrets", async () => {
    const ws = copyWorkspace();
    const files = await generated(ws, "compose");
    expect(files.map((f) => f.path)).toEqual([
      "docker/alpine-backend/Dockerfile",
      "docker/alpine-backend/compose.yaml",
      "docker/argo/Dockerfile",
      "docker/argo/compose.yaml",
      "docker/signal-lab/Dockerfile",
      "docker/signal-lab/compose.yaml",
    ]);
    for (const f of files.filter((x) => x.path.endsWith("compose.yaml"))) {
      const doc = parse(f.text);
      expect(validate(doc), `${f.path}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    const argo = parse(files.find((f) => f.path === "docker/argo/compose.yaml")!.text);
    expect(argo.services.argo.environment).toEqual({ ARGO_ENVIRONMENT: "production", PORT: "8000" });
    expect(argo.services.argo.healthcheck.test.join(" ")).toContain("127.0.0.1:8000/health/detailed");
    expect(argo.services.argo.secrets).toContainEqual({
      source: "alpaca_api_key",
      target: "ALPACA_API_KEY",
      mode: 0o400,
    });
    expect(argo.secrets.alpaca_api_key).toEqual({ environment: "ALPACA_API_KEY" });
    const dockerfile = files.find((f) => f.path === "docker/argo/Dockerfile")!.text;
    expect(dockerfile).toContain("ENV ARGO_ENVIRONMENT=production PORT=8000");
    expect(dockerfile).toMatch(/HEALTHCHECK[^\n]*\n[^\n]*127\.0\.0\.1:8000\/health'/);
    expect(dockerfile).toContain('CMD ["sh", "-c", "exec tradeops serve argo"]');
    expect(validate({ services: { x: { helthcheck: { test: ["NONE"] } } } })).toBe(false);
  });

  it("asks the endpoints the manifest names, as `tradeops health` does: a plain service need not serve /livez", async () => {
    const ws = copyWorkspace();
    const manifest = join(ws, "tradeops.yaml");
    writeFileSync(
      manifest,
      readFileSync(manifest, "utf8").replace(
        "health: { deepPath: /health/deep }",
        "health: { path: /ping, detailedPath: /ready, deepPath: /check }",
      ),
    );
    const compose = await generated(ws, "compose");
    const dockerfile = compose.find((f) => f.path === "docker/alpine-backend/Dockerfile")!.text;
    expect(dockerfile).toMatch(/HEALTHCHECK[^\n]*\n[^\n]*127\.0\.0\.1:8001\/ping'/);
    const file = parse(compose.find((f) => f.path === "docker/alpine-backend/compose.yaml")!.text);
    expect(file.services["alpine-backend"].healthcheck.test.join(" ")).toContain("127.0.0.1:8001/ready'");
    const text = (await generated(ws, "kubernetes")).find((f) => f.path === "kubernetes/alpine-backend.yaml")!.text;
    const objects = parseAllDocuments(text).map((d) => d.toJSON());
    const rollout = objects.find((o) => o.kind === "Rollout");
    const container = rollout.spec.template.spec.containers[0];
    expect([container.livenessProbe.httpGet.path, container.readinessProbe.httpGet.path]).toEqual(["/ping", "/ready"]);
    expect(JSON.stringify(objects.find((o) => o.kind === "AnalysisTemplate"))).toContain(":8001/check");
  });

  it("printed as well as written, the files come with a warning for each secret a container could not read", async () => {
    const ws = copyWorkspace();
    const printed = await cli(["generate", "compose"], { cwd: ws });
    expect(printed.code).toBe(0);
    expect(printed.stderr).toContain(
      "warning: alpine-backend: ANALYTICS_API_KEY has no env: source in production: add one so that the value the container is given is read",
    );
    expect(printed.stdout).not.toContain("warning:");
  });
});

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  ConfigMap,
  Service,
  ServiceAccount,
  Deployment,
  Lease,
  Role,
  RoleBinding,
  PodDisruptionBudget,
  Rollout,
  AnalysisTemplate,
  ExternalSecret,
};

describe("generate kubernetes", () => {
  it("every object validates with its model; order senders Recreate with a Lease, services an Argo Rollout", async () => {
    const ws = copyWorkspace();
    const files = await generated(ws, "kubernetes");
    const objects = (path: string) =>
      parseAllDocuments(files.find((f) => f.path === path)!.text).map((d) => d.toJSON() as Record<string, any>);
    for (const f of files) {
      for (const o of objects(f.path)) {
        const Model = MODELS[o.kind];
        expect(Model, `${f.path}: ${o.kind}`).toBeDefined();
        expect(() => new Model!(o as never).validate(), `${f.path}: ${o.kind}`).not.toThrow();
      }
    }
    const argo = objects("kubernetes/argo.yaml");
    const kinds = argo.map((o) => o.kind);
    expect(kinds).toEqual(
      expect.arrayContaining(["Deployment", "Lease", "PodDisruptionBudget", "ConfigMap", "ExternalSecret"]),
    );
    expect(kinds).not.toContain("Rollout");
    const deployment = argo.find((o) => o.kind === "Deployment")!;
    expect(deployment.spec).toMatchObject({ replicas: 1, strategy: { type: "Recreate" } });
    const container = deployment.spec.template.spec.containers[0];
    expect(container.livenessProbe.httpGet.path).toBe("/health");
    expect(container.startupProbe.httpGet.path).toBe("/health");
    expect(container.readinessProbe.httpGet.path).toBe("/health/detailed");
    expect(argo.find((o) => o.kind === "Lease")).toMatchObject({ apiVersion: "coordination.k8s.io/v1" });
    const config = argo.find((o) => o.kind === "ConfigMap")!.data;
    expect(config.ARGO_DATA__SOURCE).toBe("alpaca");
    // sensitive keys never reach a ConfigMap
    expect(Object.keys(config).some((k) => /API_KEY|SECRET/.test(k))).toBe(false);

    const backend = objects("kubernetes/alpine-backend.yaml");
    expect(backend.map((o) => o.kind)).toEqual(expect.arrayContaining(["Rollout", "AnalysisTemplate"]));
    expect(backend.map((o) => o.kind)).not.toContain("Deployment");
    const analysis = backend.find((o) => o.kind === "AnalysisTemplate")!;
    expect(analysis.spec.metrics[0].provider.web.url).toMatch(/\/health\/deep$/);
    const rollout = backend.find((o) => o.kind === "Rollout")!;
    expect(rollout.spec.strategy.canary.analysis.templates[0].templateName).toBe(analysis.metadata.name);
  });

  it("a model refuses what Kubernetes would refuse", () => {
    expect(() => new Deployment({ metadata: { name: "x" }, spec: { replicas: "one" } } as never).validate()).toThrow();
  });
});

describe("generate all --out deploy/ --check", () => {
  it("passes on what it wrote and fails (exit 1) on drift", async () => {
    const ws = copyWorkspace();
    expect((await cli(["generate", "all", "--out", "deploy/"], { cwd: ws })).code).toBe(0);
    expect((await cli(["generate", "all", "--out", "deploy/", "--check"], { cwd: ws })).code).toBe(0);
    const file = join(ws, "deploy/kubernetes/argo.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("replicas: 1", "replicas: 2"));
    const drift = await cli(["generate", "all", "--out", "deploy/", "--check", "--json"], { cwd: ws });
    expect(drift.code).toBe(1);
    expect(JSON.parse(drift.stdout.split("\n}\n")[0]! + "\n}").drift).toEqual([
      { path: "kubernetes/argo.yaml", problem: "changed" },
    ]);
    // a manifest change is drift too
    expect((await cli(["generate", "all", "--out", "deploy/"], { cwd: ws })).code).toBe(0);
    const manifest = join(ws, "tradeops.yaml");
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace("port: 8000\n", "port: 8010\n"));
    const text = await cli(["generate", "all", "--out", "deploy/", "--check"], { cwd: ws });
    expect(text.code).toBe(1);
    expect(text.stderr).toContain("deploy//docker/argo/Dockerfile: changed");
  });
});
