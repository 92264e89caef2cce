/**
 * Link shaping values as people write them (`10mbit`, `20ms`, `1%`) → exact numbers, with messages
 * that say what is accepted; and back to tc's words for plans and reports.
 */
import type { Shaping } from "./types.js";

/** tc's rate units (SI: kbit = 1000 bit/s; `bps` units are bytes per second, as in tc). */
const RATE_UNITS: Record<string, number> = {
  bit: 1,
  kbit: 1e3,
  mbit: 1e6,
  gbit: 1e9,
  tbit: 1e12,
  bps: 8,
  kbps: 8e3,
  mbps: 8e6,
  gbps: 8e9,
};

const TIME_UNITS: Record<string, number> = { us: 1, usec: 1, ms: 1e3, msec: 1e3, s: 1e6, sec: 1e6 };

/** Rates below this cannot be shaped meaningfully (tbf needs at least a packet per second or so). */
export const MIN_RATE_BPS = 8_000;
/** tc's rate field is 64-bit, but anything past 100 Gbit/s is not a useful veth limit. */
export const MAX_RATE_BPS = 100e9;

/** Bits per second, or an error message. A bare number is bits per second. */
export function parseRate(value: string | number): number | string {
  const text = String(value).trim().toLowerCase();
  const m = text.match(/^(\d+(?:\.\d+)?)\s*([a-z]*)$/);
  const unit = m?.[2] || "bit";
  const factor = RATE_UNITS[unit];
  if (!m || factor === undefined)
    return `'${value}' is not a rate; write a number with a tc unit: 10mbit, 500kbit, 1gbit (or bps/kbps/mbps for bytes per second)`;
  const bps = Math.round(Number(m[1]) * factor);
  if (bps < MIN_RATE_BPS) return `rate '${value}' is below the smallest usable rate (8kbit)`;
  if (bps > MAX_RATE_BPS) return `rate '${value}' is above 100gbit`;
  return bps;
}

/** Microseconds, or an error message. A bare number is milliseconds. */
export function parseDuration(value: string | number, what: string): number | string {
  const text = String(value).trim().toLowerCase();
  const m = text.match(/^(\d+(?:\.\d+)?)\s*([a-z]*)$/);
  const unit = m?.[2] || "ms";
  const factor = TIME_UNITS[unit];
  if (!m || factor === undefined) return `'${value}' is not a ${what}; write e.g. 10ms, 500us or 1s`;
  const us = Math.round(Number(m[1]) * factor);
  if (us > 60_000_000) return `${what} '${value}' is longer than a minute`;
  return us;
}

/** Percent (0–100), or an error message. A bare number is percent. */
export function parseLoss(value: string | number): number | string {
  const text = String(value).trim();
  const m = text.match(/^(\d+(?:\.\d+)?)\s*%?$/);
  if (!m) return `'${value}' is not a loss; write a percentage such as 1% or 0.5%`;
  const pct = Number(m[1]);
  if (pct > 100) return `loss '${value}' is more than 100%`;
  return pct;
}

/** What netem would be needed for (delay, jitter, loss), for messages; empty when tbf does it. */
export function netemFeatures(s: Shaping): string[] {
  return [
    ...(s.delayUs !== undefined ? ["delay"] : []),
    ...(s.jitterUs !== undefined ? ["jitter"] : []),
    ...(s.lossPct !== undefined ? ["loss"] : []),
  ];
}

/** `10mbit`, `1500kbit`, `12345bit`: the largest tc unit that writes the rate exactly. */
export function formatRate(bps: number): string {
  for (const [unit, f] of [
    ["gbit", 1e9],
    ["mbit", 1e6],
    ["kbit", 1e3],
  ] as const)
    if (bps % f === 0) return `${bps / f}${unit}`;
  return `${bps}bit`;
}

/** `20ms`, `500us`, `1s`: for tc and for people. */
export function formatDuration(us: number): string {
  if (us % 1e6 === 0) return `${us / 1e6}s`;
  if (us % 1e3 === 0) return `${us / 1e3}ms`;
  return `${us}us`;
}

/** `rate 10mbit, delay 20ms ± 2ms, loss 1%` */
export function describeShaping(s: Shaping): string {
  const parts: string[] = [];
  if (s.rateBps !== undefined) parts.push(`rate ${formatRate(s.rateBps)}`);
  if (s.delayUs !== undefined)
    parts.push(
      `delay ${formatDuration(s.delayUs)}${s.jitterUs !== undefined ? ` ± ${formatDuration(s.jitterUs)}` : ""}`,
    );
  if (s.lossPct !== undefined) parts.push(`loss ${s.lossPct}%`);
  return parts.join(", ") || "no shaping";
}

/** Parse the shaping fields of a link (or of a command line); problems name the field. */
export function parseShaping(raw: {
  rate?: string | number | undefined;
  delay?: string | number | undefined;
  jitter?: string | number | undefined;
  loss?: string | number | undefined;
}): { shaping?: Shaping; problems: { field: "rate" | "delay" | "jitter" | "loss"; message: string }[] } {
  const problems: { field: "rate" | "delay" | "jitter" | "loss"; message: string }[] = [];
  const s: Shaping = {};
  if (raw.rate !== undefined) {
    const v = parseRate(raw.rate);
    if (typeof v === "string") problems.push({ field: "rate", message: v });
    else s.rateBps = v;
  }
  if (raw.delay !== undefined) {
    const v = parseDuration(raw.delay, "delay");
    if (typeof v === "string") problems.push({ field: "delay", message: v });
    else s.delayUs = v;
  }
  if (raw.jitter !== undefined) {
    const v = parseDuration(raw.jitter, "jitter");
    if (typeof v === "string") problems.push({ field: "jitter", message: v });
    else if (raw.delay === undefined)
      problems.push({ field: "jitter", message: "jitter needs a delay to vary around (add delay: …)" });
    else s.jitterUs = v;
  }
  if (raw.loss !== undefined) {
    const v = parseLoss(raw.loss);
    if (typeof v === "string") problems.push({ field: "loss", message: v });
    else s.lossPct = v;
  }
  return Object.keys(s).length > 0 ? { shaping: s, problems } : { problems };
}
