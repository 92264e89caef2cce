/**
 * Every external command and helper request nslab makes, as it happens: for `--verbose`. The runner
 * reports each process (and the agent and OVSDB each request) through one sink; this installs it.
 */
export { type CommandLogEntry, setCommandLog } from "../drivers/runner/index.js";
