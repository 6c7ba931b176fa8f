/**
 * The blue/green slots, decided in one place: which colour serves, which one a new release takes, whether the other
 * colour still runs a release warm, and where a return goes. Used by the plan, the group switch, rollback, recovery
 * and the portless moves alike, so that a `--dry-run` plan and what runs cannot disagree.
 */
import type { InProgress, TargetState } from "./records.js";
import type { TargetSession } from "./session.js";
import type { Color, ResolvedTarget } from "./types.js";

/** A release in a colour, on that colour's internal port (0 on a target without a port). */
export interface Slot {
  readonly color: Color;
  readonly release: string;
  readonly port: number;
}

/** The colour a release is not running in. */
export function otherColor(color: Color): Color {
  return color === "blue" ? "green" : "blue";
}

/** The internal port of a colour on a target. */
export function portOf(target: Pick<ResolvedTarget, "internalPorts">, color: Color): number {
  return target.internalPorts[color === "blue" ? 0 : 1];
}

/** A release in a colour of a target. */
export function slotOf(target: Pick<ResolvedTarget, "internalPorts">, color: Color, release: string): Slot {
  return { color, release, port: portOf(target, color) };
}

/** The colour a new release takes: the one that does not serve (blue when nothing does). */
export function nextColor(serving: Color | undefined): Color {
  return serving ? otherColor(serving) : "blue";
}

/** What the records say serves: the active colour's release, on the port it was started on. */
export function recordedSlot(state: Pick<TargetState, "active" | "colors">): Slot | undefined {
  const instance = state.active ? state.colors[state.active] : undefined;
  return state.active && instance ? { color: state.active, release: instance.release, port: instance.port } : undefined;
}

/** The slots of a deploy of `release` on a host where `serving` serves: from it, to the other colour. */
export function deploySlots(
  target: Pick<ResolvedTarget, "internalPorts">,
  release: string,
  serving: Slot | undefined,
): { readonly from?: Slot; readonly to: Slot } {
  return { ...(serving ? { from: serving } : {}), to: slotOf(target, nextColor(serving?.color), release) };
}

/** Where a return from `from` to `to` runs `to`: its own colour, unless that is the colour being left. */
export function returnSlot(target: Pick<ResolvedTarget, "internalPorts">, from: Slot, to: Slot): Slot {
  return to.color === from.color ? slotOf(target, otherColor(from.color), to.release) : to;
}

/**
 * How a return from `from` to `to` goes, given the release that runs in `to`'s colour now: warm (traffic switches
 * back, nothing starts) or cold, and the slot it ends in. Static files start nothing; a portless order sender always
 * starts `to` again after `from` stopped (never two running); otherwise warm when `to` still runs in its own colour
 * and that is not the colour being left. `returnTo`, `returnPortless` and a dry run's forecast all decide here.
 */
export function returnOutcome(
  target: Pick<ResolvedTarget, "internalPorts" | "style">,
  ordersLease: boolean,
  from: Slot,
  to: Slot,
  runningInTo: string | undefined,
): { readonly warm: boolean; readonly slot: Slot } {
  if (target.style === "static") return { warm: true, slot: to };
  const warm = !(target.style && ordersLease) && to.color !== from.color && runningInTo === to.release;
  return { warm, slot: warm ? to : returnSlot(target, from, to) };
}

/** The slots an interrupted deploy or rollback recorded: the new one, and the one it replaced (if any). */
export function inProgressSlots(
  target: Pick<ResolvedTarget, "internalPorts">,
  inProgress: Pick<InProgress, "color" | "release" | "previousActive" | "previousRelease">,
): { readonly from?: Slot; readonly to: Slot } {
  const to = slotOf(target, inProgress.color, inProgress.release);
  if (!inProgress.previousActive || !inProgress.previousRelease) return { to };
  return { from: slotOf(target, inProgress.previousActive, inProgress.previousRelease), to };
}

/** The release a colour runs now (a return to it there needs no start), or undefined. */
export async function runningRelease(
  session: Pick<TargetSession, "runner">,
  color: Color,
): Promise<string | undefined> {
  return (await session.runner.running(color))?.release;
}

/** What the front proxy routes to on a host (the records' active colour where no proxy answers, and for static files). */
export async function routedSlot(session: TargetSession): Promise<Slot | undefined> {
  const state = await session.records.readState();
  if (session.target.style === "static") return recordedSlot(state);
  const route = (await session.proxy.status())?.route;
  return route ? { color: route.color, release: route.release, port: route.port } : recordedSlot(state);
}

/** What serves on a host now: the routed slot, provided its process still runs (static files always do). */
export async function servingSlot(session: TargetSession): Promise<Slot | undefined> {
  const routed = await routedSlot(session);
  if (!routed || session.target.style === "static") return routed;
  return (await session.runner.running(routed.color)) ? routed : undefined;
}
