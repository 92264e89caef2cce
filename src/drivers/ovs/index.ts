/** The Open vSwitch driver: OVSDB over JSON-RPC, bridge/port changes, and the daemons. */
export {
  addBridges,
  addPorts,
  type BridgeSpec,
  deleteBridges,
  deletePorts,
  ensureRootRow,
  type PortSpec,
  setBridgesOpenflow,
  setPortTag,
  type WaitOptions,
} from "./bridges.js";
export { type DaemonHandle, isSameProcess, type StopReport } from "./daemon-process.js";
export {
  COMPACT_MIN_BYTES,
  compactDb,
  DEFAULT_OVS_RUN_DIR,
  daemonsStartedSince,
  type OvsProbe,
  type OvsRuntimePaths,
  ovsDbSocket,
  ovsRuntimePaths,
  probeOvs,
  type StartedOvs,
  startOvs,
  stopOvs,
} from "./daemons.js";
export {
  type BridgeInfo,
  bridgesInFile,
  type InterfaceInfo,
  listBridges,
  type PortInfo,
} from "./inventory.js";
export {
  type Json,
  JsonRpcConnection,
  type JsonRpcConnectOptions,
  JsonRpcError,
  type JsonRpcFailure,
  JsonStreamSplitter,
  type NotificationListener,
  type RequestOptions,
} from "./jsonrpc.js";
export { type DaemonState, daemonState } from "./liveness.js";
export type { FlowEntry } from "./ofctl.js";
export {
  type BridgeOpenFlow,
  type ControllerStatus,
  type OpenFlowColumns,
  readOpenflow,
} from "./openflow.js";
export {
  type CfgMonitor,
  type CfgState,
  type Condition,
  DEFAULT_DB_SOCKET,
  type Mutation,
  nextCfgOps,
  type Operation,
  type OperationResult,
  OvsdbClient,
  type OvsdbConnectOptions,
  OvsdbError,
  readNextCfg,
} from "./ovsdb.js";
export {
  type Atom,
  decodeMap,
  decodeOptional,
  decodeSet,
  decodeStringMap,
  decodeUuid,
  map,
  type NamedUuidAtom,
  namedUuid,
  type OvsMap,
  type OvsSet,
  optional,
  type Row,
  set,
  type UuidAtom,
  uuid,
  type Value,
} from "./values.js";
