/**
 * nslab as a library: load a topology (file, YAML or object — or build one in code), plan it,
 * bring it up, observe it, ping it, run commands in it, take it down. The `nslab` CLI is a thin
 * layer over exactly these functions. For tests, `withLab` is in `nslab/testing`.
 *
 * Errors are `NslabError`s with a stable `code` (see `ErrorCode`), a `hint`, a `cause` and, for
 * topology problems, a `location`: `TopologyError` (every problem of a topology, each with
 * `file:line:col` and field path), `ApplyError` (the operation that failed, its command and the
 * topology line it came from), `CommandError` (an external command: argv, exit code, output).
 */

export { ApplyError } from "./drivers/apply/executor.js";
export type { ProgressFn } from "./drivers/apply/types.js";
export type { Backend } from "./drivers/driver.js";
export type { DumpLinkStats } from "./drivers/nsagent/index.js";
export type { Runner, RunOptions, RunResult, StartOptions } from "./drivers/runner/index.js";
export { CommandError, type CommandFailure } from "./drivers/runner/index.js";
export {
  type ErrorCode,
  formatLocation,
  formatProblem,
  NslabError,
  type Problem,
  type SourceLocation,
  TopologyError,
} from "./errors.js";
export {
  engineFor,
  type GraphEdge,
  type GraphEnd,
  type GraphInterface,
  type GraphModel,
  type GraphNode,
  type GraphNodeKind,
  graphKind,
  graphModel,
  layoutPositions,
  type Point,
  renderSvg,
  toDot,
  toMermaid,
} from "./graph/index.js";
export { defineTopology, type SysctlValue, TopologyBuilder, type TopologyFields } from "./lab/builder.js";
export { type DownAllOptions, type DownResult, down, downAll } from "./lab/down.js";
export { type ExecOptions, type ExecResult, exec } from "./lab/exec.js";
export { labGraph, labTopology } from "./lab/graph.js";
export { Lab, type LabOptions } from "./lab/handle.js";
export { type ResolvedEndpoint, resolveEndpoint, setLinkState } from "./lab/link.js";
export { loadTopology, parseTopology, topologyFromObject } from "./lab/load.js";
export type { CommonOptions, Logger } from "./lab/options.js";
export { type PingReport, ping, pingFrom, pingPair } from "./lab/ping.js";
export { type Plan, planLab } from "./lab/plan.js";
export {
  type InterfaceReport,
  type LabReport,
  type LabSummary,
  labSummaries,
  type NodeReport,
  status,
  statusAll,
} from "./lab/status.js";
export type { TeardownReport } from "./lab/teardown.js";
export { type UpOptions, type UpResult, up } from "./lab/up.js";
export type { Cidr, Family } from "./model/ip.js";
export type { ResolveOptions } from "./model/resolve.js";
export type {
  BridgeNode,
  EndpointRef,
  Interface,
  Link,
  NetnsNode,
  Node,
  OvsBridgeNode,
  Route,
  Sysctl,
  Topology,
} from "./model/types.js";
export type { HostFacts } from "./plan/build.js";
export type { NsName, Op, VethEnd } from "./plan/ops.js";
export { topologyJsonSchema } from "./spec/json-schema.js";
export type {
  BridgeNodeSpec,
  Endpoint,
  InterfaceSettings,
  InterfaceSpec,
  LinkSettings,
  LinkSpec,
  NetnsNodeSpec,
  NodeSpec,
  NodeSpecKind,
  OvsBridgeNodeSpec,
  PortSpec,
  RouteSpec,
  TopologySpec,
} from "./spec/types.js";
export type { LabStatus, OwnedObject } from "./state/store.js";
export type { PingPair } from "./verify/pairs.js";
export type { PingOptions, PingResult } from "./verify/ping.js";
