/* bridgedump: the current namespace's bridges and bridge ports, read without a full link dump. */
#ifndef NSAGENT_BRIDGEDUMP_H
#define NSAGENT_BRIDGEDUMP_H

/*
 * bridgedump: `{"links":[...],"addrs":[...],"routes":[]}` like `dump`, but `links` holds only the
 * bridges (whole) and the bridge ports (name, flags, operstate, MTU, MAC, master, peer index) with
 * their counters. A full link dump of a namespace holding thousands of veth ends whose peers sit
 * in other namespaces costs the kernel a scan of its namespace ids per such end (quadratic);
 * these three dumps do not (kind-filtered links, the AF_BRIDGE port dump, RTM_GETSTATS).
 */
int cmd_bridgedump(char **a);
/* bridgedumpc: bridgedump in the compact form (see g_compact). */
int cmd_bridgedumpc(char **a);
/*
 * addrdumpc: the current namespace's addresses alone, compact (`[[],[addrs],[]]`): with its links
 * read one by one (getlink), what a small lab's status needs of a root namespace that may hold
 * thousands of other labs' bridge ports.
 */
int cmd_addrdumpc(char **a);

#endif
