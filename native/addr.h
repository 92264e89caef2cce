/* Addresses of the current namespace: add, delete, IPv6 address generation, neighbours, JSON form. */
#ifndef NSAGENT_ADDR_H
#define NSAGENT_ADDR_H

#include <linux/netlink.h>

/* nl_cb for RTM_GETADDR dumps: appends each IPv4/IPv6 address as a JSON object to g_out. */
void addr_json(const struct nlmsghdr *m);

/* addr IF CIDR: `ip addr add CIDR dev IF` (IPv6 with nodad). */
int cmd_addr(char **a);

/* deladdr IF CIDR: `ip addr del CIDR dev IF`. */
int cmd_deladdr(char **a);

/* addrgen IF MODE: `ip link set IF addrgenmode MODE` (eui64, none, stable_secret, random). */
int cmd_addrgen(char **a);

/* neighflush: `ip neigh flush all` in the current namespace (dynamic IPv4/IPv6 entries). Answers
 * the number removed. Frees room in the kernel's neighbour tables, which all namespaces share. */
int cmd_neighflush(char **a);

#endif
