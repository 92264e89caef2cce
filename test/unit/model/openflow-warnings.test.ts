/** A warning when more bridges use `controller: default` than ovs-testcontroller accepts (16). */
import { describe, expect, it } from "vitest";
import { generatedTopology } from "../../../src/model/generated.js";
import { openflowWarnings } from "../../../src/model/openflow.js";
import { generatorOptions } from "../../../src/sources/mininet/options.js";

function warnings(spec: string, controller: string[]): string[] {
  const said: string[] = [];
  generatedTopology(spec, { ...generatorOptions({ controller }), log: (_level, m) => said.push(m) });
  return said;
}

describe("openflowWarnings", () => {
  it("warns past 16 bridges on the default controller, naming what to do", () => {
    const [w, ...rest] = warnings("linear,17", ["default"]);
    expect(rest).toEqual([]);
    expect(w).toMatch(/^17 bridges use controller 'default' \(ovs-testcontroller\), which serves at most 16/);
    expect(w).toMatch(/in secure mode, forward nothing; run a controller of your own/);
  });

  it("says nothing at 16 bridges, or with a controller of the user's", () => {
    expect(warnings("linear,16", ["default"])).toEqual([]);
    expect(warnings("linear,40", ["remote,port=6653"])).toEqual([]);
    expect(openflowWarnings(generatedTopology("single,3", {}))).toEqual([]);
  });
});
