/**
 * nslab as a library: load a topology (file, YAML or object), plan it, bring it up, observe it,
 * ping it, run commands in it, take it down. The `nslab` CLI is a thin layer over exactly these.
 */

export { ApplyError } from "./drivers/apply/executor.js";
export type { Backend } from "./drivers/driver.js";
export type { Runner, RunOptions, RunResult } from "./drivers/runner/index.js";
export { CommandError } from "./drivers/runner/index.js";
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
  formatTopoSpec,
  type GeneratedSpec,
  type GenerateOptions,
  generatedYaml,
  generateTopology,
  parseTopoSpec,
  type SwitchKind,
  type TopoSpec,
} from "./generate/index.js";
export { type DownResult, down, downAll } from "./lab/down.js";
export { type ExecResult, exec } from "./lab/exec.js";
export { type ResolvedEndpoint, resolveEndpoint, setLinkState } from "./lab/link.js";
export { generatedTopology, loadTopology, parseTopology, topologyFromObject } from "./lab/load.js";
export type { CommonOptions, Logger } from "./lab/options.js";
export { type PingReport, ping } from "./lab/ping.js";
export { type Plan, planLab } from "./lab/plan.js";
export { type InterfaceReport, type LabReport, type NodeReport, status, statusAll } from "./lab/status.js";
export { type UpOptions, type UpResult, up } from "./lab/up.js";
export type { Cidr } from "./model/ip.js";
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
export type { Op } from "./plan/ops.js";
export { topologyJsonSchema } from "./spec/schema.js";
export type { LabStatus, OwnedObject } from "./state/store.js";
export type { PingPair } from "./verify/pairs.js";
export type { PingResult } from "./verify/ping.js";
