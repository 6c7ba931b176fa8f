/**
 * The desk console: a small single-page app over /api/v1 (hash routes, so the server serves one page): overview,
 * strategy pages, signals, deploys, backtests. Built by `npm run build` into dist/console and served by the
 * console itself.
 */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { type Environment, get, type Project, TOKEN_NEEDED } from "./api.js";
import { ModeBadge, TokenDialog, usePoll } from "./components.js";
import { duration } from "./format.js";
import { BacktestsPage } from "./pages/backtests.js";
import { DeploysPage } from "./pages/deploys.js";
import { Overview } from "./pages/overview.js";
import { SignalsPage } from "./pages/signals.js";
import { StrategyPage } from "./pages/strategy.js";
import "./styles.css";

function useRoute(): string {
  const [hash, setHash] = useState(location.hash || "#/");
  useEffect(() => {
    const on = () => setHash(location.hash || "#/");
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return hash;
}

/** LIVE when any strategy trades real money here, else the first strategy's mode (PAPER in development). */
function deskMode(projects: Project[] | undefined): Project["mode"] {
  const modes = (projects ?? []).map((p) => p.mode).filter(Boolean) as NonNullable<Project["mode"]>[];
  return modes.includes("LIVE") ? "LIVE" : (modes[0] ?? null);
}

function App() {
  const route = useRoute();
  const env = usePoll(() => get<Environment>("/environment"), 5000);
  const projects = usePoll(() => get<{ projects: Project[] }>("/projects"), 5000);
  const [tokenOpen, setTokenOpen] = useState(false);
  useEffect(() => {
    const ask = () => setTokenOpen(true);
    addEventListener(TOKEN_NEEDED, ask);
    return () => removeEventListener(TOKEN_NEEDED, ask);
  }, []);
  const environment = env.data?.environment ?? "";
  const [, page = "", arg = ""] = route.split("/");
  useEffect(() => {
    document.title = `${page || "overview"} · ${env.data?.workspace ?? "desk"} (${environment}) · tradeops`;
  }, [page, env.data, environment]);
  const nav = [
    ["", "Overview"],
    ["signals", "Signals"],
    ["deploys", "Deploys"],
    ["backtests", "Backtests"],
  ];
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <div class="brand">
          <strong>{env.data?.workspace ?? "tradeops"}</strong>
          <span class="env" title={env.data ? `decided by ${env.data.source}: ${env.data.detail}` : ""}>
            {environment}
          </span>
          <ModeBadge mode={deskMode(projects.data?.projects)} large />
        </div>
        <nav aria-label="pages">
          {nav.map(([path, label]) => (
            <a key={path} href={`#/${path}`} aria-current={page === path ? "page" : undefined}>
              {label}
            </a>
          ))}
          <a href="/docs" target="_blank" rel="noopener">
            API docs
          </a>
          <button type="button" onClick={() => setTokenOpen(true)}>
            Token
          </button>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {page === "strategy" && arg ? (
          <StrategyPage name={decodeURIComponent(arg)} environment={environment} />
        ) : page === "signals" ? (
          <SignalsPage />
        ) : page === "deploys" ? (
          <DeploysPage environment={environment} />
        ) : page === "backtests" ? (
          <BacktestsPage />
        ) : (
          <Overview environment={environment} />
        )}
      </main>
      <footer class="muted">
        {env.data ? `console up ${duration(env.data.uptimeSeconds)} · environment decided by ${env.data.source}` : ""}
      </footer>
      <TokenDialog open={tokenOpen} onClose={() => setTokenOpen(false)} />
    </>
  );
}

render(<App />, document.getElementById("app")!);
