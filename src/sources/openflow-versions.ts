/** The OpenFlow versions OVS speaks, as OVSDB names them (shared by the file format and `--switch`). */
export const OPENFLOW_VERSIONS = [
  "OpenFlow10",
  "OpenFlow11",
  "OpenFlow12",
  "OpenFlow13",
  "OpenFlow14",
  "OpenFlow15",
] as const;

/** One of {@link OPENFLOW_VERSIONS}. */
export type OpenFlowVersionName = (typeof OPENFLOW_VERSIONS)[number];
