/**
 * Defaults that code needs outside a loaded manifest, as plain values so that using them does not load zod.
 * test/workspace/defaults.test.ts checks them against the schema's own defaults.
 */
import type { DetectRules, PolicyManifest } from "./schema.js";

export const DEFAULT_DETECT: DetectRules = {
  variable: "TRADEOPS_ENV",
  aliases: {},
  markerFiles: {},
  pathContains: {},
  hostnameContains: {},
  default: "development",
};

export const DEFAULT_POLICY: PolicyManifest = {
  healthLevel: 2,
  monitorSeconds: 60,
  blockedDays: [],
  blockedHours: [],
  timezone: "UTC",
  requireHealthy: [],
  refusePatterns: ["console\\.log", "\\bdebugger\\b", "\\bTODO\\b", "\\bFIXME\\b"],
  neverSkip: [],
  excludeTests: true,
  signalParityDays: 30,
  sharedVersionBump: "warn",
};
