/**
 * A console over a private copy of the example desk and a real in-process supervisor (its state in the copy),
 * alpine-backend moved to a free port so that starting it collides with nothing. `close()` stops every service
 * the test started and the console.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openWorkspace } from "../../../src/context.js";
import type { BasicCredentials } from "../../../src/server/console/context.js";
import { createConsole } from "../../../src/server/console/server.js";
import { Supervisor } from "../../../src/supervisor/supervisor.js";
import { copyWorkspace } from "../../helpers/cli.js";
import { freePort } from "../../supervisor/helpers.js";

export const ROOT = join(import.meta.dirname, "../../..");
export const CLI = [process.execPath, join(ROOT, "bin", "tradeops.js")];
export const TOKEN = "console-token-5b1f0c2d9e";
export const PASSWORD = "correct horse battery staple";
/** bcrypt of PASSWORD, cost 4 (tests only: production hashes use BCRYPT_ROUNDS) */
export const HASH = "$2b$04$R6pXCTqt4k.74OXKewJSl.Vxn9EwzOatjA3pB0BpiSIkx0CSSQtXm";

export interface DeskConsoleOptions {
  readonly host?: string;
  readonly token?: string;
  readonly basic?: BasicCredentials;
  /** edits tradeops.yaml of the copy */
  readonly manifest?: (text: string) => string;
  readonly env?: Record<string, string>;
  /** runs before the console starts (e.g. creating the signal store) */
  readonly prepare?: (ctx: ReturnType<typeof openWorkspace>) => Promise<void>;
}

export async function deskConsole(options: DeskConsoleOptions = {}) {
  const root = copyWorkspace();
  const backendPort = await freePort();
  const manifest = join(root, "tradeops.yaml");
  const edit = options.manifest ?? ((text: string) => text);
  writeFileSync(manifest, edit(readFileSync(manifest, "utf8").replace("port: 8001\n", `port: ${backendPort}\n`)));
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: root, NO_COLOR: "1", ...options.env };
  const ctx = openWorkspace({ cwd: root, env, hostname: () => "test-host" });
  const supervisor = new Supervisor({
    workspaceRoot: root,
    environment: ctx.environment,
    stateDir: join(root, ".tradeops", "test-supervisor"),
    env,
    stopGraceMs: 3_000,
  });
  await supervisor.open();
  await options.prepare?.(ctx);
  const built = await createConsole({
    workspace: ctx.workspace,
    environment: ctx.environment,
    detection: ctx.detection,
    env,
    supervisor,
    cli: CLI,
    host: options.host,
    ...(options.token ? { token: options.token } : {}),
    ...(options.basic ? { basic: options.basic } : {}),
    statusIntervalMs: 200,
  });
  await built.context.status.refresh();
  return {
    root,
    backendPort,
    app: built.app,
    context: built.context,
    async close() {
      await built.close();
      await supervisor.close({ stopServices: true });
    },
  };
}

export const bearer = (token = TOKEN) => ({ authorization: `Bearer ${token}` });
export const basicAuth = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`,
});
