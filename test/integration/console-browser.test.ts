/**
 * The desk console in a real browser (headless Chromium through playwright-core) against a running example
 * desk: `tradeops console` over the background supervisor, argo paper-trading on a replay, alpine-backend up.
 * Every page loads with no console errors; the badge says PAPER; halting argo from the page (by keyboard)
 * halts it and the signal log records it, while the API refuses the same request without the token; a
 * backtest started from the page finishes and its report opens; 1280 and 390 px layouts; AA contrast.
 * TRADEOPS_DOCS_SCREENSHOTS=1 writes the screenshots into docs/console/.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { copyWorkspace, tradeopsOnPath } from "../helpers/cli.js";
import { freePort } from "../supervisor/helpers.js";

const ROOT = join(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/tradeops.js");
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
const CONSOLE_TOKEN = "console-token-3f9a1c7e";
const CONTROL_TOKEN = "control-token-8b2d4e6a";
/** each step is a few seconds on a loaded machine; this is a ceiling, not a pause */
const STEP_MS = 30_000;
const SHOTS = process.env.TRADEOPS_DOCS_SCREENSHOTS
  ? join(ROOT, "docs/console")
  : mkdtempSync(join(tmpdir(), "console-shots-"));

let ws: string;
let env: Record<string, string>;
let consoleProcess: ChildProcess;
let base: string;
let browser: Browser;
let argoPort: number;
const errors: string[] = [];

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = STEP_MS): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const api = (path: string, init: RequestInit = {}) => fetch(`${base}/api/v1${path}`, init);
const auth = { authorization: `Bearer ${CONSOLE_TOKEN}`, "content-type": "application/json" };

