/** How nslab calls ssh: its options, the remote command quoted word by word, ssh's own failures. */
import { describe, expect, it } from "vitest";
import { remoteCommand, sshArgv, sshReason } from "../../../src/drivers/remote/ssh.js";

describe("ssh calls", () => {
  it("never prompts, multiplexes in nslab's own directory, and passes the lab's ssh_config as -F", () => {
    const argv = sshArgv({ host: "b", ssh: "root@192.0.2.11", nslab: ["nslab"] }, ["remote"], {
      configFile: "/labs/lab.ssh_config",
      controlDir: "/run/nslab/ssh",
    });
    expect(argv.slice(0, 3)).toEqual(["ssh", "-F", "/labs/lab.ssh_config"]);
    expect(argv).toContain("BatchMode=yes");
    expect(argv).toContain("ControlPath=/run/nslab/ssh/%C");
    expect(argv.slice(-4)).toEqual(["-T", "--", "root@192.0.2.11", "nslab remote"]);
  });

  it("falls back to no multiplexing when the socket path would be too long", () => {
    const argv = sshArgv({ host: "b", ssh: "b", nslab: ["nslab"] }, [], { controlDir: `/${"x".repeat(80)}` });
    expect(argv).toContain("ControlMaster=no");
    expect(argv.join(" ")).not.toMatch(/ControlPath/);
  });

  it("quotes every word for the remote shell; a leading NAME=value stays an assignment", () => {
    expect(
      remoteCommand(
        ["NSLAB_TEST_FAULTS=fail-op=4", "node", "/opt/n slab/main.js"],
        ["exec", "l", "h1", "--", "echo", "$HOME; rm -rf /"],
      ),
    ).toBe("NSLAB_TEST_FAULTS=fail-op=4 node '/opt/n slab/main.js' exec l h1 -- echo '$HOME; rm -rf /'");
  });

  it("says why ssh failed with its last meaningful line", () => {
    expect(
      sshReason(
        "Warning: Permanently added '198.18.0.12' (ED25519) to the list of known hosts.\nssh: connect to host 198.18.0.12 port 22: Connection refused\n",
      ),
    ).toBe("ssh: connect to host 198.18.0.12 port 22: Connection refused");
  });
});
