import { describe, expect, it } from "vitest";
import { checkConfirmation, checkSkips, checkWindow } from "../../src/deploy/policy.js";
import { DEFAULT_POLICY, type PolicyManifest } from "../../src/workspace/schema.js";

const production: PolicyManifest = {
  ...DEFAULT_POLICY,
  confirmPhrase: "deploy fully to production",
  healthLevel: 3,
  blockedDays: ["fri", "sat", "sun"],
  blockedHours: ["13:30-20:00"],
  timezone: "UTC",
  neverSkip: [1, 8, 10, 11],
};

describe("blocked days and hours", () => {
  it("blocks a Friday, whatever the hour", () => {
    const friday = new Date("2026-11-20T09:00:00Z");
    const verdict = checkWindow(production, friday, "production");
    expect(verdict).toMatchObject({ blocked: true, local: "fri 09:00 UTC" });
    expect(verdict.reason).toContain("Friday is a blocked day");
  });

  it("blocks market hours on a weekday and lets the rest through", () => {
    expect(checkWindow(production, new Date("2026-11-18T14:00:00Z"), "production").reason).toContain("13:30-20:00");
    expect(checkWindow(production, new Date("2026-11-18T13:29:00Z"), "production").blocked).toBe(false);
    expect(checkWindow(production, new Date("2026-11-18T20:00:00Z"), "production").blocked).toBe(false);
  });

  it("reads the day and the hour in the policy's time zone", () => {
    // 23:30 on Thursday in UTC is already Friday in Tokyo
    const late = new Date("2026-11-19T23:30:00Z");
    expect(checkWindow(production, late, "production").blocked).toBe(false);
    expect(checkWindow({ ...production, timezone: "Asia/Tokyo" }, late, "production")).toMatchObject({
      blocked: true,
      local: "fri 08:30 Asia/Tokyo",
    });
  });

  it("handles ranges over midnight", () => {
    const night = { ...production, blockedDays: [], blockedHours: ["22:00-02:00"] } as PolicyManifest;
    expect(checkWindow(night, new Date("2026-11-18T23:10:00Z"), "production").blocked).toBe(true);
    expect(checkWindow(night, new Date("2026-11-18T01:59:00Z"), "production").blocked).toBe(true);
    expect(checkWindow(night, new Date("2026-11-18T02:00:00Z"), "production").blocked).toBe(false);
  });

  it("names an unknown time zone as a manifest error", () => {
    expect(() => checkWindow({ ...production, timezone: "Mars/Olympus" }, new Date(), "production")).toThrow(
      expect.objectContaining({
        code: "TRO_ERR_MANIFEST_INVALID",
        message: expect.stringContaining("policies.production.timezone"),
      }),
    );
  });
});

describe("the confirmation phrase", () => {
  it("must match exactly", () => {
    expect(checkConfirmation(production, "deploy fully to production")).toEqual({
      required: true,
      ok: true,
      phrase: "deploy fully to production",
    });
    expect(checkConfirmation(production, "Deploy fully to production").ok).toBe(false);
    expect(checkConfirmation(production, "deploy fully to production ").ok).toBe(false);
    expect(checkConfirmation(production, undefined).ok).toBe(false);
    expect(checkConfirmation(DEFAULT_POLICY, undefined)).toEqual({ required: false, ok: true });
  });
});

describe("--skip-gate", () => {
  it("needs a reason, a real gate, and the policy's consent", () => {
    expect(() => checkSkips(production, "production", [3], undefined)).toThrow(
      expect.objectContaining({ code: "TRO_ERR_USAGE" }),
    );
    expect(() => checkSkips(production, "production", [13], "x")).toThrow(
      expect.objectContaining({ code: "TRO_ERR_USAGE" }),
    );
    expect(() => checkSkips(production, "production", [8], "hurry")).toThrow(
      expect.objectContaining({
        code: "TRO_ERR_POLICY_REFUSED",
        message: "Gate 8 (code quality) may never be skipped in production.",
      }),
    );
    expect(checkSkips(production, "production", [6, 3], " staging is down ")).toEqual(
      new Map([
        [6, "staging is down"],
        [3, "staging is down"],
      ]),
    );
  });

  it("never lets the phrase be skipped where the policy has one", () => {
    const loose = { ...production, neverSkip: [] };
    expect(() => checkSkips(loose, "production", [10], "x")).toThrow(
      expect.objectContaining({ code: "TRO_ERR_POLICY_REFUSED" }),
    );
  });
});
