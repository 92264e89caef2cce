/* dump: links, addresses and main-table routes of the current namespace, as one JSON object. */
#define _GNU_SOURCE
#include "dump.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "addr.h"
#include "link.h"
#include "netlink.h"
#include "netns.h"
#include "result.h"
#include "route.h"

/* Main-table routes asked per family, not in one request: set once a request for every family was
 * refused (with a family whose strict check allows no table filter, MPLS's: see dump_routes). */
static int g_routes_per_family;

/* Main-table routes of the namespace of `fd`, into g_out. On a `strict` socket the kernel keeps
 * only the main table: one request for every family (one dump fewer per namespace than a request
 * per family), or, once refused, a request per family. Otherwise every table is read and the
 * callback keeps the main one. */
static int dump_routes(int fd, int strict)
{
	if (!strict) {
		nl_begin(RTM_GETROUTE, 0, sizeof(struct rtmsg));
		return nl_dump(fd, route_json);
	}
	if (!g_routes_per_family) {
		size_t mark = g_out.len;
		struct rtmsg *rtm = nl_begin(RTM_GETROUTE, 0, sizeof *rtm);
		rtm->rtm_family = AF_UNSPEC;
		rtm->rtm_table = RT_TABLE_MAIN;
		if (nl_dump(fd, route_json) == 0)
			return 0;
		if (e_no != EINVAL && e_no != EOPNOTSUPP)
			return -1;
		g_routes_per_family = 1; /* the routes read before the refusal are read again below */
		g_out.len = mark;
		json_first();
	}
	static const unsigned char families[] = { AF_INET, AF_INET6 };
	for (size_t i = 0; i < sizeof families; i++) {
		struct rtmsg *rtm = nl_begin(RTM_GETROUTE, 0, sizeof *rtm);
		rtm->rtm_family = families[i];
		rtm->rtm_table = RT_TABLE_MAIN;
		if (nl_dump(fd, route_json) < 0)
			return -1;
	}
	return 0;
}

/* Links, addresses and main-table routes of the namespace of netlink socket `fd`, into g_out
 * (`strict`: the socket asks the kernel to check dump requests strictly, see dump_routes). */
static int dump_fd(int fd, int strict)
{
	sb_putf(&g_out, g_compact ? "[[" : "{\"links\":[");
	json_first();
	nl_begin(RTM_GETLINK, 0, sizeof(struct ifinfomsg));
	/* Without IPv6's per-link statistics (IFLA_INET6_STATS, ICMP6 counters: summed over every CPU
	 * for each link, ~0.4 KB a link, never read here); the link's own counters still come. */
	nl_put_u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	if (nl_dump(fd, link_json) < 0)
		goto failed;
	sb_putf(&g_out, g_compact ? "],[" : "],\"addrs\":[");
	json_first();
	nl_begin(RTM_GETADDR, 0, sizeof(struct ifaddrmsg));
	if (nl_dump(fd, addr_json) < 0)
		goto failed;
	sb_putf(&g_out, g_compact ? "],[" : "],\"routes\":[");
	json_first();
	if (dump_routes(fd, strict) < 0)
		goto failed;
	sb_putf(&g_out, g_compact ? "]]" : "]}");
	return 0;
failed:
	g_out.len = 0;
	return -1;
}

/* A dump the kernel marks as interrupted (links changed meanwhile, e.g. by another process) is
 * simply taken again; only persistent churn gets through as an error. */
static int dump_retrying(int fd, int strict)
{
	for (int attempt = 0; attempt < 50; attempt++) {
		if (dump_fd(fd, strict) == 0)
			return 0;
		if (e_no != EAGAIN)
			return -1;
		usleep(1000u << (attempt < 6 ? attempt : 6));
	}
	return -1;
}

int cmd_dump(char **a)
{
	(void)a;
	return dump_retrying(g_nl, 0);
}

/*
 * nsdump NAME: a visit, not a move. Only a setns() there and one netlink socket (the agent's
 * sockets stay those of the root namespace, and the agent returns to root before any request of
 * another kind, see ns_pass): reading ten thousand namespaces spends its time in the dumps, not in
 * making and closing sockets or going back and forth.
 */
int cmd_nsdump(char **a)
{
	if (ns_pass(a[0]) < 0)
		return -1;
	/* Small reads first; a datagram too big for them (a link with a very long answer) and the
	 * namespace is read again on a new socket with full ones. */
	for (int small = 1;; small = 0) {
		int fd = nl_open();
		if (fd < 0)
			return -1;
		int one = 1;
		int strict = setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof one) == 0;
		/* The socket keeps the namespace it was made in, wherever the agent goes next. */
		nl_small_reads(small);
		int rc = dump_retrying(fd, strict);
		nl_small_reads(0);
		close(fd);
		if (rc == 0 || !small || e_no != EMSGSIZE)
			return rc;
	}
}

int cmd_nsdumpc(char **a)
{
	g_compact = 1;
	int rc = cmd_nsdump(a);
	g_compact = 0;
	return rc;
}
