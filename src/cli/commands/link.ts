/** `nslab link LAB NODE:IF up|down`: take one end of a link down (a link fault) or bring it back. */
import type { Command } from "@commander-js/extra-typings";
import { NslabError } from "../../errors.js";
import { setLinkState } from "../../lab/link.js";
import { info } from "../output.js";

export function registerLink(program: Command): void {
  program
    .command("link")
    .description("take one end of a link down (a link fault) or bring it back up, on a running lab")
    .argument("<lab>", "lab name")
    .argument("<endpoint>", "node:interface")
    .argument("<state>", "up or down")
    .action(async (lab, endpoint, state) => {
      if (state !== "up" && state !== "down")
        throw new NslabError("E_USAGE", `state must be 'up' or 'down', not '${state}'`);
      await setLinkState(lab, endpoint, state);
      info(`${lab}: ${endpoint} is ${state}`);
    });
}
