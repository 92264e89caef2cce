/**
 * containerlab's FRR nodes → nslab routers running the host's FRR: a node of `kind: frr`, or of
 * `kind: linux` with FRR's image (`frrouting/frr`, `quay.io/frrouting/frr`, any registry, tag or
 * digest), becomes `kind: router` with `frr:` — its frr.conf from `startup-config` or the bind onto
 * /etc/frr/frr.conf, its daemons from the bind onto /etc/frr/daemons or `extras.frr.daemons` (its
 * other binds become files, as any node's: binds.ts). Paths
 * stay relative to the .clab.yml, as containerlab reads them. The image's tag is not used: the
 * host's FRR runs. Pure.
 */
import type { Bind } from "./binds.js";
import type { Conversion, Fields, Path } from "./conversion.js";
import { isMap } from "./conversion.js";

/** FRR's images: `[registry/]frrouting/frr[:tag][@digest]`. */
const FRR_IMAGE = /^(?:[^/\s]+\/)?frrouting\/frr(?::[^@\s]+)?(?:@\S+)?$/;

/** Whether an image is FRR's. */
export function isFrrImage(image: unknown): boolean {
  return typeof image === "string" && FRR_IMAGE.test(image.trim());
}

/** A node field and where it was written (the node, its group, its kind or the defaults). */
export type Inherited = ReadonlyMap<string, { value: unknown; path: Path }>;

/** The fields an FRR node uses (besides kind, exec, group and binds). */
export const FRR_FIELDS = new Set(["image", "startup-config", "extras"]);

/** Where FRR's files are in a container. */
const ETC_FRR = "/etc/frr/";

/**
 * The `frr:` of the router nslab makes from FRR node `name`, and the binds that are not FRR's
 * (they become the node's files: binds.ts).
 */
export function convertFrrNode(
  c: Conversion,
  name: string,
  fields: Inherited,
  binds: readonly Bind[],
): { frr: Fields; others: Bind[] } {
  const frr: Fields = {};
  const at = (key: string): Path => ["nodes", name, "frr", key];
  const others: Bind[] = [];
  for (const b of binds) {
    if (b.target === `${ETC_FRR}frr.conf`) {
      frr.config = b.host;
      c.from(at("config"), b.path);
    } else if (b.target === `${ETC_FRR}daemons`) {
      frr.daemons = b.host;
      c.from(at("daemons"), b.path);
    } else if (b.target === `${ETC_FRR}vtysh.conf`)
      c.warn(`bind '${b.text}' of node '${name}' is not used: nslab writes each router's vtysh.conf`, b.path);
    else others.push(b);
  }
  const startup = fields.get("startup-config");
  if (startup !== undefined) {
    if (typeof startup.value !== "string" || startup.value.includes("\n"))
      c.error(
        "'startup-config' must be the path of an frr.conf (inline configurations are not imported)",
        startup.path,
      );
    else {
      if (frr.config !== undefined)
        c.warn(
          `node '${name}' has both 'startup-config' and a bind onto /etc/frr/frr.conf: the startup-config is used`,
          startup.path,
        );
      frr.config = startup.value;
      c.from(at("config"), startup.path);
    }
  }
  const extras = fields.get("extras");
  const list = isMap(extras?.value) && isMap(extras.value.frr) ? extras.value.frr.daemons : undefined;
  if (list !== undefined && frr.daemons === undefined) {
    const path = [...extras!.path, "frr", "daemons"];
    if (!Array.isArray(list)) c.error("'extras.frr.daemons' must be a list of FRR daemons", path);
    else {
      frr.daemons = list;
      c.from(at("daemons"), path);
      for (let i = 0; i < list.length; i++) c.from([...at("daemons"), i], [...path, i]);
    }
  }
  c.from(["nodes", name, "frr"], fields.get("image")?.path ?? ["topology", "nodes", name]);
  return { frr, others };
}
