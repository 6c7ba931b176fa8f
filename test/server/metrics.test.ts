import { afterEach, describe, expect, it } from "vitest";
import { type Desk, deskHost, FEED_BUDGET_MS } from "./helpers.js";

let desk: Desk | undefined;
afterEach(async () => {
  await desk?.host.shutdown("test over");
  desk = undefined;
});

const line = (text: string, prefix: string) => text.split("\n").find((l) => l.startsWith(prefix));

describe("/metrics", () => {
  it("serves Prometheus text: process, HTTP, loop, trading and health, with timestamps rather than ages", async () => {
    desk = deskHost();
    const d = desk;
    await d.host.start();
    d.allGood();
    const m = d.host.metrics;
    m.attachFreshness(d.tracker);
    const t = d.clock.now();
    m.recordTick();
    m.recordTick();
    m.recordSignal("buy");
    m.recordOrder("buy", "filled");
    m.recordRejection("max_trade_usd");
    m.recordRejection("rule with spaces");
    m.recordHalt("risk");
    await d.host.app.inject("/health");
    await d.host.app.inject("/health/deep");
    d.clock.advance(FEED_BUDGET_MS + 1);

    await d.host.app.inject("/metrics");
    await d.host.app.inject("/no/such/route");
    const res = await d.host.app.inject("/metrics");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    expect(text).toContain("process_cpu_user_seconds_total");
    expect(text).toContain("nodejs_heap_size_used_bytes");
    expect(line(text, 'tradeops_http_requests_total{method="GET",route="/health",status_code="200"}')).toMatch(/ 1$/);
    // probes are counted, not timed; other routes are both
    expect(text).not.toContain(
      'tradeops_http_request_duration_seconds_bucket{le="0.001",method="GET",route="/health"}',
    );
    expect(text).toContain('tradeops_http_request_duration_seconds_bucket{le="0.001",method="GET",route="/metrics"}');
    expect(line(text, 'tradeops_http_requests_total{method="GET",route="/metrics",status_code="200"}')).toMatch(/ 1$/);
    expect(line(text, 'tradeops_http_requests_total{method="GET",route="unmatched",status_code="404"}')).toMatch(/ 1$/);
    expect(line(text, 'tradeops_http_requests_total{method="GET",route="/health/deep",status_code="200"}')).toMatch(
      / 1$/,
    );
    expect(line(text, "tradeops_loop_ticks_total ")).toBe("tradeops_loop_ticks_total 2");
    expect(line(text, "tradeops_loop_last_tick_timestamp_seconds ")).toBe(
      `tradeops_loop_last_tick_timestamp_seconds ${t / 1000}`,
    );
    expect(line(text, "tradeops_signals_total")).toBe('tradeops_signals_total{side="buy"} 1');
    expect(line(text, "tradeops_orders_total")).toBe('tradeops_orders_total{side="buy",outcome="filled"} 1');
    expect(text).toContain('tradeops_risk_rejections_total{rule="max_trade_usd"} 1');
    expect(text).toContain('tradeops_risk_rejections_total{rule="other"} 1');
    expect(line(text, "tradeops_halts_total")).toBe('tradeops_halts_total{source="risk"} 1');
    expect(line(text, "tradeops_trading_halted ")).toBe("tradeops_trading_halted 1");
    expect(line(text, "tradeops_last_halt_timestamp_seconds ")).toBe(
      `tradeops_last_halt_timestamp_seconds ${t / 1000}`,
    );
    // the feed went quiet past its budget: 2 = unhealthy, and the last receive time (not an age) is exported
    expect(line(text, 'tradeops_health_component_status{component="data_feed"}')).toMatch(/ 2$/);
    expect(line(text, 'tradeops_health_component_status{component="service"}')).toMatch(/ 0$/);
    expect(line(text, 'tradeops_marketdata_last_receive_timestamp_seconds{stream="AAPL:1Min"}')).toBe(
      `tradeops_marketdata_last_receive_timestamp_seconds{stream="AAPL:1Min"} ${t / 1000}`,
    );
    expect(line(text, 'tradeops_health_check_status{check="event_loop"}')).toMatch(/ 0$/);
    expect(line(text, "tradeops_health_check_last_run_timestamp_seconds ")).toBe(
      `tradeops_health_check_last_run_timestamp_seconds ${t / 1000}`,
    );
    expect(line(text, "tradeops_service_info")).toBe('tradeops_service_info{service="argo",execution_mode="paper"} 1');
    expect(text).not.toMatch(/_age_seconds/);
  });
});
