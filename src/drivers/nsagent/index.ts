/** The native netns agent driver: one long-lived process that configures namespaces over rtnetlink. */
export {
  type ExecOptions,
  findAgentBinary,
  flushNeighboursOf,
  NsAgent,
  type NsAgentOptions,
  nftTablesOf,
  nftTablesOfOwnAgent,
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
  type DumpAddr,
  type DumpLink,
  type DumpLinkStats,
  type DumpOperstate,
  type DumpRoute,
  type NsDump,
  parseReply,
  type RouteFields,
  serializeCommand,
  serializeCommands,
} from "./protocol.js";
export { asLinkAliases, asNftTables, asNsDump, asRulesByChain, type NftTable } from "./reply-data.js";
