/* bridgedump: the current namespace's bridges and bridge ports, read without a full link dump. */
#define _GNU_SOURCE
#include "bridgedump.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "addr.h"
#include "link.h"
#include "netlink.h"
#include "netns.h"
#include "result.h"

/* Counters of every link, by interface index (filled by the RTM_GETSTATS dump). */
struct link_stats {
	int ifindex;
	struct rtnl_link_stats64 s;
};
static struct link_stats *g_stats;
static size_t g_nstats, g_capstats;
static int g_nomem;

static void collect_stats(const struct nlmsghdr *m)
{
	struct if_stats_msg *ism = NLMSG_DATA(m);
	if (m->nlmsg_type != RTM_NEWSTATS || m->nlmsg_len < NLMSG_LENGTH(sizeof *ism))
		return;
	struct rtattr *tb[IFLA_STATS_MAX + 1];
	nl_parse(tb, IFLA_STATS_MAX, (struct rtattr *)((char *)ism + NLMSG_ALIGN(sizeof *ism)),
		 (int)(m->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof *ism))));
	if (!tb[IFLA_STATS_LINK_64])
		return;
	if (g_nstats == g_capstats) {
		size_t cap = g_capstats ? 2 * g_capstats : 1024;
		struct link_stats *p = realloc(g_stats, cap * sizeof *p);
		if (!p) {
			g_nomem = 1;
			return;
		}
		g_stats = p;
		g_capstats = cap;
	}
	struct link_stats *e = &g_stats[g_nstats++];
	e->ifindex = (int)ism->ifindex;
	memset(&e->s, 0, sizeof e->s);
	size_t n = RTA_PAYLOAD(tb[IFLA_STATS_LINK_64]);
	memcpy(&e->s, RTA_DATA(tb[IFLA_STATS_LINK_64]), n < sizeof e->s ? n : sizeof e->s);
}

static int by_index(const void *a, const void *b)
{
	int x = ((const struct link_stats *)a)->ifindex, y = ((const struct link_stats *)b)->ifindex;
	return (x > y) - (x < y);
}

static const struct rtnl_link_stats64 *stats_of(int ifindex)
{
	struct link_stats key = { .ifindex = ifindex };
	struct link_stats *e = bsearch(&key, g_stats, g_nstats, sizeof *g_stats, by_index);
	return e ? &e->s : NULL;
}

static int dump_once(void)
{
	g_nstats = 0;
	g_nomem = 0;
	struct if_stats_msg *ism = nl_begin(RTM_GETSTATS, 0, sizeof *ism);
	ism->family = AF_UNSPEC;
	ism->filter_mask = IFLA_STATS_FILTER_BIT(IFLA_STATS_LINK_64);
	if (nl_dump(g_nl, collect_stats) < 0)
		return -1;
	if (g_nomem)
		return fail(ENOMEM, "bridgedump: out of memory");
	qsort(g_stats, g_nstats, sizeof *g_stats, by_index);
	link_stats_lookup = stats_of;

	sb_putf(&g_out, g_compact ? "[[" : "{\"links\":[");
	json_first();
	/* The bridges, whole: the kernel filters the dump by kind before filling any link. */
	struct ifinfomsg *ifi = nl_begin(RTM_GETLINK, 0, sizeof *ifi);
	ifi->ifi_family = AF_UNSPEC;
	struct rtattr *info = nl_nest_begin(IFLA_LINKINFO);
	nl_put(IFLA_INFO_KIND, "bridge", sizeof "bridge");
	nl_nest_end(info);
	if (nl_dump(g_nl, link_json_bridges) < 0)
		goto failed;
	/* Their ports, as the bridges describe them (no namespace ids involved). */
	ifi = nl_begin(RTM_GETLINK, 0, sizeof *ifi);
	ifi->ifi_family = AF_BRIDGE;
	if (nl_dump(g_nl, link_json) < 0)
		goto failed;
	sb_putf(&g_out, g_compact ? "],[" : "],\"addrs\":[");
	json_first();
	nl_begin(RTM_GETADDR, 0, sizeof(struct ifaddrmsg));
	if (nl_dump(g_nl, addr_json) < 0)
		goto failed;
	sb_putf(&g_out, g_compact ? "],[]]" : "],\"routes\":[]}");
	link_stats_lookup = NULL;
	return 0;
failed:
	link_stats_lookup = NULL;
	g_out.len = 0;
	return -1;
}

int cmd_bridgedump(char **a)
{
	(void)a;
	for (int attempt = 0; attempt < 50; attempt++) {
		if (dump_once() == 0)
			return 0;
		if (e_no != EAGAIN)
			return -1;
		usleep(1000u << (attempt < 6 ? attempt : 6));
	}
	return -1;
}

int cmd_bridgedumpc(char **a)
{
	g_compact = 1;
	int rc = cmd_bridgedump(a);
	g_compact = 0;
	return rc;
}

int cmd_addrdumpc(char **a)
{
	(void)a;
	g_compact = 1;
	sb_putf(&g_out, "[[],[");
	json_first();
	nl_begin(RTM_GETADDR, 0, sizeof(struct ifaddrmsg));
	int rc = nl_dump(g_nl, addr_json);
	g_compact = 0;
	if (rc < 0) {
		g_out.len = 0;
		return -1;
	}
	sb_putf(&g_out, "],[]]");
	return 0;
}
