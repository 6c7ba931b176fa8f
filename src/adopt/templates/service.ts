/** The files of a new service: a service host with /health levels 1–3 wired, config per environment, a test. */

export interface ServiceTemplateOptions {
  readonly name: string;
  readonly environments: readonly string[];
}

const SERVER = (
  name: string,
) => `// ${name}: an HTTP service on the tradeops service host. Level 1 (/health, /livez) answers from memory,
// level 2 (/health/detailed, /readyz) from the components' state, level 3 (/health/deep) runs live checks.
import { createHealthRegistry, createMonitor, createServiceHost, httpCheck, injectedCheck } from "tradeops";

const env = process.env;
const port = Number(env.PORT ?? env.${prefix(name)}HTTP__PORT ?? 0);
const upstream = env.${prefix(name)}UPSTREAM__URL;

const registry = createHealthRegistry();
// level 2: a component whose state a background monitor keeps fresh (registered when there is an upstream)
if (upstream) {
  registry.register({ name: "upstream", maxAgeMs: 30_000 });
  createMonitor({
    registry,
    component: "upstream",
    intervalMs: 10_000,
    probe: async () => {
      const res = await fetch(upstream, { signal: AbortSignal.timeout(2_000) });
      if (!res.ok) throw new Error(\`upstream answered \${res.status}\`);
    },
  }).start();
}
let requests = 0;

const host = createServiceHost({
  service: "${name}",
  executionMode: env.TRADEOPS_MODE ?? "paper",
  registry,
  host: env.${prefix(name)}HTTP__HOST ?? "127.0.0.1",
  port,
  // level 3: live checks of what this service depends on, each under its own timeout
  deepChecks: [
    ...(upstream ? [httpCheck(upstream, { name: "upstream" })] : []),
    // an example of a check given by the service itself: here, that it has answered its API (non-critical)
    injectedCheck("api", () => ({ ok: true, observedValue: requests, observedUnit: "count" }), { critical: false }),
  ],
});
host.app.get("/api/v1/hello", async () => {
  requests++;
  return { service: "${name}", hello: "world" };
});
host.handleSignals();
await host.start();
`;

const TEST = (
  name: string,
) => `// Starts ${name} on a free port and asks its health endpoints, as the supervisor and deploys do.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

async function freePort() {
  const s = createServer().listen(0, "127.0.0.1");
  await once(s, "listening");
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

test("${name} answers /health, /health/detailed and /livez", async (t) => {
  const port = await freePort();
  const child = spawn(process.execPath, [join(here, "../src/server.mjs")], { env: { ...process.env, PORT: String(port) }, stdio: "ignore" });
  t.after(() => child.kill());
  const deadline = Date.now() + 15_000;
  let res;
  while (Date.now() < deadline) {
    res = await fetch(\`http://127.0.0.1:\${port}/health\`).catch(() => undefined);
    if (res?.ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(res?.status, 200);
  assert.equal((await res.json()).service, "${name}");
  assert.equal((await fetch(\`http://127.0.0.1:\${port}/health/detailed\`)).status, 200);
  assert.equal((await fetch(\`http://127.0.0.1:\${port}/livez\`)).status, 200);
});
`;

/** SERVICE_NAME_ → the prefix of the service's config variables. */
export function prefix(name: string): string {
  return `${name.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}_`;
}

const SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  additionalProperties: false,
  required: ["http"],
  properties: {
    http: {
      type: "object",
      additionalProperties: false,
      properties: {
        host: { type: "string", description: "bind address (0.0.0.0 in a container)", default: "127.0.0.1" },
      },
    },
    upstream: {
      type: "object",
      additionalProperties: false,
      properties: { url: { type: "string", description: "a dependency level 2 and 3 watch" } },
      "x-optional-in": ["development", "test", "staging", "production"],
    },
  },
};

export function serviceFiles(o: ServiceTemplateOptions): Record<string, string> {
  const files: Record<string, string> = {
    "src/server.mjs": SERVER(o.name),
    "config.schema.json": `${JSON.stringify(SCHEMA, null, 2)}\n`,
    "config/base.yaml":
      "# Shared by every environment; config/<environment>.yaml overrides it.\nhttp:\n  host: 127.0.0.1\n",
    [`tests/${o.name}.test.mjs`]: TEST(o.name),
  };
  for (const e of o.environments) files[`config/${e}.yaml`] = `# ${e}\nhttp:\n  host: 127.0.0.1\n`;
  return files;
}
