/* dump: links, addresses and main-table routes of the current namespace, as one JSON object. */
#define _GNU_SOURCE
#include "dump.h"

#include <errno.h>
#include <unistd.h>

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "addr.h"
#include "link.h"
#include "netlink.h"
#include "netns.h"
#include "result.h"
#include "route.h"

static int dump_once(void)
{
	sb_putf(&g_out, "{\"links\":[");
	json_first();
	nl_begin(RTM_GETLINK, 0, sizeof(struct ifinfomsg));
	if (nl_dump(g_nl, link_json) < 0)
		goto failed;
	sb_putf(&g_out, "],\"addrs\":[");
	json_first();
	nl_begin(RTM_GETADDR, 0, sizeof(struct ifaddrmsg));
	if (nl_dump(g_nl, addr_json) < 0)
		goto failed;
	sb_putf(&g_out, "],\"routes\":[");
	json_first();
	nl_begin(RTM_GETROUTE, 0, sizeof(struct rtmsg));
	if (nl_dump(g_nl, route_json) < 0)
		goto failed;
	sb_putf(&g_out, "]}");
	return 0;
failed:
	g_out.len = 0;
	return -1;
}

/* A dump the kernel marks as interrupted (links changed meanwhile, e.g. by another process) is
 * simply taken again; only persistent churn gets through as an error. */
int cmd_dump(char **a)
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
