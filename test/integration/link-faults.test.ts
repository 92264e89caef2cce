/**
 * A link fault and its repair: `nslab link … down` stops traffic both ways; `up` brings back not
 * just the link but what the kernel dropped with it (IPv6 addresses, routes through it).
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  canTouchKernel,
  inNs,
  mustRun,
  nslab,
  nslabOk,
  scopedSnapshot,
  uniqueTag,
} from "../support/kernel.js";

const tag = uniqueTag().slice(1, 4);
const name = `lf-${tag}`;
const prefix = `l${tag}-`;

afterAll(() => {
  nslab(["down", name]);
});

describe.skipIf(!canTouchKernel && !mustRun)("link faults", () => {
  it("down stops traffic; up restores the link with its IPv6 addresses and routes", () => {
    const file = join(tmpdir(), `${name}.yaml`);
    writeFileSync(
      file,
      `name: ${name}
nodes:
  a: {interfaces: {e0: [10.60.0.1/24, 'fd00:60::1/64']}, routes: [{to: 10.61.0.0/16, via: 10.60.0.2}, {to: 'fd00:61::/48', via: 'fd00:60::2'}]}
  b: {interfaces: {e0: [10.60.0.2/24, 'fd00:60::2/64']}}
links:
  - [a:e0, b:e0]
`,
    );
    const before = scopedSnapshot(prefix, name);
    nslabOk(["up", file, "--prefix", prefix]);
    const a = `${prefix}a`;
    expect(inNs(a, ["ping", "-c", "1", "-W", "2", "10.60.0.2"]).code).toBe(0);
    nslabOk(["link", name, "a:e0", "down"]);
    expect(inNs(a, ["ping", "-c", "1", "-W", "1", "10.60.0.2"]).code).not.toBe(0);
    expect(inNs(a, ["ip", "-6", "addr", "show", "dev", "e0"]).stdout).not.toContain("fd00:60::1/64");
    nslabOk(["link", name, "a:e0", "up"]);
    expect(inNs(a, ["ip", "-6", "addr", "show", "dev", "e0"]).stdout).toContain("fd00:60::1/64");
    expect(inNs(a, ["ip", "route", "show", "10.61.0.0/16"]).stdout).toContain("via 10.60.0.2");
    expect(inNs(a, ["ip", "-6", "route", "show", "fd00:61::/48"]).stdout).toContain("via fd00:60::2");
    nslabOk(["ping", name]);
    nslabOk(["down", name]);
    expect(scopedSnapshot(prefix, name)).toEqual(before);
  });
});
