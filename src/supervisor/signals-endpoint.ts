/**
 * The supervisor's local signal endpoint (signals/append-endpoint.ts) on 127.0.0.1: services of any language
 * record signals with TRADEOPS_SIGNALS_URL and TRADEOPS_SIGNALS_TOKEN. The key and the port are kept in the state
 * directory, so a restarted supervisor answers the services it adopts at the address they were given.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { EnvironmentName } from "../environment/names.js";
import { createAppendHandler, signalsTokenFor } from "../signals/append-endpoint.js";
import { openSignalStore } from "../signals/open.js";
import type { SignalStore } from "../signals/types.js";
import type { Workspace } from "../workspace/types.js";

export interface SignalsEndpoint {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** the variables one project's service gets */
  variables(project: string): Record<string, string>;
  close(): Promise<void>;
}

export interface SignalsEndpointOptions {
  readonly stateDir: string;
  readonly environment: EnvironmentName;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly workspace: () => Workspace;
}

function listen(server: Server, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const failed = () => resolve(undefined);
    server.once("error", failed);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", failed);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Starts the endpoint: on the port of the previous supervisor of this state directory when it is free. */
export async function startSignalsEndpoint(options: SignalsEndpointOptions): Promise<SignalsEndpoint> {
  const file = join(options.stateDir, "signals-endpoint.json");
  const previous = existsSync(file)
    ? (JSON.parse(readFileSync(file, "utf8")) as { key?: string; port?: number })
    : undefined;
  const key = previous?.key ?? randomBytes(32).toString("hex");
  let store: Promise<SignalStore> | undefined;
  const server = createServer(
    createAppendHandler({
      key,
      isProject: (project) => Boolean(options.workspace().projects[project]),
      store: () => {
        store ??= openSignalStore({
          workspace: options.workspace(),
          environment: options.environment,
          env: options.env,
        });
        store.catch(() => (store = undefined));
        return store;
      },
    }),
  );
  const port = (previous?.port ? await listen(server, previous.port) : undefined) ?? (await listen(server, 0));
  if (port === undefined) throw new Error("the signal endpoint could not listen on 127.0.0.1");
  writeFileSync(file, JSON.stringify({ key, port }), { mode: 0o600 });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    variables: (project) => ({
      TRADEOPS_SIGNALS_URL: `${url}/signals/${project}`,
      TRADEOPS_SIGNALS_TOKEN: signalsTokenFor(key, project),
    }),
    async close() {
      await new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await (await store?.catch(() => undefined))?.close();
    },
  };
}
