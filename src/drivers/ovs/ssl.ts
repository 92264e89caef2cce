/**
 * OpenFlow over SSL: nslab's own PKI, made with Debian's `ovs-pki` (a controller CA and a switch CA,
 * a key and certificate for the switches and one for the user's controller), and the Open vSwitch
 * database's SSL setting — one for the whole ovs-vswitchd (`ovs-vsctl set-ssl`), which nslab sets
 * only when none is set and marks as its own (`external_ids:nslab-owner`), so it never changes or
 * removes one it did not make.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Runner } from "../runner/index.js";
import { type Operation, type OvsdbClient, OvsdbError } from "./ovsdb.js";
import { decodeOptional, decodeStringMap, decodeUuid, map, set, uuid, type Value } from "./values.js";

/** The marker nslab writes on the SSL row it made. */
export const SSL_OWNER_KEY = "nslab-owner";

/** nslab's OpenFlow PKI: where each file is. */
export interface OpenflowPki {
  dir: string;
  /** The switches' key and certificate (signed by the switch CA). */
  switchKey: string;
  switchCert: string;
  /** What the switches trust: the CA that signs controllers' certificates. */
  controllerCa: string;
  /** A key and certificate for the user's controller (signed by the controller CA). */
  controllerKey: string;
  controllerCert: string;
  /** What the controller trusts: the CA that signed the switches' certificate. */
  switchCa: string;
}

/** The files of the PKI in `dir` (no I/O). */
export function pkiFiles(dir: string): OpenflowPki {
  return {
    dir,
    switchKey: join(dir, "sc-privkey.pem"),
    switchCert: join(dir, "sc-cert.pem"),
    controllerCa: join(dir, "pki", "controllerca", "cacert.pem"),
    controllerKey: join(dir, "ctl-privkey.pem"),
    controllerCert: join(dir, "ctl-cert.pem"),
    switchCa: join(dir, "pki", "switchca", "cacert.pem"),
  };
}

/** Whether every file of the PKI is there. */
export function pkiComplete(p: OpenflowPki): boolean {
  return [p.switchKey, p.switchCert, p.controllerCa, p.controllerKey, p.controllerCert, p.switchCa].every(
    (f) => existsSync(f),
  );
}

/**
 * Make the PKI in `dir` unless it is complete there (`ovs-pki init`, then `req+sign` of a switch and
 * a controller certificate; about a second of RSA key generation). `dir` must exist.
 */
export async function ensurePki(
  runner: Runner,
  dir: string,
): Promise<{ pki: OpenflowPki; created: boolean }> {
  const pki = pkiFiles(dir);
  if (pkiComplete(pki)) return { pki, created: false };
  const base = ["ovs-pki", "--dir", join(dir, "pki"), "--log", join(dir, "ovs-pki.log"), "--batch"];
  // --force: a PKI a crash left half made is made again. Names relative to `dir`: ovs-pki puts the
  // name in the certificate's subject, which may not exceed 64 characters.
  const opts = { timeoutMs: 120_000, cwd: dir };
  await runner.run([...base, "--force", "init"], opts);
  await runner.run([...base, "--force", "req+sign", "sc", "switch"], opts);
  await runner.run([...base, "--force", "req+sign", "ctl", "controller"], opts);
  return { pki, created: true };
}

/** The database's SSL setting. */
export interface SslSetting {
  uuid: string;
  privateKey: string;
  certificate: string;
  caCert: string;
  /** The owner's name when nslab made it (`external_ids:nslab-owner`). */
  owner?: string;
}

/** The SSL setting of the Open_vSwitch root row (`ovs-vsctl get-ssl`), or null when none is set. */
export async function readSsl(client: OvsdbClient): Promise<SslSetting | null> {
  const [root] = await client.select("Open_vSwitch", [], ["ssl"]);
  const ref = root ? decodeOptional(root.ssl) : undefined;
  if (ref === undefined) return null;
  const id = decodeUuid(ref);
  const [row] = await client.select(
    "SSL",
    [["_uuid", "==", uuid(id)]],
    ["private_key", "certificate", "ca_cert", "external_ids"],
  );
  if (!row) return null;
  const owner = decodeStringMap(row.external_ids)[SSL_OWNER_KEY];
  return {
    uuid: id,
    privateKey: String(row.private_key),
    certificate: String(row.certificate),
    caCert: String(row.ca_cert),
    ...(owner ? { owner } : {}),
  };
}

/** An OVSDB guard: the transaction goes on only while the database's SSL setting is still `value`. */
function sslStillIs(value: Value): Operation {
  return {
    op: "wait",
    table: "Open_vSwitch",
    where: [],
    columns: ["ssl"],
    until: "==",
    rows: [{ ssl: value }],
    timeout: 0,
  };
}

/**
 * Set the switches' side of `pki` as the database's SSL setting, marked as `owner`'s — only if no
 * SSL setting exists (checked in the same transaction). Returns false when one appeared meanwhile.
 */
export async function setOwnSsl(client: OvsdbClient, pki: OpenflowPki, owner: string): Promise<boolean> {
  try {
    await client.transact([
      sslStillIs(set([])),
      {
        op: "insert",
        table: "SSL",
        "uuid-name": "nslab_ssl",
        row: {
          private_key: pki.switchKey,
          certificate: pki.switchCert,
          ca_cert: pki.controllerCa,
          external_ids: map({ [SSL_OWNER_KEY]: owner }),
        },
      },
      { op: "update", table: "Open_vSwitch", where: [], row: { ssl: ["named-uuid", "nslab_ssl"] } },
      { op: "comment", comment: "nslab: set-ssl for ssl: controllers" },
    ]);
    return true;
  } catch (e) {
    if (guardFailed(e)) return false;
    throw e;
  }
}

/**
 * Remove the SSL setting `id` (`ovs-vsctl del-ssl`) if it is still the one set (checked in the
 * same transaction); OVSDB then drops the unreferenced row. Returns whether it was removed.
 */
export async function clearSsl(client: OvsdbClient, id: string): Promise<boolean> {
  try {
    await client.transact([
      sslStillIs(uuid(id)),
      { op: "update", table: "Open_vSwitch", where: [], row: { ssl: set([]) } },
      { op: "comment", comment: "nslab: del-ssl" },
    ]);
    return true;
  } catch (e) {
    if (guardFailed(e)) return false;
    throw e;
  }
}

/** The transaction's first operation (its guard) found the setting changed meanwhile. */
function guardFailed(e: unknown): boolean {
  return e instanceof OvsdbError && e.opIndex === 0 && e.error === "timed out";
}
