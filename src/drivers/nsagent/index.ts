/** The native netns agent driver: one long-lived process that configures namespaces over rtnetlink. */
export {
  type ExecOptions,
  findAgentBinary,
  NsAgent,
  type NsAgentOptions,
  nftTablesOf,
} from "./client.js";
export {
  asCompactDump,
  type CompactAddr,
  type CompactDump,
  type CompactLink,
  type CompactRoute,
  fromCompactDump,
  linkStats,
  operstateOf,
  toCompactDump,
} from "./compact.js";
export {
  AGENT_ERRNO,
  type AgentCommand,
  type AgentReply,
  type AgentVethEnd,
  asLinkAliases,
  asNftTables,
  asNsDump,
  type DumpAddr,
  type DumpLink,
  type DumpLinkStats,
  type DumpOperstate,
  type DumpRoute,
  type NftTable,
  type NsDump,
  parseReply,
  type RouteFields,
  serializeCommand,
  serializeCommands,
} from "./protocol.js";
