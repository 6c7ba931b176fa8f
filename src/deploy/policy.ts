/**
 * The policy's refusals, as pure functions of the policy, the operator's flags and the time: blocked days and hours
 * (in the policy's time zone), the confirmation phrase, and which gates may be skipped.
 */
import type { EnvironmentName } from "../environment/names.js";
import { type ErrorCode, TroError } from "../errors.js";
import { DEFAULT_POLICY, type PolicyManifest } from "../workspace/schema.js";
import type { Workspace } from "../workspace/types.js";
import type { DeployPlan, DeployRequest } from "./plan.js";
import { GATE_NAMES, type GateNumber } from "./types.js";

const DAY_NAMES: Record<string, string> = {
  mon: "Monday",
  tue: "Tuesday",
  wed: "Wednesday",
  thu: "Thursday",
  fri: "Friday",
  sat: "Saturday",
  sun: "Sunday",
};

/** The environment's policy, or the defaults when the manifest has none. */
export function policyOf(workspace: Workspace, environment: EnvironmentName): PolicyManifest {
  return workspace.policies[environment] ?? DEFAULT_POLICY;
}

export interface WindowVerdict {
  readonly blocked: boolean;
  /** why it is blocked, in the policy's own terms */
  readonly reason?: string;
  /** weekday and time in the policy's time zone, e.g. `fri 14:05 UTC` */
  readonly local: string;
}

/**
 * Whether `now` falls on a blocked day or in blocked hours of the policy, in its time zone.
 * @throws TroError TRO_ERR_MANIFEST_INVALID when the policy names an unknown time zone
 */
export function checkWindow(policy: PolicyManifest, now: Date, environment: EnvironmentName): WindowVerdict {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat("en-US", {
      timeZone: policy.timezone,
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).formatToParts(now);
  } catch (error) {
    throw new TroError(
      "TRO_ERR_MANIFEST_INVALID",
      `policies.${environment}.timezone ${policy.timezone} is not a known time zone.`,
      {
        hint: "Use an IANA name such as UTC, Europe/London or America/New_York.",
        cause: error,
      },
    );
  }
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const day = part("weekday").slice(0, 3).toLowerCase();
  const time = `${part("hour")}:${part("minute")}`;
  const local = `${day} ${time} ${policy.timezone}`;
  if ((policy.blockedDays as readonly string[]).includes(day)) {
    return { blocked: true, local, reason: `${DAY_NAMES[day]} is a blocked day in the ${environment} policy` };
  }
  const minutes = toMinutes(time);
  for (const range of policy.blockedHours) {
    const [from, to] = range.split("-").map(toMinutes) as [number, number];
    const inside = from <= to ? minutes >= from && minutes < to : minutes >= from || minutes < to;
    if (inside)
      return {
        blocked: true,
        local,
        reason: `${time} ${policy.timezone} is within the blocked hours ${range} of the ${environment} policy`,
      };
  }
  return { blocked: false, local };
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number) as [number, number];
  return h * 60 + m;
}

export interface ConfirmationVerdict {
  readonly required: boolean;
  readonly ok: boolean;
  readonly phrase?: string;
}

/** Whether the phrase given (by --confirm or typed) is exactly the policy's. */
export function checkConfirmation(policy: PolicyManifest, given: string | undefined): ConfirmationVerdict {
  if (!policy.confirmPhrase) return { required: false, ok: true };
  return { required: true, ok: given === policy.confirmPhrase, phrase: policy.confirmPhrase };
}

/**
 * Checks `--skip-gate N --reason TEXT` against the policy; returns gate → reason.
 * @throws TroError TRO_ERR_USAGE for an unknown gate or a missing reason; TRO_ERR_POLICY_REFUSED for a gate the policy
 *   never lets be skipped
 */
export function checkSkips(
  policy: PolicyManifest,
  environment: EnvironmentName,
  gates: readonly number[],
  reason: string | undefined,
): Map<GateNumber, string> {
  const out = new Map<GateNumber, string>();
  if (!gates.length) return out;
  if (!reason?.trim()) {
    throw new TroError("TRO_ERR_USAGE", "--skip-gate needs --reason TEXT saying why.", {
      hint: 'e.g. --skip-gate 6 --reason "staging is down for maintenance"; the reason is recorded with the deploy.',
    });
  }
  for (const gate of gates) {
    if (!(gate in GATE_NAMES)) {
      throw new TroError("TRO_ERR_USAGE", `There is no gate ${gate}; gates are numbered 1 to 11.`, {
        hint: "`tradeops gates --help` lists them.",
      });
    }
    const never = policy.neverSkip.includes(gate) || (gate === 10 && Boolean(policy.confirmPhrase));
    if (never) {
      throw new TroError(
        "TRO_ERR_POLICY_REFUSED",
        `Gate ${gate} (${GATE_NAMES[gate as GateNumber]}) may never be skipped in ${environment}.`,
        {
          hint:
            gate === 10
              ? "Pass the policy's phrase with --confirm instead."
              : `policies.${environment}.neverSkip lists it; make the gate pass instead.`,
        },
      );
    }
    out.set(gate as GateNumber, reason.trim());
  }
  return out;
}

