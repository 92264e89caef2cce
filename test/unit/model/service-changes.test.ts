/** What an edited topology does to a lab's services: added, removed, redefined (where they were written aside). */
import { describe, expect, it } from "vitest";
import { parseTopology } from "../../../src/model/load.js";
import { serviceChanges } from "../../../src/model/service-order.js";

const lab = (services: string, pad = "") =>
  parseTopology(`name: sc\n${pad}nodes:\n  a:\n    services:\n${services}  b: {}\nlinks: [[a:e0, b:e0]]\n`);

describe("serviceChanges", () => {
  const before = lab(
    '      idle: { command: [sleep, "600"] }\n      web: { command: [python3, -m, http.server], ready: { tcp: 8000 } }\n      gone: { command: [sleep, "1"] }\n',
  );

  it("nothing when only the places in the file moved", () => {
    const same = lab(
      '      idle: { command: [sleep, "600"] }\n      web: { command: [python3, -m, http.server], ready: { tcp: 8000 } }\n      gone: { command: [sleep, "1"] }\n',
      "# a comment moves every line\n",
    );
    expect(serviceChanges(before, same)).toEqual({ added: [], removed: [], changed: [] });
  });

  it("names the services added, removed and redefined", () => {
    const after = lab(
      '      idle: { command: [sleep, "700"] }\n      web: { command: [python3, -m, http.server], ready: { tcp: 8000 } }\n      new: { command: [sleep, "5"] }\n',
    );
    expect(serviceChanges(before, after)).toEqual({
      added: ["a/new"],
      removed: ["a/gone"],
      changed: ["a/idle"],
    });
  });
});
