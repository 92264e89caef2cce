/**
 * nslab as a library: load a topology (file, YAML, object, containerlab file — or build one in
 * code), plan it, bring it up, observe it, test it, measure and shape it, capture on it, run
 * commands in it, take it down. The `nslab` CLI is a thin layer over exactly these functions.
 * For tests, `withLab` is in `nslab/testing`.
 *
 * Errors are `NslabError`s with a stable `code` (see `ErrorCode`), a `hint`, a `cause` and, for
 * topology problems, a `location`: `TopologyError` (every problem of a topology, each with
 * `file:line:col` and field path), `ApplyError` (the operation that failed, its command and the
 * topology line it came from), `CommandError` (an external command: argv, exit code, output).
 */

export { ApplyError } from "./drivers/apply/executor.js";
export type { ProgressFn } from "./drivers/apply/types.js";
export type { Backend } from "./drivers/driver.js";
export { hostFactsFor, probeFeatures } from "./drivers/host/probe.js";
export type { ControllerStatus, FlowEntry } from "./drivers/ovs/index.js";
export type { Runner, RunOptions, RunResult, StartOptions } from "./drivers/runner/index.js";
export { CommandError, type CommandFailure } from "./drivers/runner/index.js";
export { type DownAllOptions, type DownResult, down, downAll } from "./engine/down.js";
export type { CommonOptions, Logger } from "./engine/options.js";
export { type Plan, planLab } from "./engine/plan.js";
export type { TeardownReport } from "./engine/teardown.js";
export { type UpOptions, type UpResult, up } from "./engine/up.js";
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
  PNG_MAX_SIDE,
  type Point,
  renderPng,
  renderSvg,
  toDot,
  toMermaid,
} from "./graph/index.js";
export type { CaptureOptions, CaptureResult } from "./lab/capture.js";
export { peerEndpoint, type ResolvedEndpoint, resolveEndpoint } from "./lab/endpoints.js";
export type { ExecOptions, ExecResult } from "./lab/exec.js";
export type { BridgeFlows } from "./lab/flows.js";
export {
  capture,
  exec,
  flows,
  iperf,
  logs,
  ping,
  pingFrom,
  services,
  setLinkShaping,
  setLinkState,
  status,
  statusAll,
} from "./lab/functions.js";
export { labGraph, labTopology } from "./lab/graph.js";
export { Lab, type LabOptions, type LabUpOptions, type UpSource } from "./lab/handle.js";
export type { IperfOptions, IperfResult } from "./lab/iperf.js";
export type { ShapingResult } from "./lab/link.js";
export { type PingReport, pingPair } from "./lab/ping.js";
export type { SignalOption } from "./lab/running.js";
export type { ServiceReport } from "./lab/services.js";
export {
  type InterfaceReport,
  type LabReport,
  type LabSummary,
  labSummaries,
  type NodeReport,
  type OpenFlowReport,
} from "./lab/status.js";
export { type TestOptions, type TestReport, testLab } from "./lab/test.js";
export {
  defineTopology,
  type ExpectOutcome,
  type SysctlValue,
  TopologyBuilder,
  type TopologyFields,
} from "./model/builder.js";
export { generatedTopology } from "./model/generated.js";
export type { Cidr, Family } from "./model/ip.js";
export { type LoadOptions, loadTopology, parseTopology, topologyFromObject } from "./model/load.js";
export { bridgeLoopWarnings } from "./model/loops.js";
export type { ResolveOptions } from "./model/resolve.js";
export { parseShaping } from "./model/shaping.js";
export type {
  AddressingInfo,
  BridgeNode,
  EndpointRef,
  Expectation,
  ExpectTarget,
  Flow,
  Interface,
  Link,
  Neighbor,
  NetnsNode,
  Node,
  OpenFlowSettings,
  OpenFlowVersion,
  OvsBridgeNode,
  Route,
  Shaping,
  Sysctl,
  Topology,
} from "./model/types.js";
export type { HostFacts, KernelFeature } from "./plan/host.js";
export type { DumpLinkStats } from "./plan/observed.js";
export type { NsName, Op, VethEnd } from "./plan/ops.js";
export {
  type ClabImport,
  convertClabText,
  importClab,
  isClabFile,
  loadClabFile,
} from "./sources/clab/index.js";
export {
  formatTopoSpec,
  type GeneratedSpec,
  type GenerateOptions,
  generatedYaml,
  generateTopology,
  parseTopoSpec,
  type SwitchKind,
  type TopoSpec,
} from "./sources/mininet/index.js";
export { topologyJsonSchema } from "./sources/nslab/json-schema.js";
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
} from "./sources/nslab/types.js";
export type { LabStatus, OwnedObject } from "./state/store.js";
export { setDefaultLogger, silentLogger, stderrWarnings } from "./util/logger.js";
export type { Check, CheckResult } from "./verify/checks.js";
export { renderJunit } from "./verify/junit.js";
export type { PingPair } from "./verify/pairs.js";
export type { PingOptions, PingResult } from "./verify/ping-result.js";
