/** The options every command takes, wherever they stand on the line: `-v/--verbose`, `-q/--quiet`. */
import { Option } from "@commander-js/extra-typings";

/** Fresh copies of the global options (commander needs one object per command). */
export function globalOptions() {
  return [
    new Option(
      "-v, --verbose",
      "print every external command nslab runs, with its duration and when it started",
    ).helpGroup("Global options:"),
    new Option("-q, --quiet", "print only results and errors").helpGroup("Global options:"),
  ];
}
