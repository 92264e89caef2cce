/* nftables, read-only: one table dump over nfnetlink (nft.h). */
#define _GNU_SOURCE
#include "nft.h"

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <unistd.h>

#include "netlink.h"
#include "result.h"

/* The family as nft's own syntax names it (a number for one it does not). */
static void family_json(unsigned int f)
{
	switch (f) {
	case NFPROTO_INET: sb_putf(&g_out, "\"inet\""); return;
	case NFPROTO_IPV4: sb_putf(&g_out, "\"ip\""); return;
	case NFPROTO_ARP: sb_putf(&g_out, "\"arp\""); return;
	case NFPROTO_NETDEV: sb_putf(&g_out, "\"netdev\""); return;
	case NFPROTO_BRIDGE: sb_putf(&g_out, "\"bridge\""); return;
	case NFPROTO_IPV6: sb_putf(&g_out, "\"ip6\""); return;
	default: sb_putf(&g_out, "%u", f);
	}
}

static void table_json(const struct nlmsghdr *m)
{
	const struct nfgenmsg *g = NLMSG_DATA(m);
	if (m->nlmsg_type != ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWTABLE) ||
	    m->nlmsg_len < NLMSG_LENGTH(sizeof *g))
		return;
	struct rtattr *tb[NFTA_TABLE_MAX + 1];
	nl_parse(tb, NFTA_TABLE_MAX, (struct rtattr *)((char *)g + NLMSG_ALIGN(sizeof *g)),
		 (int)(m->nlmsg_len - NLMSG_LENGTH(sizeof *g)));
	json_comma();
	sb_putf(&g_out, "[");
	family_json(g->nfgen_family);
	sb_putf(&g_out, ",");
	json_str_attr(tb[NFTA_TABLE_NAME]);
	sb_putf(&g_out, "]");
}

int cmd_nfttables(char **a)
{
	(void)a;
	int fd = nl_open_proto(NETLINK_NETFILTER);
	if (fd < 0)
		return -1;
	struct nfgenmsg *g = nl_begin((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE, 0, sizeof *g);
	g->nfgen_family = NFPROTO_UNSPEC;
	g->version = NFNETLINK_V0;
	sb_putf(&g_out, "[");
	json_first();
	int rc = nl_dump(fd, table_json);
	close(fd);
	if (rc < 0) {
		g_out.len = 0;
		return -1;
	}
	sb_putf(&g_out, "]");
	return 0;
}
