/*
 * Ping from inside namespaces without a process per ping: `pingadd NS SRC DST` queues one probe
 * (SRC `-`: unbound, the namespace's routing picks the source address); `pingrun TIMEOUT_MS
 * RETRY_MS` opens one raw ICMP (or ICMPv6) socket per source namespace and source address (a socket
 * stays in the namespace it was created in), bound to that address, sends every echo request,
 * collects the replies with epoll until all answered or the deadline, resending unanswered ones
 * every RETRY_MS, and answers one JSON array, in queue order: the round-trip time in microseconds,
 * -1 for no reply, or -errno when sending failed. Ends in root.
 */
#ifndef NSAGENT_PING_H
#define NSAGENT_PING_H

/* pingadd NS SRC DST: queue one probe from namespace NS, source address SRC, to DST. */
int cmd_pingadd(char **a);

/* pingrun TIMEOUT_MS RETRY_MS: run the queued probes and clear the queue. */
int cmd_pingrun(char **a);

#endif
