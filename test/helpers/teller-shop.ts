/**
 * The one-project shop the host-secrets tests deploy: `vault`, whose service `teller` reads BROKER_KEY from the
 * source a test names (by default `.env.production`, a persistent path only the target holds), on one host.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import { freePorts } from "./deploy-desk.js";
import { createShop, type Shop } from "./portless-shop.js";

export interface TellerShopOptions {
  /** the target's host (default `local`) */
  readonly host?: string;
  /** teller's commands, a YAML flow map such as `{ start: node server.mjs }` */
  readonly commands: string;
  /** teller's health settings, a YAML flow map */
  readonly health?: string;
  /** BROKER_KEY's source in production (default the host's `.env.production`) */
  readonly source?: string;
  readonly secrets?: "host" | "deployer";
  readonly healthLevel?: number;
  /** written to the target's `shared/persist/.env.production` before anything runs (none: no file) */
  readonly hostKey?: string;
  /** the project's files, by path in the workspace */
  readonly files: Record<string, string>;
}

/** Creates the shop (removed when the test finishes); its public port and teller's target directory. */
export async function tellerShop(options: TellerShopOptions): Promise<{ shop: Shop; port: number; target: string }> {
  const [port, blue, green] = (await freePorts(3)) as [number, number, number];
  const source = options.source ?? "dotenv:.env.production#BROKER_KEY";
  const shop = createShop(
    (targetOf) =>
      [
        "name: vault",
        "environments:",
        "  detect: { default: production }",
        "  production: { signals: { store: none, required: false } }",
        "projects:",
        "  teller:",
        "    path: teller",
        "    kind: service",
        `    port: ${port}`,
        `    commands: ${options.commands}`,
        ...(options.health ? [`    health: ${options.health}`] : []),
        "    secrets:",
        `      BROKER_KEY: { production: ['${source}'] }`,
        "targets:",
        "  production:",
        `    teller: { hosts: [${options.host ?? "local"}], path: ${targetOf("teller")}, port: ${port}, internalPorts: [${blue}, ${green}], persist: [.env.production], secrets: ${options.secrets ?? "host"} }`,
        "policies:",
        `  production: { healthLevel: ${options.healthLevel ?? 1}, monitorSeconds: 1 }`,
        "",
      ].join("\n"),
    options.files,
  );
  onTestFinished(() => shop.cleanup());
  const target = shop.target("teller");
  if (options.hostKey !== undefined) {
    mkdirSync(join(target, "shared/persist"), { recursive: true });
    writeFileSync(join(target, "shared/persist/.env.production"), `BROKER_KEY=${options.hostKey}\n`, { mode: 0o600 });
  }
  return { shop, port, target };
}
