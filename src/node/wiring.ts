/**
 * The venue and the feed a run plan asks for: the simulated broker and a replay of archived bars, or the
 * Alpaca account bound to the environment (credentials from the secrets area, the account guards from the
 * accounts area, run before any order endpoint) and Alpaca's live bars, cached in the bar archive.
 */
import { checkAccount } from "../accounts/check.js";
import { defaultBaseUrl } from "../accounts/guards.js";
import { AlpacaClient } from "../adapters/alpaca/client.js";
import { alpacaBarFeed } from "../adapters/alpaca/market-data.js";
import { AlpacaVenue } from "../adapters/alpaca/venue.js";
import type { EnvironmentName } from "../environment/names.js";
import { TroError } from "../errors.js";
import { openBarArchive } from "../runtime/data/archive.js";
import { describeSpec, resolvePath } from "../runtime/data/source.js";
import type { OrderGate } from "../runtime/execution/gate.js";
import { SimulatedBroker } from "../runtime/execution/simulated-broker.js";
import type { ExecutionVenue } from "../runtime/execution/venue.js";
import type { FeedSpec } from "../runtime/modes/session.js";
import type { RunPlan } from "../runtime/plan.js";
import { historyFor, type PreparedProject } from "../runtime/runner.js";
import { ensureSecrets, resolveSecrets } from "../secrets/resolve.js";
import type { Workspace } from "../workspace/types.js";

export interface WiringOptions {
  readonly workspace: Workspace;
  readonly prepared: PreparedProject;
  readonly plan: RunPlan;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal: AbortSignal;
  /** replay speed (times real time); the config's data.replay_speed when not given */
  readonly speed?: number;
  /** a failed market-data poll */
  readonly onFeedError?: (message: string) => void;
  /** market data base URL (default Alpaca's) */
  readonly dataUrl?: string;
  /** the order permit a broker venue asks immediately before each send */
  readonly gate?: OrderGate;
}

/** The Alpaca client for the environment's account binding. @throws TroError TRO_ERR_USAGE without a binding */
export function alpacaClientFor(o: Pick<WiringOptions, "workspace" | "prepared" | "env" | "dataUrl">): AlpacaClient {
  const { prepared } = o;
  const binding = prepared.project.accounts[prepared.environment];
  if (!binding?.credentials) {
    throw new TroError(
      "TRO_ERR_USAGE",
      `${prepared.project.name} binds no account with credentials in ${prepared.environment}.`,
      {
        hint: `Add projects.${prepared.project.name}.accounts.${prepared.environment}.credentials to tradeops.yaml.`,
      },
    );
  }
  const names = binding.credentials;
  return new AlpacaClient({
    baseUrl: defaultBaseUrl(binding),
    dataUrl: o.dataUrl ?? o.env.TRADEOPS_ALPACA_DATA_URL,
    credentials: async () => {
      const report = await resolveSecrets({
        workspace: o.workspace,
        project: prepared.project.name,
        environment: prepared.environment as EnvironmentName,
        env: o.env,
        config: prepared.config.values,
        names: [names.keyId, names.secretKey],
      });
      const secrets = ensureSecrets(report);
      return { keyId: secrets.get(names.keyId)!, secretKey: secrets.get(names.secretKey)! };
    },
  });
}

/** The venue of a plan. @throws TroError as alpacaClientFor */
export function createVenue(o: WiringOptions): ExecutionVenue {
  const { plan, prepared } = o;
  if (plan.venue === "simulated") return new SimulatedBroker(prepared.settings.simulation);
  const client = alpacaClientFor(o);
  return new AlpacaVenue({
    client,
    account: plan.venue === "broker-live" ? "live" : "paper",
    ...(o.gate ? { gate: o.gate } : {}),
    guard: async () => {
      await checkAccount({
        workspace: o.workspace,
        project: prepared.project.name,
        environment: prepared.environment as EnvironmentName,
        env: o.env,
        config: prepared.config.values,
      });
    },
  });
}

/** The feed of a plan: a replay of history, or live bars. @throws TroError TRO_ERR_DATA_SOURCE */
export function createFeed(o: WiringOptions): FeedSpec {
  const { plan, prepared, workspace } = o;
  if (plan.feed !== "live") {
    const series = historyFor(prepared, workspace.root, plan.data);
    const speed = plan.mode === "backtest" ? Number.POSITIVE_INFINITY : (o.speed ?? prepared.settings.replaySpeed);
    return { kind: "replay", series, speed, description: describeSpec(plan.data) };
  }
  const client = alpacaClientFor(o);
  const archivePath = resolvePath(workspace.root, prepared.settings.archive);
  async function* bars() {
    const archive = openBarArchive(archivePath);
    try {
      yield* alpacaBarFeed({
        client,
        symbols: prepared.symbols,
        timeframe: prepared.settings.timeframe,
        archive,
        signal: o.signal,
        onError: o.onFeedError,
      });
    } finally {
      archive.close();
    }
  }
  return { kind: "live", description: describeSpec(plan.data), bars: bars() };
}

/** The venue and the feed of a plan, together. @throws TroError as createVenue and createFeed */
export function wireRun(o: WiringOptions): { venue: ExecutionVenue; feed: FeedSpec } {
  return { venue: createVenue(o), feed: createFeed(o) };
}
