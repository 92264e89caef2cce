/* Links of the current namespace: lookup, settings, deletion, and their JSON form. */
#ifndef NSAGENT_LINK_H
#define NSAGENT_LINK_H

#include <stddef.h>

#include <linux/netlink.h>

#define ALIAS_MAX 255 /* longest interface alias the kernel keeps (IFALIASZ - 1) */

/* Index of interface `dev` in the current namespace, or -1 with the error set (ENODEV: missing). */
int link_index(const char *dev);

/* Start an RTM_NEWLINK request on `dev` changing the flags in `change` to `flags`; the caller adds
 * attributes and sends it on g_nl. */
int link_begin(const char *dev, unsigned int flags, unsigned int change);

/* The alias of `dev` in the calling thread's namespace, asked over a socket of its own ("" when it
 * has none); for a peek into a namespace the agent is not in. */
int link_alias(const char *dev, char *alias, size_t size);

/* nl_cb for RTM_GETLINK answers: appends each link as a JSON object to g_out (see json_first). */
void link_json(const struct nlmsghdr *m);

/* link_json for the bridges among the links (a kernel that ignores a dump's kind filter sends all). */
void link_json_bridges(const struct nlmsghdr *m);

struct rtnl_link_stats64;
/* When set, link_json takes the counters of a link whose message carries none from here. */
extern const struct rtnl_link_stats64 *(*link_stats_lookup)(int ifindex);

/* up IF: `ip link set IF up`. */
int cmd_up(char **a);

/* down IF: `ip link set IF down`. */
int cmd_down(char **a);

/* alias IF TEXT: `ip link set IF alias TEXT` (empty TEXT removes the alias). */
int cmd_alias(char **a);

/* linkset IF ALIAS MASTER: `ip link set IF alias ALIAS master MASTER up` in one request (MASTER
 * `-`: none), how a lab's root-namespace end of a link is finished. */
int cmd_linkset(char **a);

/* vethadd GROUP A_NAME A_NS A_MTU A_MAC A_MASTER A_UP B_NAME B_NS B_MTU B_MAC B_MASTER B_UP: `ip link
 * add name A netns A_NS group GROUP [mtu] [address] [master] [up] type veth peer name B ...` in
 * one request (`-`: absent, NS `-` the current namespace; a MASTER is looked up here). */
int cmd_vethadd(char **a);

/* bridgeadd NAME GROUP MTU STP: `ip link add name NAME group GROUP [mtu MTU] type bridge [stp_state 1]`
 * (MTU `-`: the default; STP 0 or 1). */
int cmd_bridgeadd(char **a);

/* mtu IF N: `ip link set IF mtu N`. */
int cmd_mtu(char **a);

/* mac IF AA:BB:CC:DD:EE:FF: `ip link set IF address ...`. */
int cmd_mac(char **a);

/* dellink IF: `ip link del IF`. */
int cmd_dellink(char **a);

/* delgroup G: `ip link del group G` (G > 0). */
int cmd_delgroup(char **a);

/* txoff IF: `ethtool -K IF tx off` (legacy ETHTOOL_STXCSUM, on this namespace's socket). */
int cmd_txoff(char **a);

/* getlink IF: one link of the current namespace, as one `dump` link object. */
int cmd_getlink(char **a);

/* grouplinks G: the names of the current namespace's links in link group G, as a JSON array (one
 * dump without counters: what `ip link del group G` would take). */
int cmd_grouplinks(char **a);

/* sysgroup G: the names of the links /sys/class/net lists whose netdev_group is G (JSON array). */
int cmd_sysgroup(char **a);

/* sysaliases: [name, alias] of each link /sys/class/net lists that has an alias (JSON array). */
int cmd_sysaliases(char **a);

#endif
