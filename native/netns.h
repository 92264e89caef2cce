/* Namespaces: the agent's current namespace and its sockets, and the namespace commands. */
#ifndef NSAGENT_NETNS_H
#define NSAGENT_NETNS_H

#include <stddef.h>

/* The current namespace's NETLINK_ROUTE socket and datagram socket for ioctls. */
extern int g_nl;
extern int g_io;

/* At start-up: remember the namespace the agent starts in (root) and open its sockets. */
int ns_start(void);

/* Why namespace-scoped requests are refused (the last namespace switch failed), or NULL. */
const char *ns_poisoned(void);

/* Return to root with root's sockets, and accept scoped requests again. */
int ns_root(void);

/* /run/netns/NAME in path; rejects names that could escape /run/netns. */
int ns_path(const char *name, char *path, size_t size);

/* Open /run/netns/NAME for ns_visit() (errors: an invalid name, or "setns NAME"). */
int ns_open(const char *name);

/* Move the calling thread into the namespace open at fd (closing fd) without touching the agent's
 * sockets. After ns_root(), ns_leave() returns to root, where those sockets still are. */
int ns_visit(int fd, const char *name);
int ns_leave(void);

/* Move the calling thread into namespace NAME, from root or from the namespace the last ns_pass()
 * left it in (the agent's sockets stay root's), and stay there: reading many namespaces one after
 * another costs one setns each instead of three. The next request of another kind returns to root
 * first (ns_back), so no request ever runs elsewhere than where the protocol says it does, and so
 * does the agent whenever it has run all it was sent (it never waits for more away from root). */
int ns_pass(const char *name);
/* Back to root after ns_pass() (nothing to do otherwise); poisoned when that fails. */
int ns_back(void);

/* root: back to the namespace the agent started in. */
int cmd_root(char **a);

/* ns NAME: enter /run/netns/NAME and open fresh sockets there. */
int cmd_ns(char **a);

/* mkns NAME MARKER: `ip netns add NAME`, with lo up and aliased MARKER before NAME is visible. */
int cmd_mkns(char **a);

/* delns NAME: `ip netns del NAME`. Deleting the current namespace returns to root, poisoned. */
int cmd_delns(char **a);

/* delown NAME MARKER: `ip netns del NAME` only if its loopback's alias is MARKER. Ends in root. */
int cmd_delown(char **a);

/* sysctl KEY VALUE: write VALUE to /proc/sys/KEY (of the current namespace, for net.*). */
int cmd_sysctl(char **a);

#endif
