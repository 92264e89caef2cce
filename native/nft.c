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

/* The attributes of nftables message `m` of kind `type` (NFT_MSG_*) in tb[0..max]; NULL when it is
 * another kind of message, or too short. */
static const struct nfgenmsg *nft_parse(const struct nlmsghdr *m, int type, struct rtattr **tb, int max)
{
	const struct nfgenmsg *g = NLMSG_DATA(m);
	if (m->nlmsg_type != ((NFNL_SUBSYS_NFTABLES << 8) | type) || m->nlmsg_len < NLMSG_LENGTH(sizeof *g))
		return NULL;
	nl_parse(tb, max, (struct rtattr *)((char *)g + NLMSG_ALIGN(sizeof *g)),
		 (int)(m->nlmsg_len - NLMSG_LENGTH(sizeof *g)));
	return g;
}

/* Start a request of `type` (NFT_MSG_GET*) for `family`. */
static void nft_begin(int type, unsigned int family)
{
	struct nfgenmsg *g = nl_begin((NFNL_SUBSYS_NFTABLES << 8) | type, 0, sizeof *g);
	g->nfgen_family = (uint8_t)family;
	g->version = NFNETLINK_V0;
}

/* Send the request built as a dump on `fd` (closed after), each message through `cb`, into a JSON
 * array; nothing written on failure. */
static int nft_dump_array(int fd, nl_cb cb)
{
	sb_putf(&g_out, "[");
	json_first();
	int rc = nl_dump(fd, cb);
	close(fd);
	if (rc < 0) {
		g_out.len = 0;
		return -1;
	}
	sb_putf(&g_out, "]");
	return 0;
}

static void table_json(const struct nlmsghdr *m)
{
	struct rtattr *tb[NFTA_TABLE_MAX + 1];
	const struct nfgenmsg *g = nft_parse(m, NFT_MSG_NEWTABLE, tb, NFTA_TABLE_MAX);
	if (!g)
		return;
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
	nft_begin(NFT_MSG_GETTABLE, NFPROTO_UNSPEC);
	return nft_dump_array(fd, table_json);
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
	struct rtattr *tb[NFTA_RULE_MAX + 1];
	if (!nft_parse(m, NFT_MSG_NEWRULE, tb, NFTA_RULE_MAX))
		return;
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
	nft_begin(NFT_MSG_GETTABLE, f);
	nl_put(NFTA_TABLE_NAME, a[1], strlen(a[1]) + 1);
	if (nl_get(fd, ignore) < 0) {
		close(fd);
		return -1;
	}
	nft_begin(NFT_MSG_GETRULE, f);
	nl_put(NFTA_RULE_TABLE, a[1], strlen(a[1]) + 1);
	return nft_dump_array(fd, rule_chain);
}
