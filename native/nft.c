/* nftables, read-only: one table dump over nfnetlink (nft.h). */
#define _GNU_SOURCE
#include "nft.h"

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <errno.h>
#include <string.h>
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

/* The family nft names `name` (0: none it knows). */
static unsigned int family_of(const char *name)
{
	static const struct { const char *name; unsigned int f; } fams[] = {
		{ "inet", NFPROTO_INET }, { "ip", NFPROTO_IPV4 },     { "ip6", NFPROTO_IPV6 },
		{ "arp", NFPROTO_ARP },   { "bridge", NFPROTO_BRIDGE }, { "netdev", NFPROTO_NETDEV },
	};
	for (size_t i = 0; i < sizeof fams / sizeof fams[0]; i++)
		if (strcmp(fams[i].name, name) == 0)
			return fams[i].f;
	return 0;
}

static void ignore(const struct nlmsghdr *m)
{
	(void)m;
}

/* One rule of the dump: the name of its chain. */
static void rule_chain(const struct nlmsghdr *m)
{
	const struct nfgenmsg *g = NLMSG_DATA(m);
	if (m->nlmsg_type != ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE) ||
	    m->nlmsg_len < NLMSG_LENGTH(sizeof *g))
		return;
	struct rtattr *tb[NFTA_RULE_MAX + 1];
	nl_parse(tb, NFTA_RULE_MAX, (struct rtattr *)((char *)g + NLMSG_ALIGN(sizeof *g)),
		 (int)(m->nlmsg_len - NLMSG_LENGTH(sizeof *g)));
	json_comma();
	json_str_attr(tb[NFTA_RULE_CHAIN]);
}

int cmd_nftrules(char **a)
{
	unsigned int f = family_of(a[0]);
	if (!f)
		return fail(EINVAL, "no nftables family \"%s\" (ip, ip6, inet, arp, bridge, netdev)", a[0]);
	int fd = nl_open_proto(NETLINK_NETFILTER);
	if (fd < 0)
		return -1;
	/* A rule dump filtered by a table that does not exist is empty, not an error: ask for the
	 * table first (ENOENT). */
	struct nfgenmsg *t = nl_begin((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE, 0, sizeof *t);
	t->nfgen_family = (uint8_t)f;
	t->version = NFNETLINK_V0;
	nl_put(NFTA_TABLE_NAME, a[1], strlen(a[1]) + 1);
	if (nl_get(fd, ignore) < 0) {
		close(fd);
		return -1;
	}
	struct nfgenmsg *g = nl_begin((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETRULE, 0, sizeof *g);
	g->nfgen_family = (uint8_t)f;
	g->version = NFNETLINK_V0;
	nl_put(NFTA_RULE_TABLE, a[1], strlen(a[1]) + 1);
	sb_putf(&g_out, "[");
	json_first();
	int rc = nl_dump(fd, rule_chain);
	close(fd);
	if (rc < 0) {
		g_out.len = 0;
		return -1;
	}
	sb_putf(&g_out, "]");
	return 0;
}
