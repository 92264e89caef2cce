/* Addresses of the current namespace: add, delete, IPv6 address generation, neighbours, JSON form. */
#define _GNU_SOURCE
#include "addr.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "link.h"
#include "netlink.h"
#include "netns.h"
#include "parse.h"
#include "result.h"

/* addr/deladdr IF CIDR. */
static int addr_change(char **a, int type)
{
	struct prefix p;
	if (parse_prefix(a[1], &p) < 0)
		return -1;
	int index = link_index(a[0]);
	if (index < 0)
		return -1;
	int create = type == RTM_NEWADDR;
	struct ifaddrmsg *ifa = nl_begin(type, create ? NLM_F_CREATE | NLM_F_EXCL : 0, sizeof *ifa);
	ifa->ifa_family = (unsigned char)p.family;
	ifa->ifa_prefixlen = (unsigned char)p.len;
	ifa->ifa_index = (uint32_t)index;
	if (p.family == AF_INET) {
		/* iproute2's default scope: host for 127/8, universe otherwise */
		if (create && p.addr[0] == 127)
			ifa->ifa_scope = RT_SCOPE_HOST;
		nl_put(IFA_LOCAL, p.addr, 4);
		nl_put(IFA_ADDRESS, p.addr, 4);
	} else {
		if (create)
			ifa->ifa_flags = IFA_F_NODAD;
		nl_put(IFA_ADDRESS, p.addr, 16);
	}
	return nl_talk(g_nl);
}

int cmd_addr(char **a)
{
	return addr_change(a, RTM_NEWADDR);
}

int cmd_deladdr(char **a)
{
	return addr_change(a, RTM_DELADDR);
}

int cmd_addrgen(char **a)
{
	static const char *const modes[] = { "eui64", "none", "stable_secret", "random" };
	int mode = -1;
	for (int i = 0; i < 4; i++)
		if (!strcmp(a[1], modes[i]))
			mode = i;
	if (mode < 0)
		return fail(EINVAL, "invalid addrgenmode \"%s\"", a[1]);
	if (link_begin(a[0], 0, 0) < 0)
		return -1;
	/* IFLA_AF_SPEC { AF_INET6 { IFLA_INET6_ADDR_GEN_MODE: u8 } } */
	struct rtattr *spec = nl_nest_begin(IFLA_AF_SPEC);
	struct rtattr *inet6 = nl_nest_begin(AF_INET6);
	uint8_t value = (uint8_t)mode;
	nl_put(IFLA_INET6_ADDR_GEN_MODE, &value, 1);
	nl_nest_end(inet6);
	nl_nest_end(spec);
	return nl_talk(g_nl);
}

void addr_json(const struct nlmsghdr *m)
{
	struct ifaddrmsg *ifa = NLMSG_DATA(m);
	struct rtattr *tb[IFA_MAX + 1];
	if (m->nlmsg_type != RTM_NEWADDR || m->nlmsg_len < NLMSG_LENGTH(sizeof *ifa))
		return;
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return;
	nl_parse(tb, IFA_MAX, IFA_RTA(ifa), (int)IFA_PAYLOAD(m));
	struct rtattr *addr = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!addr)
		return;
	json_comma();
	if (g_compact) { /* [ifindex,family,cidr,scope (number)] */
		sb_putf(&g_out, "[%u,%d,", ifa->ifa_index, ifa->ifa_family == AF_INET ? 4 : 6);
		json_addr(ifa->ifa_family, RTA_DATA(addr), ifa->ifa_prefixlen);
		sb_putf(&g_out, ",%u]", ifa->ifa_scope);
		return;
	}
	sb_putf(&g_out, "{\"ifindex\":%u,\"family\":%d,\"cidr\":", ifa->ifa_index,
		ifa->ifa_family == AF_INET ? 4 : 6);
	json_addr(ifa->ifa_family, RTA_DATA(addr), ifa->ifa_prefixlen);
	switch (ifa->ifa_scope) {
	case RT_SCOPE_UNIVERSE: sb_putf(&g_out, ",\"scope\":\"global\"}"); break;
	case RT_SCOPE_LINK: sb_putf(&g_out, ",\"scope\":\"link\"}"); break;
	case RT_SCOPE_HOST: sb_putf(&g_out, ",\"scope\":\"host\"}"); break;
	default: sb_putf(&g_out, ",\"scope\":%u}", ifa->ifa_scope);
	}
}

/* ---------------------------------------------------------------- neighbours */

struct neigh_key {
	int family, ifindex;
	unsigned char dst[16];
};
static struct neigh_key *g_neigh;
static size_t g_nneigh, g_capneigh;
static int g_neigh_oom; /* an entry did not fit: the flush would be partial */

static void collect_neigh(const struct nlmsghdr *m)
{
	struct ndmsg *nd = NLMSG_DATA(m);
	struct rtattr *tb[NDA_MAX + 1];
	if (m->nlmsg_type != RTM_NEWNEIGH || m->nlmsg_len < NLMSG_LENGTH(sizeof *nd))
		return;
	if ((nd->ndm_family != AF_INET && nd->ndm_family != AF_INET6) || (nd->ndm_state & (NUD_PERMANENT | NUD_NOARP)))
		return;
	nl_parse(tb, NDA_MAX, (struct rtattr *)((char *)nd + NLMSG_ALIGN(sizeof *nd)),
		 (int)(m->nlmsg_len - NLMSG_LENGTH(sizeof *nd)));
	size_t bytes = nd->ndm_family == AF_INET ? 4 : 16;
	if (!tb[NDA_DST] || RTA_PAYLOAD(tb[NDA_DST]) < bytes)
		return;
	if (g_nneigh == g_capneigh) {
		size_t cap = g_capneigh ? g_capneigh * 2 : 256;
		struct neigh_key *p = realloc(g_neigh, cap * sizeof *p);
		if (!p) {
			g_neigh_oom = 1;
			return;
		}
		g_neigh = p;
		g_capneigh = cap;
	}
	struct neigh_key *k = &g_neigh[g_nneigh++];
	k->family = nd->ndm_family;
	k->ifindex = nd->ndm_ifindex;
	memcpy(k->dst, RTA_DATA(tb[NDA_DST]), bytes);
}

int cmd_neighflush(char **a)
{
	(void)a;
	g_nneigh = 0;
	g_neigh_oom = 0;
	struct ndmsg *nd = nl_begin(RTM_GETNEIGH, 0, sizeof(struct ndmsg));
	nd->ndm_family = AF_UNSPEC;
	if (nl_dump(g_nl, collect_neigh) < 0)
		return -1;
	if (g_neigh_oom)
		return fail(ENOMEM, "neighflush: out of memory for the neighbour list");
	int removed = 0;
	for (size_t i = 0; i < g_nneigh; i++) {
		struct neigh_key *k = &g_neigh[i];
		struct ndmsg *d = nl_begin(RTM_DELNEIGH, 0, sizeof *d);
		d->ndm_family = (unsigned char)k->family;
		d->ndm_ifindex = k->ifindex;
		nl_put(NDA_DST, k->dst, k->family == AF_INET ? 4 : 16);
		if (nl_talk(g_nl) == 0)
			removed++;
	}
	sb_putf(&g_out, "%d", removed);
	return 0;
}
