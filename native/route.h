/* Routes of the current namespace's main table: add, delete, JSON form. */
#ifndef NSAGENT_ROUTE_H
#define NSAGENT_ROUTE_H

#include <linux/netlink.h>

/* nl_cb for RTM_GETROUTE dumps: appends each main-table IPv4/IPv6 route (not cached, not IPv6
 * multicast) as a JSON object to g_out. */
void route_json(const struct nlmsghdr *m);

/* route DST VIA DEV METRIC (`-` = absent): `ip route add ...` in table main. */
int cmd_route(char **a);

/* delroute DST VIA DEV METRIC (`-` = absent): `ip route del ...` in table main. */
int cmd_delroute(char **a);

#endif
