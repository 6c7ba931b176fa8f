/** What an instance gets from its supervisor: the resolved launch, the rules and the environment, time, spawn. */
import type { HealthSettings } from "../workspace/schema.js";
import type { Workspace } from "../workspace/types.js";
import type { Clock } from "./clock.js";
import type { HealthProbe } from "./health-probe.js";
import type { Instance } from "./instance.js";
import type { StateLayout } from "./paths.js";
import type { Spawner } from "./spawn.js";
import type { InstanceRequest, StateChange } from "./types.js";

/** What a (re)start resolved from the manifest, loaded afresh each time. */
export interface Launch {
  /** the manifest as loaded for this run */
  readonly workspace: Workspace;
  readonly argv: readonly string[];
  readonly command: string;
  readonly dir: string;
  readonly port?: number;
  readonly health: HealthSettings;
  readonly sendsOrders: boolean;
}

/** the environment a service is prepared from (config, secrets and tradeops variables are added to it) */
export type BaseEnv = Readonly<Record<string, string | undefined>>;

/** What an instance needs from its supervisor. */
export interface InstanceContext {
  readonly layout: StateLayout;
  readonly clock: Clock;
  readonly spawner: Spawner;
  readonly probe: HealthProbe;
  /** SIGTERM → SIGKILL delay when the supervisor itself restarts a hung or unhealthy instance */
  readonly stopGraceMs: number;
  /** @throws TroError when the project or its start command is gone from the manifest */
  resolve(request: InstanceRequest): Launch;
  /** cross-instance rules (ports, order senders, and with `scan` leftover copies); throws TroError to refuse */
  guard(instance: Instance, launch: Launch, scan: boolean): Promise<void>;
  /** config and secrets, resolved now; secrets are registered with the scrubber */
  environment(instance: Instance, launch: Launch, base: BaseEnv): Promise<Record<string, string>>;
  scrub(text: string): string;
  changed(instance: Instance, change?: StateChange): void;
}
