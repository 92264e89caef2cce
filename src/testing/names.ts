/**
 * Unique names for labs that tests bring up: a short random prefix for namespace and
 * root-namespace interface names (`w` + 3 base-36 characters + `-`, 5 bytes, leaving 10 of the
 * kernel's 15 for bridge and bridge-port names) and a lab name ending in the same tag.
 */
import { randomInt } from "node:crypto";
import { LAB_MAX } from "../model/names.js";

/** Bytes a generated prefix takes from the 15 of an interface name. */
export const PREFIX_BYTES = 5;

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";
/** Prefixes this process holds: two labs of one process never draw the same one. */
const held = new Set<string>();

/** A fresh prefix such as `w3k9-`, not held by another lab of this process. */
export function reservePrefix(): string {
  for (;;) {
    let tag = "w";
    for (let i = 0; i < PREFIX_BYTES - 2; i++) tag += ALPHABET[randomInt(ALPHABET.length)];
    const prefix = `${tag}-`;
    if (!held.has(prefix)) {
      held.add(prefix);
      return prefix;
    }
  }
}

/** Give a prefix back once its lab is down. */
export function releasePrefix(prefix: string): void {
  held.delete(prefix);
}

/** The lab name for `base` with `prefix`: `base-tag`, `base` shortened to fit the lab name limit. */
export function labNameFor(base: string, prefix: string): string {
  const tag = prefix.replace(/[-_.]+$/, "") || "lab";
  return `${base.slice(0, LAB_MAX - tag.length - 1)}-${tag}`;
}
