/*
 * `nsagent supervise DIR`: a lab's service supervisor — one small process per lab, started by
 * `up` in a session of its own, ended by `down`. It runs each service of DIR/spec inside its
 * node's namespaces (stdout and stderr appended to the service's log file, opened in the host's
 * view), restarts the ones that ask for it with a bounded back-off, reaps every process that ends
 * up its child (it is a child subreaper: daemons that fork away are reaped too), and writes
 * DIR/status.json (atomically) on every change. DIR/supervisor holds its "PID STARTTIME".
 *
 * SIGHUP: read DIR/spec again: start the services it adds (`up` starts services in dependency
 * order this way), start again those it redefines (a running one once it ended: SIGTERM, SIGKILL
 * after the grace period), and stop those it no longer has (they leave the status once ended).
 * SIGTERM or SIGINT: stop — no more restarts, SIGTERM to every service's process group, SIGKILL after a grace period, final status, exit 0. It also exits by
 * itself once no service runs or waits to restart and every service's network namespace is gone.
 *
 * DIR/spec: one service per line, fields separated by TABs (a TAB, newline or backslash inside a
 * field is written \t, \n, \\):
 *   svc ID NETFILE MNTFILE|- LOGFILE no|on-failure|always CWD|- NENV ENV… ARGV…
 */
#ifndef NSAGENT_SUPERVISE_H
#define NSAGENT_SUPERVISE_H

/* Runs until stopped; returns the process's exit status. */
int supervise_main(int argc, char **argv);

#endif
