/** Every project at a glance: a large PAPER / LIVE badge, health lights, state, release, colour, uptime, controls. */
import { useState } from "preact/hooks";
import { ApiError, get, type Project, post } from "../api.js";
import { HealthLight, KillSwitchDialog, ModeBadge, type SwitchTarget, usePoll } from "../components.js";
import { duration } from "../format.js";

export function Overview({ environment }: { environment: string }) {
  const { data, error, reload } = usePoll(() => get<{ projects: Project[] }>("/projects"), 2000);
  const [target, setTarget] = useState<SwitchTarget | null>(null);
  const [notice, setNotice] = useState("");
  const act = async (project: Project, action: "start" | "stop" | "restart") => {
    setNotice(`${action}ing ${project.name}…`);
    try {
      await post(`/projects/${encodeURIComponent(project.name)}/${action}`);
      setNotice(`${project.name}: ${action} done`);
    } catch (e) {
      setNotice(e instanceof ApiError ? `${project.name}: ${e.message}` : `${project.name}: ${action} failed`);
    }
    reload();
  };
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <p class="notice" role="status" aria-live="polite">
        {notice}
      </p>
      <ul class="cards">
        {(data?.projects ?? []).map((p) => (
          <li class="card" key={p.name} data-project={p.name}>
            <div class="card-head">
              <h2>
                {p.kind === "strategy" ? <a href={`#/strategy/${encodeURIComponent(p.name)}`}>{p.name}</a> : p.name}
              </h2>
              <ModeBadge mode={p.mode} large />
            </div>
            <p class="muted">
              {p.kind}
              {p.description ? ` · ${p.description}` : ""}
            </p>
            <div class="lights">
              <HealthLight level="L1" status={p.health.level1} />
              <HealthLight level="L2" status={p.health.level2} />
            </div>
            <dl class="facts">
              <dt>State</dt>
              <dd data-testid="state">{p.state}</dd>
              <dt>Release</dt>
              <dd>
                {p.release ?? "–"}
                {p.color ? ` (${p.color})` : ""}
              </dd>
              <dt>Uptime</dt>
              <dd>{duration(p.uptimeSeconds)}</dd>
              {p.account ? (
                <>
                  <dt>Account</dt>
                  <dd>
                    {p.account.broker} {p.account.mode} {p.account.name ?? p.account.id ?? ""}
                  </dd>
                </>
              ) : null}
              {p.kind === "strategy" ? (
                <>
                  <dt>Trading</dt>
                  <dd data-testid="kill-switch">
                    {p.killSwitch?.state === "halted" ? (
                      <strong class="halted">halted: {p.killSwitch.reason}</strong>
                    ) : (
                      "active"
                    )}
                  </dd>
                </>
              ) : null}
              {p.lastFailure ? (
                <>
                  <dt>Last failure</dt>
                  <dd>{p.lastFailure}</dd>
                </>
              ) : null}
            </dl>
            <div class="actions">
              {p.kind === "strategy" ? (
                p.killSwitch?.state === "halted" ? (
                  <button type="button" onClick={() => setTarget({ project: p, environment, action: "resume" })}>
                    Resume
                  </button>
                ) : (
                  <button
                    type="button"
                    class="danger"
                    onClick={() => setTarget({ project: p, environment, action: "halt" })}
                  >
                    Halt {p.name}
                  </button>
                )
              ) : null}
              {p.startable ? (
                p.state === "running" || p.state === "starting" || p.state === "unhealthy" ? (
                  <>
                    <button type="button" onClick={() => act(p, "restart")}>
                      Restart
                    </button>
                    <button type="button" onClick={() => act(p, "stop")}>
                      Stop
                    </button>
                  </>
                ) : (
                  <button type="button" onClick={() => act(p, "start")}>
                    Start
                  </button>
                )
              ) : null}
            </div>
          </li>
        ))}
      </ul>
      <KillSwitchDialog
        target={target}
        onClose={(done) => {
          if (done && target) setNotice(`${target.project.name}: ${target.action === "halt" ? "halted" : "resumed"}`);
          setTarget(null);
          reload();
        }}
      />
    </section>
  );
}
