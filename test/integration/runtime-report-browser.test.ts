/**
 * The backtest report in a real browser (headless Chromium through playwright-core): it renders offline, the
 * price chart draws its closes, indicator lines and trade markers, the equity chart has its benchmark line, the
 * monthly table, the summary and the trades are what the JSON says. A screenshot is taken of what a person
 * looks at; the assertions are on the DOM.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, copyWorkspace } from "../helpers/cli.js";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let ws: string;
let profile: string;
beforeAll(() => {
  ws = copyWorkspace();
  profile = mkdtempSync(join(tmpdir(), "tradeops-chromium-"));
});
afterAll(() => {
  rmSync(ws, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
});

describe("the HTML report in Chromium", () => {
  it("shows the summary, the charts, the monthly table and every trade, with nothing loaded from the network", async () => {
    expect(existsSync(CHROMIUM), "chromium is installed by scripts/provision.mjs").toBe(true);
    const { code, stdout, stderr } = await cli(["--workspace", ws, "--json", "backtest", "argo"]);
    expect(code, stderr).toBe(0);
    const html = JSON.parse(stdout).files.html as string;
    const report = JSON.parse(readFileSync(html.replace(/\.html$/, ".json"), "utf8"));

    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: ARGS,
      headless: true,
      viewport: { width: 1280, height: 900 },
    });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on("request", (r) => requests.push(r.url()));
      await page.goto(`file://${html}`);
      expect(await page.title()).toBe("argo backtest");
      expect(await page.textContent('[data-stat="trades"]')).toBe(String(report.summary.trades));
      expect(await page.textContent('[data-stat="return"]')).toMatch(/^[+−]\d+\.\d\d%$/);
      for (const selector of [
        'svg[aria-label="equity curve"] path.equity',
        'svg[aria-label="equity curve"] path.benchmark',
        'svg[aria-label="drawdown"] path[fill="none"]',
      ]) {
        expect((await page.getAttribute(selector, "d"))?.split("L").length).toBeGreaterThan(500);
      }
      // the price chart drew (lightweight-charts, inlined): every close, a marker per entry and exit
      await page.waitForSelector("#price-chart[data-points]");
      expect(await page.getAttribute("#price-chart", "data-points")).toBe("5105");
      expect(Number(await page.getAttribute("#price-chart", "data-markers"))).toBe(
        2 * report.trades.length + report.openTrades.length,
      );
      expect((await page.locator("#price-chart canvas").first().boundingBox())!.height).toBeGreaterThan(300);
      expect(await page.locator("#returns tbody tr").count()).toBe(21); // 2000 … 2020
      expect(await page.locator("#open-trades tbody tr").count()).toBe(report.openTrades.length);
      expect(await page.locator("#trades tbody tr").count()).toBe(report.trades.length);
      expect(await page.textContent("#reconciliation")).toContain("Reconciled to the cent");
      const box = await page.locator("#equity svg").boundingBox();
      expect(box!.width).toBeGreaterThan(800);
      expect(requests.filter((u) => !u.startsWith("file://"))).toEqual([]);
      await page.screenshot({ path: join(profile, "report.png"), fullPage: false });
      expect(readFileSync(join(profile, "report.png")).length).toBeGreaterThan(10_000);
    } finally {
      await browser.close();
    }
  });
});
