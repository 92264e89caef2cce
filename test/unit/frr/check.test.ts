/** Configurations checked with `vtysh -C`: one run over every router, each refused line mapped back to its router and file. */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type ConfigToCheck, checkConfigs } from "../../../src/drivers/frr/check.js";
import type { RunOptions, RunResult } from "../../../src/drivers/runner/index.js";
import { RecordingRunner } from "../../support/recording-runner.js";

/** Answers as vtysh -C does, with the given exit code and output. */
class VtyshRunner extends RecordingRunner {
  constructor(
    private readonly exitCode: number,
    private readonly stdout: string,
  ) {
    super();
  }
  /** What the file vtysh was given held. */
  readonly texts: string[] = [];
  override async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    await super.run(argv, options);
    this.texts.push(readFileSync(argv[3]!, "utf8"));
    return { argv, exitCode: this.exitCode, stdout: this.stdout, stderr: "", durationMs: 1 };
  }
}

const at = (line: number) => ({ file: "/lab/lab.yaml", line, column: 3, path: [] });
const configs: ConfigToCheck[] = [
  { router: "r1", text: "hostname r1\nrouter ospf\n ospf router-id 10.0.0.1\nexit", src: at(4) },
  {
    router: "r2",
    text: "hostname r2\nrouter ospf\n bogus command\nexit\n",
    file: "/lab/r2/frr.conf",
    src: at(5),
  },
];

describe("checkConfigs", () => {
  it("runs vtysh -C once over every configuration, each ending with a newline", async () => {
    const runner = new VtyshRunner(0, "");
    expect(await checkConfigs(runner, "/usr/bin/vtysh", "8.4.4", configs)).toEqual([]);
    expect(runner.calls).toHaveLength(1);
    const argv = runner.calls[0]!.argv;
    expect(argv.slice(0, 3)).toEqual(["/usr/bin/vtysh", "-C", "-f"]);
    expect(runner.texts).toEqual([`${configs[0]!.text}\n${configs[1]!.text}`]);
    // The file is gone once checked.
    expect(existsSync(argv[3]!)).toBe(false);
    expect(await checkConfigs(runner, "/usr/bin/vtysh", "8.4.4", [])).toEqual([]);
    expect(runner.calls).toHaveLength(1);
  });

  it("maps a refused line to the user's file and its line there (FRR 8.4.4's words)", async () => {
    const runner = new VtyshRunner(2, "line 7: % Unknown command[41]:  bogus command\n");
    expect(await checkConfigs(runner, "/usr/bin/vtysh", "8.4.4", configs)).toEqual([
      {
        message:
          "router 'r2': this host's FRR 8.4.4 does not accept line 3 of its frr.conf: Unknown command[41]: bogus command",
        location: { file: "/lab/r2/frr.conf", line: 3, column: 1, path: [] },
        hint: "fix the line (checked with vtysh -C); the file is named at /lab/lab.yaml:5:3",
      },
    ]);
  });

  it("blames nslab for a line of a configuration it wrote", async () => {
    const runner = new VtyshRunner(2, "line 3: % Unknown command: ospf router-id 10.0.0.1\n");
    const [p] = await checkConfigs(runner, "/usr/bin/vtysh", undefined, configs);
    expect(p!.message).toBe(
      "router 'r1': this host's FRR does not accept line 3 of the configuration nslab wrote: Unknown command: ospf router-id 10.0.0.1",
    );
    expect(p!.location).toEqual(at(4));
    expect(p!.hint).toMatch(/nslab's fault/);
  });

  it("says so when vtysh fails without naming a line", async () => {
    const runner = new VtyshRunner(1, "vtysh: cannot open configuration file\n");
    const [p] = await checkConfigs(runner, "/usr/bin/vtysh", "8.4.4", configs);
    expect(p!.message).toBe(
      "vtysh -C could not check the FRR configurations (exit 1): vtysh: cannot open configuration file",
    );
  });
});
