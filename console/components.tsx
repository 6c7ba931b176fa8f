/** Pieces every page uses: the mode badge, health lights, the kill-switch confirmation, the token form. */
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, getToken, type Project, post, setToken } from "./api.js";

export function ModeBadge({ mode, large }: { mode: Project["mode"]; large?: boolean }) {
  if (!mode) return null;
  return (
    <span class={`badge badge-${mode.toLowerCase()}${large ? " badge-large" : ""}`} data-testid="mode-badge">
      {mode}
    </span>
  );
}

const LIGHT: Record<string, string> = { healthy: "ok", degraded: "warn" };

export function HealthLight({ level, status }: { level: string; status: string }) {
  const tone = LIGHT[status] ?? (status === "unknown" || status === "absent" ? "off" : "bad");
  return (
    <span class={`light light-${tone}`} title={`health ${level}: ${status}`}>
      <span class="dot" aria-hidden="true" />
      {level} {status}
    </span>
  );
}

/** A modal dialog (the native one: focus stays inside, Escape closes it). */
function useModal(open: boolean) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (open && d && !d.open) d.showModal();
    if (!open && d?.open) d.close();
  }, [open]);
  return ref;
}

export interface SwitchTarget {
  project: Project;
  environment: string;
  action: "halt" | "resume";
}

/** The kill switch's confirmation: it names the project, the environment and the account before anything happens. */
export function KillSwitchDialog(props: { target: SwitchTarget | null; onClose: (done: boolean) => void }) {
  const ref = useModal(props.target !== null);
  const [reason, setReason] = useState("");
  const [token, setTokenText] = useState(getToken());
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const t = props.target;
  if (!t) return <dialog ref={ref} aria-label="kill switch" />;
  const account = t.project.account
    ? `${t.project.account.broker} ${t.project.account.mode} account ${t.project.account.name ?? t.project.account.id ?? ""}`.trim()
    : "no broker account";
  const verb = t.action === "halt" ? "Halt" : "Resume";
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    setToken(token.trim());
    try {
      await post(`/projects/${encodeURIComponent(t.project.name)}/${t.action}`, reason ? { reason } : {});
      setReason("");
      props.onClose(true);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "the console did not answer");
    } finally {
      setBusy(false);
    }
  };
  return (
    <dialog ref={ref} aria-labelledby="ks-title" onClose={() => props.onClose(false)} class="dialog">
      <form method="dialog" onSubmit={submit}>
        <h2 id="ks-title">
          {verb} trading of {t.project.name}?
        </h2>
        <dl class="facts" data-testid="kill-switch-facts">
          <dt>Project</dt>
          <dd>{t.project.name}</dd>
          <dt>Environment</dt>
          <dd>{t.environment}</dd>
          <dt>Account</dt>
          <dd>{account}</dd>
          <dt>Mode</dt>
          <dd>{t.project.mode ?? "–"}</dd>
        </dl>
        <p>
          {t.action === "halt"
            ? "No new order is sent until trading is resumed. Open positions stay as they are."
            : "The strategy may send orders again as soon as it is resumed."}
        </p>
        <label>
          Reason
          <input
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
            maxLength={200}
            required={t.action === "halt"}
          />
        </label>
        <label>
          Console token
          <input
            type="password"
            autoComplete="current-password"
            value={token}
            onInput={(e) => setTokenText(e.currentTarget.value)}
          />
        </label>
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : null}
        <div class="actions">
          <button type="button" onClick={() => props.onClose(false)}>
            Cancel
          </button>
          <button type="submit" class={t.action === "halt" ? "danger" : "primary"} disabled={busy}>
            {verb} {t.project.name} in {t.environment}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** Asks for the console token once per tab. */
export function TokenDialog(props: { open: boolean; onClose: () => void }) {
  const ref = useModal(props.open);
  const [token, setTokenText] = useState(getToken());
  return (
    <dialog ref={ref} aria-labelledby="token-title" onClose={props.onClose} class="dialog">
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          setToken(token.trim());
          props.onClose();
        }}
      >
        <h2 id="token-title">Console token</h2>
        <p>
          Changes (halt, start, stop, backtests) need the console token. It is kept in this tab only; ask again after
          saving it.
        </p>
        <label>
          Token
          <input
            type="password"
            autoComplete="current-password"
            value={token}
            onInput={(e) => setTokenText(e.currentTarget.value)}
          />
        </label>
        <div class="actions">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="primary">
            Save
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** Polls a loader every `ms`, keeping the last answer (and the last error) while the page is open. */
export function usePoll<T>(
  load: () => Promise<T>,
  ms: number,
  deps: unknown[] = [],
): { data: T | undefined; error: string; reload: () => void } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState("");
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    const run = () =>
      load().then(
        (d) => {
          if (live) {
            setData(d);
            setError("");
          }
        },
        (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
      );
    void run();
    const timer = setInterval(run, ms);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [...deps, tick]);
  return { data, error, reload: () => setTick((n) => n + 1) };
}
