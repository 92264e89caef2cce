/**
 * `nslab link LAB NODE:IF up|down`: take one end of a link down (a link fault) or bring it back;
 * `nslab link LAB NODE:IF --rate 10mbit [--delay …] [--both]` / `--clear`: change its shaping live.
 */
import type { Command } from "@commander-js/extra-typings";
import { NslabError } from "../../errors.js";
import { setLinkShaping, setLinkState } from "../../lab/functions.js";
import { parseShaping } from "../../model/shaping.js";
import { info } from "../output.js";

export function registerLink(program: Command): void {
  program
    .command("link")
    .description(
      "on a running lab: take one end of a link down (a link fault) or bring it back up, or change its shaping",
    )
    .argument("<lab>", "lab name")
    .argument("<endpoint>", "node:interface")
    .argument("[state]", "up or down")
    .option("--rate <rate>", "limit the egress rate (tc tbf), e.g. 10mbit")
    .option("--delay <time>", "add delay (netem), e.g. 20ms")
    .option("--jitter <time>", "vary the delay (netem), e.g. 5ms")
    .option("--loss <percent>", "drop packets at random (netem), e.g. 1%")
    .option("--clear", "remove the shaping of this end")
    .option("--both", "shape both ends of the link (both directions)")
    .action(async (lab, endpoint, state, opts) => {
      if (state !== undefined && state !== "up" && state !== "down")
        throw new NslabError("E_USAGE", `state must be 'up' or 'down', not '${state}'`);
      const shapingGiven = [opts.rate, opts.delay, opts.jitter, opts.loss].some((x) => x !== undefined);
      if (shapingGiven && opts.clear)
        throw new NslabError("E_USAGE", "give shaping options or --clear, not both");
      if (state === undefined && !shapingGiven && !opts.clear)
        throw new NslabError("E_USAGE", "say what to do: up, down, shaping options (--rate …) or --clear");
      if (shapingGiven || opts.clear) {
        const { shaping, problems } = parseShaping(opts);
        if (problems.length > 0)
          throw new NslabError("E_USAGE", problems.map((p) => `--${p.field}: ${p.message}`).join("; "));
        const r = await setLinkShaping(lab, endpoint, opts.clear ? null : (shaping ?? null), {
          ...(opts.both ? { both: true } : {}),
        });
        for (const line of r.commands) info(line);
        info(
          `${lab}: ${r.endpoints.map((e) => `${e.node}:${e.iface}`).join(" and ")} now ${r.shaping === "no shaping" ? "unshaped" : r.shaping}`,
        );
      }
      if (state !== undefined) {
        await setLinkState(lab, endpoint, state);
        info(`${lab}: ${endpoint} is ${state}`);
      }
    });
}
