/** `tradeops lock status|break`: the deploy lock of each target and project. */
import { breakLock, readLock, targetViews } from "../../deploy/listing.js";
import { requireTarget } from "../../deploy/targets.js";
import { EXIT, TroError } from "../../errors.js";
import { createExecutor } from "../../exec/create.js";
import { openFromRun, targetArguments } from "../context.js";
import { hostnameOf, whoAmI } from "../identity.js";
import type { Handler } from "../program.js";

export const lockStatusCommand: Handler = async (run) => {
  const ctx = openFromRun(run);
  const { project, environment } = targetArguments(run, ctx, { example: "tradeops lock status argo production" });
  if (project) requireTarget(ctx.workspace, environment, project);
  const locks = [];
  for (const view of targetViews(ctx.workspace, environment, project)) {
    const executor = createExecutor(view.host, { env: run.io.env });
    try {
      locks.push({ project: view.project, host: view.host, ...(await readLock(view, executor, hostnameOf(run))) });
    } finally {
      await executor.close();
    }
  }
  if (run.globals.json) {
    run.out.json({ environment, locks });
    return EXIT.ok;
  }
  const c = run.out.colors;
  if (!locks.length) run.out.line(`no target in ${environment}`);
  for (const l of locks) {
    if (!l.held) run.out.line(`${l.project}@${l.host}  ${c.green("free")}`);
    else {
      const o = l.owner;
      const who = o ? `held by ${o.who} (pid ${o.pid} on ${o.host}) since ${o.startedAt}: ${o.command}` : "held";
      run.out.line(
        `${l.project}@${l.host}  ${l.stale ? c.yellow("stale") : c.red("held")}  ${who}${l.stale ? ` — stale: ${l.staleReason}` : ""}`,
      );
    }
  }
  return EXIT.ok;
};

export const lockBreakCommand: Handler = async (run) => {
  const ctx = openFromRun(run);
  const { project, environment } = targetArguments(run, ctx, {
    example: 'tradeops lock break argo production --reason "the deploy host rebooted"',
  });
  if (!project)
    throw new TroError("TRO_ERR_USAGE", "Name the project whose lock to break.", {
      hint: 'e.g. tradeops lock break argo production --reason "the deploy host rebooted"',
    });
  const reason = String(run.opts.reason ?? "").trim();
  if (!reason)
    throw new TroError("TRO_ERR_USAGE", "lock break needs --reason TEXT.", {
      hint: 'e.g. --reason "the deploy host rebooted mid-deploy"',
    });
  requireTarget(ctx.workspace, environment, project);
  const broken = [];
  for (const view of targetViews(ctx.workspace, environment, project)) {
    const executor = createExecutor(view.host, { env: run.io.env });
    try {
      broken.push({
        host: view.host,
        owner: (await breakLock(view, executor, { hostname: hostnameOf(run), who: whoAmI(run), reason })) ?? null,
      });
    } finally {
      await executor.close();
    }
  }
  if (run.globals.json) run.out.json({ ok: true, project, environment, broken });
  else
    for (const b of broken)
      run.out.line(
        b.owner
          ? `broke the lock of ${project}@${b.host} held by ${b.owner.who} since ${b.owner.startedAt}`
          : `${project}@${b.host} was not locked`,
      );
  return EXIT.ok;
};