beforeAll(async () => {
  expect(existsSync(CHROMIUM), "chromium is installed by scripts/provision.mjs").toBe(true);
  expect(existsSync(join(ROOT, "dist/console/index.html")), "npm run build first").toBe(true);
  ws = copyWorkspace();
  argoPort = await freePort();
  const backendPort = await freePort();
  const manifest = join(ws, "tradeops.yaml");
  writeFileSync(
    manifest,
    readFileSync(manifest, "utf8")
      .replace("port: 8000\n", `port: ${argoPort}\n`)
      .replace("port: 8001\n", `port: ${backendPort}\n`)
      // a month of bars a second: the replay trades within seconds
      .replace("start: tradeops serve argo", "start: tradeops serve argo --speed 2592000"),
  );
  // `start: tradeops serve argo` finds this tradeops on PATH
  env = {
    PATH: tradeopsOnPath(ws, process.env.PATH ?? "/usr/bin:/bin"),
    HOME: ws,
    NO_COLOR: "1",
    TRADEOPS_CONSOLE_TOKEN: CONSOLE_TOKEN,
    TRADEOPS_CONTROL_TOKEN: CONTROL_TOKEN,
    TRADEOPS_SUPERVISOR_ENTRY: BIN,
    // the development account's keys (the replay trades on the simulated broker; the guards still check them)
    ALPACA_API_KEY: "PKCONSOLETEST0000001",
    ALPACA_SECRET_KEY: "console-test-secret-000001",
  };
  consoleProcess = spawn(process.execPath, [BIN, "--workspace", ws, "console", "--port", "0"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  consoleProcess.stdout!.on("data", (d: Buffer) => (out += d));
  consoleProcess.stderr!.on("data", (d: Buffer) => (out += d));
  base = await until("the console's URL", async () => /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1]);
  for (const project of ["argo", "alpine-backend"]) {
    const r = await api(`/projects/${project}/start`, { method: "POST", headers: auth, body: "{}" });
    expect(r.status, await r.text()).toBe(200);
  }
  await until("argo's book", async () => (await api("/projects/argo/portfolio")).ok || undefined);
  await until("argo's signals", async () => {
    const page = (await (await api("/signals?project=argo&kind=signal&limit=1")).json()) as { records: unknown[] };
    return page.records.length > 0 || undefined;
  });
  // the node's own /metrics carries the book the console shows
  const metrics = await (await fetch(`http://127.0.0.1:${argoPort}/metrics`)).text();
  expect(metrics).toMatch(/^tradeops_account_equity \d/m);
  expect(metrics).toMatch(/^tradeops_position_quantity\{symbol="SPY"\}/m);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (ws) {
    // stops argo, alpine-backend and the supervisor, by their recorded pids
    await new Promise<void>((resolve) => {
      const stop = spawn(process.execPath, [BIN, "--workspace", ws, "supervisor", "stop"], { env, stdio: "ignore" });
      stop.on("exit", () => resolve());
    });
  }
  if (consoleProcess?.pid && consoleProcess.exitCode === null) consoleProcess.kill("SIGTERM");
  if (ws) rmSync(ws, { recursive: true, force: true });
}, 60_000);

async function open(width: number, hash: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: width > 600 ? 900 : 844 } });
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`${hash} @${width}: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`${hash} @${width}: ${e.message}`));
  await page.goto(`${base}/${hash}`);
  return page;
}

/** The few DOM names the contrast check uses (the tests compile without the DOM library). */
interface Node {
  readonly parentElement: Node | null;
}
type Styles = (el: Node) => { color: string; backgroundColor: string };

/** WCAG contrast ratio of an element's text against the first opaque background behind it (runs in the page). */
async function contrast(page: Page, selector: string): Promise<number> {
  return page
    .locator(selector)
    .first()
    .evaluate((el: Node) => {
      const styles = (globalThis as unknown as { getComputedStyle: Styles }).getComputedStyle;
      const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).slice(0, 4).map(Number);
      const lum = ([r, g, b]: number[]) => {
        const f = (v: number) => {
          const s = v / 255;
          return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        };
        return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
      };
      let node: Node | null = el;
      let back = [255, 255, 255];
      while (node) {
        const c = rgb(styles(node).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3]! > 0)) {
          back = c.slice(0, 3);
          break;
        }
        node = node.parentElement;
      }
      const [a, b] = [lum(rgb(styles(el).color)), lum(back)];
      return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    });
}

it("loads every page at 1280 and 390 px with no console errors; the badge says PAPER", async () => {
  for (const width of [1280, 390]) {
    const page = await open(width, "#/");
    const argo = page.locator('li[data-project="argo"]');
    await argo.getByText("running").waitFor({ timeout: STEP_MS });
    expect(await argo.locator('[data-testid="mode-badge"]').textContent()).toBe("PAPER");
    expect(await page.locator('header [data-testid="mode-badge"]').textContent()).toBe("PAPER");
    for (const selector of ['[data-testid="mode-badge"]', ".muted", ".light", "nav a", "button.danger"])
      expect(await contrast(page, selector), `${selector} at ${width}`).toBeGreaterThanOrEqual(4.5);
    await page.screenshot({ path: join(SHOTS, `overview-${width}.png`), fullPage: true });
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(width);

    // a round trip to mark on the price chart: the replay crosses its averages within a few hundred bars
    await until(
      "argo's first round trip",
      async () => {
        const book = (await (await api("/projects/argo/portfolio")).json()) as { trades: unknown[] };
        return book.trades.length > 0 || undefined;
      },
      60_000,
    );
    await page.goto(`${base}/#/strategy/argo`);
    await page.locator('[data-testid="book"]').waitFor({ timeout: STEP_MS });
    await page.locator('[data-testid="live-signals"] li').first().waitFor({ timeout: STEP_MS });
    expect(await page.locator(".chart canvas").count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, `strategy-${width}.png`), fullPage: true });

    await page.goto(`${base}/#/signals`);
    await page.locator('[data-testid="signals-table"] tbody tr').first().waitFor({ timeout: STEP_MS });
    await page.getByRole("button", { name: "Verify chains" }).click();
    await page.locator('[data-testid="verify"]').getByText("✔ intact").first().waitFor({ timeout: STEP_MS });
    await page.screenshot({ path: join(SHOTS, `signals-${width}.png`), fullPage: false });

    await page.goto(`${base}/#/deploys`);
    await page.getByText("No deploy recorded in development.").waitFor({ timeout: STEP_MS });
    await page.goto(`${base}/#/backtests`);
    await page.getByRole("button", { name: "Start backtest" }).waitFor({ timeout: STEP_MS });
    await page.close();
  }
  expect(errors).toEqual([]);
}, 120_000);

