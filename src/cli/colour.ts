/**
 * Colour, decided per stream: results on stdout and messages on stderr each get colour only when
 * that stream is a terminal (so `2>err.log` holds no escape codes while stdout still shows colour).
 * `NO_COLOR` (any non-empty value) turns it off everywhere; `FORCE_COLOR` (other than `0`/`false`)
 * turns it on everywhere; `TERM=dumb` counts as no colour. The environment is read once, here.
 */
import pc from "picocolors";

type Colors = ReturnType<typeof pc.createColors>;

/** Whether a stream with this terminal-ness gets colour, given the environment. */
export function colourWanted(isTTY: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== "") return force !== "0" && force !== "false";
  return isTTY && env.TERM !== "dumb";
}

/** Colours for what goes to stdout (results). */
export const out: Colors = pc.createColors(colourWanted(!!process.stdout.isTTY));
/** Colours for what goes to stderr (messages, warnings, errors). */
export const err: Colors = pc.createColors(colourWanted(!!process.stderr.isTTY));
