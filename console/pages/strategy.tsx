/** One strategy: its book (price chart with entries and exits, equity and drawdown, positions, orders) and live signals. */
import { useEffect, useState } from "preact/hooks";
import { type Book, get, type Project, type SignalRecord, subscribe } from "../api.js";
import { EquityChart, PriceChart } from "../charts.js";
import { HealthLight, KillSwitchDialog, ModeBadge, type SwitchTarget, usePoll } from "../components.js";
import { money, pct, shortTime, summarize } from "../format.js";

const LIVE_SIGNALS = 50;

export function StrategyPage({ name, environment }: { name: string; environment: string }) {
  const project = usePoll(() => get<Project>(`/projects/${encodeURIComponent(name)}`), 2000, [name]);
  const running = project.data?.state === "running" || project.data?.state === "unhealthy";
  const book = usePoll(
    () => (running ? get<Book>(`/projects/${encodeURIComponent(name)}/portfolio`) : Promise.resolve(undefined)),
    2000,
    [name, running],
  );
  const [signals, setSignals] = useState<SignalRecord[]>([]);
  const [target, setTarget] = useState<SwitchTarget | null>(null);
  useEffect(() => {
    setSignals([]);
    void get<{ records: SignalRecord[] }>(`/signals?project=${encodeURIComponent(name)}&limit=${LIVE_SIGNALS}`).then(
      (page) => setSignals(page.records),
      () => undefined,
    );
    return subscribe(`/signals/stream?project=${encodeURIComponent(name)}`, {
      signal: (r) => setSignals((list) => [r as SignalRecord, ...list].slice(0, LIVE_SIGNALS)),
    });
  }, [name]);
  const p = project.data;
  const b = book.data;
  const symbols = b ? Object.keys(b.prices) : [];
  return (
    <section aria-labelledby="strategy-title">
      <div class="page-head">
        <h1 id="strategy-title">{name}</h1>
        {p ? <ModeBadge mode={p.mode} large /> : null}
        {p ? (
          <div class="lights">
            <HealthLight level="L1" status={p.health.level1} />
            <HealthLight level="L2" status={p.health.level2} />
          </div>
        ) : null}
        {p ? (
          p.killSwitch?.state === "halted" ? (
            <button type="button" onClick={() => setTarget({ project: p, environment, action: "resume" })}>
              Resume
            </button>
          ) : (
            <button type="button" class="danger" onClick={() => setTarget({ project: p, environment, action: "halt" })}>
              Halt {p.name}
            </button>
          )
        ) : null}
      </div>
      {project.error ? (
        <p class="error" role="alert">
          {project.error}
        </p>
      ) : null}
      {p && !running ? (
        <p class="notice">
          {name} is {p.state}: start it from the overview to see its book.
        </p>
      ) : null}
      {book.error ? <p class="notice">{book.error}</p> : null}
      {b ? (
        <>
          <dl class="stats" data-testid="book">
            <div>
              <dt>Equity</dt>
              <dd>{money(b.equity)}</dd>
            </div>
            <div>
              <dt>Cash</dt>
              <dd>{money(b.cash)}</dd>
            </div>
            <div>
              <dt>Realised P&amp;L</dt>
              <dd>{money(b.realizedPnl)}</dd>
            </div>
            <div>
              <dt>Unrealised P&amp;L</dt>
              <dd>{money(b.unrealizedPnl)}</dd>
            </div>
            <div>
              <dt>Drawdown</dt>
              <dd>
                {pct(b.drawdown)} <span class="muted">(max {pct(b.maxDrawdown)})</span>
              </dd>
            </div>
            <div>
              <dt>Trading</dt>
              <dd>{b.tradingState}</dd>
            </div>
          </dl>
          {symbols.map((s) => (
            <figure key={s}>
              <figcaption>{s}: price, entries and exits</figcaption>
              <PriceChart book={b} symbol={s} />
            </figure>
          ))}
          <figure>
            <figcaption>Equity and drawdown{b.time ? ` to ${shortTime(b.time)}` : ""}</figcaption>
            <EquityChart book={b} />
          </figure>
          <h2>Positions</h2>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Symbol</th>
                  <th scope="col">Qty</th>
                  <th scope="col">Avg price</th>
                  <th scope="col">Last</th>
                  <th scope="col">Value</th>
                  <th scope="col">Unrealised</th>
                </tr>
              </thead>
              <tbody>
                {b.positions.map((x) => (
                  <tr key={x.symbol}>
                    <td>{x.symbol}</td>
                    <td>{x.qty}</td>
                    <td>{money(x.avgPrice)}</td>
                    <td>{x.lastPrice === null ? "–" : money(x.lastPrice)}</td>
                    <td>{money(x.marketValue)}</td>
                    <td>{money(x.unrealizedPnl)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h2>Open orders</h2>
          {b.openOrders.length ? (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Id</th>
                    <th scope="col">Side</th>
                    <th scope="col">Symbol</th>
                    <th scope="col">Qty</th>
                    <th scope="col">Filled</th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {b.openOrders.map((o) => (
                    <tr key={o.id}>
                      <td>{o.id}</td>
                      <td>{o.side}</td>
                      <td>{o.symbol}</td>
                      <td>{o.qty}</td>
                      <td>{o.filledQty}</td>
                      <td>{o.status}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p class="muted">No open orders.</p>
          )}
        </>
      ) : null}
      <h2>Live signals</h2>
      <ol class="signals" aria-live="polite" data-testid="live-signals">
        {signals.map((r) => (
          <li key={`${r.project}-${r.seq}`}>
            <span class="mono">{shortTime(r.time)}</span> <strong>{r.kind}</strong> {summarize(r.payload)}
          </li>
        ))}
      </ol>
      <KillSwitchDialog
        target={target}
        onClose={() => {
          setTarget(null);
          project.reload();
        }}
      />
    </section>
  );
}