/** Why a deploy may not go ahead, as the plan states it and `apply` throws it. */
export interface Refusal {
  readonly code: ErrorCode;
  readonly message: string;
  readonly hint: string;
}

/** The policy's part of a plan: the blocked window at `at`, the confirmation phrase, and the refusal they make. */
export interface PolicyPlan {
  readonly window: WindowVerdict & { readonly emergency?: string };
  readonly confirmation: ConfirmationVerdict;
  readonly refusal?: Refusal;
  /** the phrase to ask for on a terminal: needed, not given, and nothing else refuses */
  readonly ask?: string;
}

/**
 * Decides the policy's window and phrase for a request. Pure; `planDeploy` uses it, and `deploy()` asks it before
 * reading any target, so that a blocked day or a wrong phrase costs nothing.
 */
export function planPolicy(
  policy: PolicyManifest,
  request: Pick<DeployRequest, "environment" | "confirm" | "emergency">,
  at: Date,
): PolicyPlan {
  const env = request.environment;
  const window = { ...checkWindow(policy, at, env), emergency: request.emergency };
  const confirmation = checkConfirmation(policy, request.confirm);
  if (window.blocked && !window.emergency)
    return { window, confirmation, refusal: blockedRefusal(env, window.reason, "now") };
  if (confirmation.ok) return { window, confirmation };
  const refusal: Refusal = {
    code: "TRO_ERR_POLICY_REFUSED",
    message:
      request.confirm === undefined
        ? `Deploying to ${env} needs the exact confirmation phrase.`
        : `The confirmation phrase does not match the ${env} policy's.`,
    hint: `Type it when asked, or pass --confirm "${confirmation.phrase}" (exactly, including case).`,
  };
  return { window, confirmation, refusal, ...(request.confirm === undefined ? { ask: confirmation.phrase } : {}) };
}

/**
 * What `apply` re-checks of a plan's policy: only the clock can change it (the phrase was judged already). A window
 * that opened since the plan was made refuses, unless the plan is an emergency one.
 */
export function recheckWindow(
  plan: Pick<DeployPlan, "window" | "environment">,
  policy: PolicyManifest,
  now: Date,
): Refusal | undefined {
  if (plan.window.emergency) return undefined;
  const window = checkWindow(policy, now, plan.environment);
  return window.blocked ? blockedRefusal(plan.environment, window.reason, "since the plan was made") : undefined;
}

/** A refusal as the error `deploy` and `apply` throw. */
export function refusalError(refusal: Refusal): TroError {
  return new TroError(refusal.code, refusal.message, { hint: refusal.hint });
}

function blockedRefusal(env: EnvironmentName, reason: string | undefined, when: string): Refusal {
  return {
    code: "TRO_ERR_POLICY_REFUSED",
    message: `Deploys to ${env} are blocked ${when}: ${reason}.`,
    hint: 'Deploy outside the window; in a real emergency add --emergency --reason "…" (recorded).',
  };
}

const MOMENT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * `--at 2026-12-04T15:00Z`: the moment a rehearsal judges blocked days and hours at (UTC unless an offset is given).
 * @throws TroError TRO_ERR_USAGE for anything else
 */
export function parseRehearsalMoment(text: string): Date {
  const value = text.trim();
  const iso = value.replace(" ", "T");
  const date = MOMENT.test(value) ? new Date(/(Z|[+-]\d{2}:?\d{2})$/i.test(iso) ? iso : `${iso}Z`) : undefined;
  if (!date || Number.isNaN(date.getTime()))
    throw new TroError("TRO_ERR_USAGE", `--at ${JSON.stringify(text)} is not a date and time.`, {
      hint: "Use 2026-12-04T15:00Z (UTC) or 2026-12-04T10:00-05:00.",
    });
  return date;
}