it("halts argo from the page, by keyboard, after a confirmation naming project, environment and account", async () => {
  const refused = await api("/projects/argo/halt", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ reason: "no token" }),
  });
  expect(refused.status).toBe(401);
  expect(existsSync(join(ws, ".tradeops/control/argo.json"))).toBe(false);

  const page = await open(1280, "#/");
  const argo = page.locator('li[data-project="argo"]');
  await argo.getByText("running").waitFor({ timeout: STEP_MS });
  await argo.getByRole("button", { name: "Halt argo" }).focus();
  await page.keyboard.press("Enter");
  const facts = page.locator('[data-testid="kill-switch-facts"]');
  await facts.waitFor({ timeout: STEP_MS });
  const text = (await facts.textContent()) ?? "";
  for (const fact of ["argo", "development", "alpaca paper account Dev Trading Account", "PAPER"])
    expect(text).toContain(fact);
  await page.keyboard.type("browser halt");
  await page.keyboard.press("Tab");
  await page.keyboard.type(CONSOLE_TOKEN);
  await page.screenshot({ path: join(SHOTS, "kill-switch-1280.png") });
  await page.keyboard.press("Enter");
  await argo.getByText("halted: browser halt").waitFor({ timeout: STEP_MS });

  const halt = await until("a halt record in the signal log", async () => {
    const r = (await (await api("/signals?project=argo&kind=halt&limit=5")).json()) as {
      records: { payload: { reason?: string; to?: string } }[];
    };
    return r.records.find((x) => JSON.stringify(x.payload).includes("browser halt"));
  });
  expect(halt.payload).toMatchObject({ to: "halted", reason: "browser halt" });
  const health = (await (await api("/projects/argo/health?level=2")).json()) as {
    checks: { name: string; status: string }[];
  };
  expect(health.checks.find((c) => c.name === "component:risk")?.status).toBe("degraded");
  await page.close();
  expect(errors).toEqual([]);
}, 90_000);

it("starts a backtest from the page, shows its progress and opens its report", async () => {
  const page = await open(1280, "#/backtests");
  await page.getByLabel("From", { exact: true }).fill("2012-01-01");
  await page.getByLabel("To", { exact: true }).fill("2016-01-01");
  await page.getByLabel("Initial capital").fill("50000");
  await page.getByRole("button", { name: "Start backtest" }).click();
  // refused without the token: the page asks for it, then the request goes through
  await page.getByRole("alert").getByText("a valid console token").waitFor({ timeout: STEP_MS });
  await page.getByLabel("Token", { exact: true }).fill(CONSOLE_TOKEN);
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByRole("button", { name: "Start backtest" }).click();
  const row = page.locator('[data-testid="backtests-table"] tbody tr').first();
  await row.and(page.locator('[data-status="succeeded"]')).waitFor({ timeout: 60_000 });
  const [report] = await Promise.all([
    page.waitForEvent("popup"),
    row.getByRole("link", { name: "Open report" }).click(),
  ]);
  await report.waitForLoadState();
  expect(await report.title()).toBe("argo backtest");
  expect(await report.textContent('[data-stat="return"]')).toMatch(/^[+−]\d+\.\d\d%$/);
  const jobs = (await (await api("/backtests")).json()) as { backtests: { summary: { initialCash: number } }[] };
  expect(jobs.backtests[0]!.summary.initialCash).toBe(50000);
  await report.close();
  // a second one with other capital, then the two side by side
  await page.getByLabel("Initial capital").fill("20000");
  await page.getByRole("button", { name: "Start backtest" }).click();
  const done = page.locator('[data-testid="backtests-table"] tbody tr[data-status="succeeded"]');
  await until("two finished backtests", async () => ((await done.count()) === 2 ? true : undefined), 60_000);
  await done.nth(0).getByRole("checkbox").check();
  await done.nth(1).getByRole("checkbox").check();
  const compare = page.locator('[data-testid="compare-table"]');
  await compare.waitFor({ timeout: STEP_MS });
  expect(await compare.locator("tbody tr", { hasText: "initialCash" }).textContent()).toMatch(
    /\$20,000\.00.*\$50,000\.00/,
  );
  await page.screenshot({ path: join(SHOTS, "backtests-1280.png"), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(SHOTS, "backtests-390.png"), fullPage: true });
  await page.close();
  // the one refusal asked for, as the browser reports a 401
  expect(errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
}, 120_000);
