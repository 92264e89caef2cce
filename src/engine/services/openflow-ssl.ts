/**
 * OpenFlow over SSL for labs with `ssl:` controllers. Open vSwitch has one SSL setting for its whole
 * database (key, certificate, CA: `ovs-vsctl set-ssl`), not one per bridge, so labs share it: the
 * first lab that needs it makes nslab's PKI (state dir, `openflow-pki/`) and sets it — only when no
 * SSL setting exists — marked as nslab's; the last lab to go removes it, and only if it is still
 * the one nslab set. A setting nslab did not make (the host's own) is used as it is and never
 * changed or removed: the lab's switches then present the host's certificate.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ovsDbSocket, ovsRuntimePaths } from "../../drivers/ovs/index.js";
import { OvsdbClient } from "../../drivers/ovs/ovsdb.js";
import {
  clearSsl,
  ensurePki,
  type OpenflowPki,
  pkiComplete,
  pkiFiles,
  readSsl,
  type SslSetting,
  setOwnSsl,
} from "../../drivers/ovs/ssl.js";
import { findBinary } from "../../drivers/runner/index.js";
import { NslabError } from "../../errors.js";
import type { Topology } from "../../model/types.js";
import { checkFile, fileOrTemps, removeFile, stateDir, stateRoot, writeFileAtomic } from "../../state/dir.js";
import { acquireLockWaiting } from "../../state/lock.js";
import type { HostService } from "./service.js";
import { heldByRecords, upsUnderWay } from "./users.js";

const LOCK = "_openflow-ssl";

/** Whether a topology has a controller reached over SSL. */
export function usesSsl(t: Topology): boolean {
  return t.nodes.some(
    (n) => n.kind === "ovs-bridge" && n.openflow?.controllers.some((c) => c.startsWith("ssl:")),
  );
}

/** nslab's OpenFlow PKI (no I/O): what a user's controller needs is in here. */
export function openflowPki(): OpenflowPki {
  return pkiFiles(join(stateRoot(), "openflow-pki"));
}

/** Who nslab's SSL setting belongs to: this state directory (another nslab's is not ours). */
const owner = () => `nslab:${stateRoot()}`;

const recordFile = () => join(stateDir(), "openflow-ssl.json");

/** The labs whose `up` acquired the setting and may not have recorded it yet. */
function readClaims(): string[] {
  if (!checkFile(recordFile())) return [];
  try {
    return (JSON.parse(readFileSync(recordFile(), "utf8")) as { claims?: string[] }).claims ?? [];
  } catch {
    return [];
  }
}

async function withClient<T>(fn: (c: OvsdbClient) => Promise<T>): Promise<T> {
  const client = await OvsdbClient.connect(ovsDbSocket(ovsRuntimePaths()));
  try {
    return await fn(client);
  } finally {
    await client.close().catch(() => {});
  }
}

/** A setting another nslab made whose key file is gone (its state directory was removed). */
function stale(s: SslSetting): boolean {
  return !!s.owner?.startsWith("nslab:") && s.owner !== owner() && !existsSync(s.privateKey);
}

/** Say what the lab's switches and the user's controller use. */
function describe(setting: SslSetting, pki: OpenflowPki): string {
  if (setting.owner !== owner())
    return `ssl: controllers use Open vSwitch's own SSL setting (key ${setting.privateKey}), which nslab did not make and leaves alone (ovs-vsctl get-ssl shows it)`;
  return `ssl: controllers: the switches present ${pki.switchCert} and trust ${pki.controllerCa}; run the controller with -p ${pki.controllerKey} -c ${pki.controllerCert} -C ${pki.switchCa}`;
}

export const openflowSslService: HostService = {
  name: "OpenFlow SSL",

  neededBy: (ops) =>
    ops.some((o) => o.op === "ovs.bridge.set" && o.controllers.some((c) => c.startsWith("ssl:"))),

  heldBy: (record) => usesSsl(record.topology),

  neededToRemove: () => false,

  async acquire(ctx) {
    const lock = await acquireLockWaiting(LOCK, "openflow ssl set", { onReclaim: (m) => ctx.log("info", m) });
    try {
      let setting = await withClient(readSsl);
      let started = false;
      const pki = openflowPki();
      if (setting && stale(setting)) {
        // Another nslab's (another state directory), whose key is gone: nobody can use it.
        if (await withClient((c) => clearSsl(c, setting!.uuid)))
          ctx.log(
            "info",
            `removed a stale SSL setting of ${setting.owner} (its key ${setting.privateKey} is gone)`,
          );
        setting = await withClient(readSsl);
      }
      if (!setting || setting.owner === owner()) {
        if (!findBinary("ovs-pki"))
          throw new NslabError(
            "E_ENV",
            "ssl: controllers need certificates, and ovs-pki (which makes them) is missing",
            {
              hint: "install it with: apt-get install openvswitch-common (or set your own with ovs-vsctl set-ssl KEY CERT CA)",
            },
          );
        stateDir("openflow-pki");
        if ((await ensurePki(ctx.runner, pki.dir)).created)
          ctx.log("info", `made nslab's OpenFlow PKI in ${pki.dir}`);
      }
      if (!setting) {
        started = await withClient((c) => setOwnSsl(c, pki, owner()));
        setting = await withClient(readSsl);
        if (!setting)
          throw new NslabError("E_OVSDB", "Open vSwitch's SSL setting vanished while nslab set it");
      }
      writeFileAtomic(
        recordFile(),
        `${JSON.stringify({ claims: [...new Set([...readClaims(), ctx.lab])] })}\n`,
      );
      ctx.log("info", describe(setting, pki));
      return { started };
    } finally {
      lock.release();
    }
  },

  // Without a record, release still clears a setting of nslab's left by an acquire that died before
  // recording it, which needs OVSDB: only with OVS not running either is there nothing to do.
  unused: () => !fileOrTemps(recordFile()) && !existsSync(ovsDbSocket(ovsRuntimePaths())),

  async release(ctx) {
    const lock = await acquireLockWaiting(LOCK, "openflow ssl clear", {
      onReclaim: (m) => ctx.log("info", m),
    });
    try {
      const claims = readClaims().filter((lab) => lab !== ctx.lab);
      if (heldByRecords(openflowSslService, ctx.lab) || upsUnderWay(claims, ctx.lab).length > 0) {
        writeFileAtomic(recordFile(), `${JSON.stringify({ claims })}\n`);
        return;
      }
      removeFile(recordFile());
      const setting = await withClient(readSsl).catch(() => null);
      // Only the setting nslab made; the PKI stays for the next lab (a controller keeps its certificate).
      if (setting?.owner === owner() && (await withClient((c) => clearSsl(c, setting.uuid))))
        ctx.log("info", "removed the SSL setting nslab had given Open vSwitch");
    } finally {
      lock.release();
    }
  },

  async health() {
    const pki = openflowPki();
    if (!pkiComplete(pki)) return undefined;
    return {
      name: "OpenFlow SSL",
      status: "ok",
      detail: `nslab's PKI for ssl: controllers in ${pki.dir} (controller: -p ${pki.controllerKey} -c ${pki.controllerCert} -C ${pki.switchCa})`,
    };
  },
};
