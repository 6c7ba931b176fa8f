/** The signal store over any backend: validation, grouping by chain, verify across chains, retention. */
import type { EnvironmentName } from "../environment/names.js";
import { TroError } from "../errors.js";
import type { Backend } from "./backend.js";
import { type CheckedInput, checkInputs, normalizeTime } from "./prepare.js";
import { checkpointInput, retentionCutoff } from "./retention.js";
import type {
  Anchor,
  ChainVerification,
  IntegrityFinding,
  PruneResult,
  SignalInput,
  SignalRecord,
  SignalStore,
  VerifyReport,
} from "./types.js";
import { verifyChain } from "./verify.js";

/** records per page when reading for tail and export */
export const READ_PAGE_SIZE = 1000;

export interface CreateSignalStoreOptions {
  readonly environment: EnvironmentName;
  /** the clock that times records appended without a time, and prunes */
  readonly now?: () => Date;
}

/** Wraps a backend into the SignalStore every caller uses. */
export function createSignalStore(backend: Backend, options: CreateSignalStoreOptions): SignalStore {
  const { environment } = options;
  const now = options.now ?? (() => new Date());

  async function verify(opts: { readonly project?: string; readonly anchors?: readonly Anchor[] } = {}) {
    const keys = opts.project ? [{ environment, project: opts.project }] : await backend.chains(environment);
    const chains = await backend.snapshot(async (reader) => {
      const out = [];
      for (const key of keys) out.push(await verifyChain(reader, key));
      return out;
    });
    const integrity = ((await backend.integrity?.(environment)) ?? []).filter(
      (f) => !opts.project || !f.project || f.project === opts.project,
    );
    const anchors = [];
    for (const anchor of opts.anchors ?? []) {
      const finding = await checkAnchor(
        anchor,
        chains.find((c) => c.project === anchor.project),
      );
      anchors.push({ ...anchor, ok: !finding });
      if (finding) integrity.push(finding);
    }
    const report: VerifyReport = {
      ok: chains.every((c) => c.ok) && !integrity.length,
      environment,
      chains,
      integrity,
      anchors,
    };
    return report;
  }

  /** A saved head against the chain now: the record must still be there with the same hash. */
  async function checkAnchor(
    anchor: Anchor,
    chain: ChainVerification | undefined,
  ): Promise<IntegrityFinding | undefined> {
    const { project, seq, hash } = anchor;
    if (!chain?.records && !chain?.head)
      return {
        project,
        reason: "anchor-missing",
        detail: `the saved anchor ${seq}:${hash.slice(0, 12)} names a chain that holds no records now`,
      };
    if (chain.checkpoint && seq <= chain.checkpoint.throughSeq) {
      if (seq === chain.checkpoint.throughSeq && hash !== chain.checkpoint.throughHash)
        return {
          project,
          reason: "anchor-mismatch",
          detail: `record ${seq} was pruned with hash ${chain.checkpoint.throughHash.slice(0, 12)}, the saved anchor says ${hash.slice(0, 12)}`,
        };
      return undefined; // pruned by retention: the checkpoint accounts for it
    }
    let found: SignalRecord | undefined;
    for await (const page of backend.read({ environment, project }, { project, fromSeq: seq, toSeq: seq }, 1))
      found ??= page[0];
    if (!found)
      return {
        project,
        reason: "anchor-missing",
        detail: `record ${seq} of the saved anchor is gone: the chain now ends at ${chain.lastSeq ?? "nothing"} (truncated or rewritten)`,
      };
    if (found.hash !== hash)
      return {
        project,
        reason: "anchor-mismatch",
        detail: `record ${seq} now has hash ${found.hash.slice(0, 12)}, the saved anchor says ${hash.slice(0, 12)}: the chain was rewritten`,
      };
    return undefined;
  }

  return {
    environment,
    backend: backend.kind,
    location: backend.location,

    async append(inputs: readonly SignalInput[]): Promise<readonly SignalRecord[]> {
      if (!inputs.length) return [];
      // payloads are written canonically as they are chained (a refused one rolls the batch back)
      const prepared = checkInputs(inputs, normalizeTime(now()) ?? new Date().toISOString());
      const byProject = new Map<string, CheckedInput[]>();
      for (const input of prepared) {
        const group = byProject.get(input.project);
        if (group) group.push(input);
        else byProject.set(input.project, [input]);
      }
      const records = await backend.append(environment, byProject);
      if (byProject.size === 1) return records;
      // back to the caller's order
      const next = new Map<string, number>();
      let offset = 0;
      for (const [project, group] of byProject) {
        next.set(project, offset);
        offset += group.length;
      }
      return prepared.map((input) => {
        const at = next.get(input.project)!;
        next.set(input.project, at + 1);
        return records[at]!;
      });
    },

    head: (project) => backend.tip({ environment, project }),
    chains: () => backend.chains(environment),
    read: (query) => backend.read({ environment, project: query.project }, query, READ_PAGE_SIZE),
    verify,

    async prune(opts): Promise<readonly PruneResult[]> {
      const report = await verify({ project: opts.project });
      const broken = report.chains.find((c) => !c.ok);
      if (broken?.firstBad)
        throw new TroError(
          "TRO_ERR_SIGNALS_CHAIN_BROKEN",
          `Refusing to prune: the signal chain ${broken.environment}/${broken.project} is broken at record ${broken.firstBad.seq} (${broken.firstBad.reason}).`,
          { hint: "Pruning would destroy the evidence; investigate with `tradeops signals verify` first." },
        );
      const at = opts.now ?? now();
      const cutoff = retentionCutoff(at, opts.retentionDays);
      const stamp = normalizeTime(at) ?? at.toISOString();
      const results: PruneResult[] = [];
      for (const chain of report.chains) {
        const key = { environment: chain.environment, project: chain.project };
        const outcome = await backend.prune({
          key,
          cutoff,
          dryRun: Boolean(opts.dryRun),
          checkpoint: (plan) =>
            checkpointInput(key.project, plan, { retentionDays: opts.retentionDays, cutoff, now: stamp }),
        });
        const plan = outcome.plan;
        results.push({
          ...key,
          cutoff,
          deleted: plan ? plan.throughSeq - plan.firstSeq + 1 : 0,
          firstSeq: plan?.firstSeq,
          throughSeq: plan?.throughSeq,
          throughHash: plan?.throughHash,
          checkpointSeq: outcome.checkpoint?.seq,
          dryRun: Boolean(opts.dryRun),
        });
      }
      return results;
    },

    close: () => backend.close(),
  };
}
