/* Routes of the current namespace's main table: add, delete, JSON form. */
#define _GNU_SOURCE
#include "route.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/rtnetlink.h>

#include "link.h"
#include "netlink.h"
#include "netns.h"
#include "parse.h"
#include "result.h"

/* route/delroute DST VIA DEV METRIC. */
static int route_change(char **a, int type)
{
	struct prefix dst;
	unsigned char via[16];
	int oif = 0, has_via = strcmp(a[1], "-") != 0;
	uint32_t metric = 0;
	int has_metric = strcmp(a[3], "-") != 0;
	if (parse_prefix(a[0], &dst) < 0)
		return -1;
	if (has_via && inet_pton(dst.family, a[1], via) != 1)
		return fail(EINVAL, "invalid gateway \"%s\" for an IPv%d route", a[1],
			    dst.family == AF_INET ? 4 : 6);
	if (has_metric && parse_u32(a[3], &metric, "metric") < 0)
		return -1;
	if (strcmp(a[2], "-") && (oif = link_index(a[2])) < 0)
		return -1;
	int create = type == RTM_NEWROUTE;
	struct rtmsg *rtm = nl_begin(type, create ? NLM_F_CREATE | NLM_F_EXCL : 0, sizeof *rtm);
	rtm->rtm_family = (unsigned char)dst.family;
	rtm->rtm_dst_len = (unsigned char)dst.len;
	rtm->rtm_table = RT_TABLE_MAIN;
	if (create) {
		rtm->rtm_protocol = RTPROT_BOOT;
		rtm->rtm_type = RTN_UNICAST;
		rtm->rtm_scope = dst.family == AF_INET6 || has_via ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	} else {
		rtm->rtm_scope = RT_SCOPE_NOWHERE; /* matches any scope, protocol and type */
	}
	if (dst.len)
		nl_put(RTA_DST, dst.addr, (size_t)dst.bytes);
	if (has_via)
		nl_put(RTA_GATEWAY, via, (size_t)dst.bytes);
	if (oif)
		nl_put_u32(RTA_OIF, (uint32_t)oif);
	if (has_metric)
		nl_put_u32(RTA_PRIORITY, metric);
	return nl_talk(g_nl);
}

int cmd_route(char **a)
{
	return route_change(a, RTM_NEWROUTE);
}

int cmd_delroute(char **a)
{
	return route_change(a, RTM_DELROUTE);
}

void route_json(const struct nlmsghdr *m)
{
	struct rtmsg *rtm = NLMSG_DATA(m);
	struct rtattr *tb[RTA_MAX + 1];
	static const unsigned char any[16];
	if (m->nlmsg_type != RTM_NEWROUTE || m->nlmsg_len < NLMSG_LENGTH(sizeof *rtm))
		return;
	if ((rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) || (rtm->rtm_flags & RTM_F_CLONED))
		return;
	nl_parse(tb, RTA_MAX, RTM_RTA(rtm), (int)RTM_PAYLOAD(m));
	uint32_t table = tb[RTA_TABLE] ? nl_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (table != RT_TABLE_MAIN)
		return;
	const unsigned char *dst = tb[RTA_DST] ? RTA_DATA(tb[RTA_DST]) : any;
	if (rtm->rtm_family == AF_INET6 && rtm->rtm_dst_len >= 8 && dst[0] == 0xff)
		return; /* multicast */
	json_comma();
	if (g_compact) { /* [family,dst,gateway,oif,metric,protocol,scope,table] */
		sb_putf(&g_out, "[%d,", rtm->rtm_family == AF_INET ? 4 : 6);
		json_addr(rtm->rtm_family, dst, rtm->rtm_dst_len);
		sb_putf(&g_out, ",");
		if (tb[RTA_GATEWAY])
			json_addr(rtm->rtm_family, RTA_DATA(tb[RTA_GATEWAY]), UINT_MAX);
		else
			sb_putf(&g_out, "null");
		sb_putf(&g_out, ",");
		json_u32_attr(tb[RTA_OIF]);
		sb_putf(&g_out, ",");
		json_u32_attr(tb[RTA_PRIORITY]);
		sb_putf(&g_out, ",%u,%u,%u]", rtm->rtm_protocol, rtm->rtm_scope, table);
		return;
	}
	sb_putf(&g_out, "{\"family\":%d,\"dst\":", rtm->rtm_family == AF_INET ? 4 : 6);
	json_addr(rtm->rtm_family, dst, rtm->rtm_dst_len);
	sb_putf(&g_out, ",\"gateway\":");
	if (tb[RTA_GATEWAY])
		json_addr(rtm->rtm_family, RTA_DATA(tb[RTA_GATEWAY]), UINT_MAX);
	else
		sb_putf(&g_out, "null");
	sb_putf(&g_out, ",\"oif\":");
	json_u32_attr(tb[RTA_OIF]);
	sb_putf(&g_out, ",\"metric\":");
	json_u32_attr(tb[RTA_PRIORITY]);
	sb_putf(&g_out, ",\"protocol\":%u,\"scope\":%u,\"table\":%u}", rtm->rtm_protocol, rtm->rtm_scope,
		table);
}
