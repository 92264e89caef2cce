/* Links of the current namespace: lookup, settings, deletion, and their JSON form. */
#define _GNU_SOURCE
#include "link.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdlib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <linux/sockios.h>

#include "netlink.h"
#include "netns.h"
#include "parse.h"
#include "result.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP (1 << 16) /* <linux/if.h> clashes with <net/if.h> */
#endif

int link_index(const char *dev)
{
	struct ifreq ifr;
	size_t n;
	if (parse_ifname(dev, &n) < 0)
		return -1;
	memset(&ifr, 0, sizeof ifr);
	memcpy(ifr.ifr_name, dev, n);
	if (ioctl(g_io, SIOCGIFINDEX, &ifr) < 0) {
		if (errno == ENODEV)
			return fail(ENODEV, "Cannot find device \"%s\"", dev);
		return fail_errno("lookup of \"%s\"", dev);
	}
	return ifr.ifr_ifindex;
}

int link_begin(const char *dev, unsigned int flags, unsigned int change)
{
	int index = link_index(dev);
	if (index < 0)
		return -1;
	struct ifinfomsg *ifi = nl_begin(RTM_NEWLINK, 0, sizeof *ifi);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	ifi->ifi_flags = flags;
	ifi->ifi_change = change;
	return 0;
}

/* ---------------------------------------------------------------- settings */

int cmd_up(char **a)
{
	return link_begin(a[0], IFF_UP, IFF_UP) < 0 ? -1 : nl_talk(g_nl);
}

int cmd_down(char **a)
{
	return link_begin(a[0], 0, IFF_UP) < 0 ? -1 : nl_talk(g_nl);
}

int cmd_alias(char **a)
{
	if (strlen(a[1]) > ALIAS_MAX)
		return fail(EINVAL, "alias longer than %d bytes", ALIAS_MAX);
	if (link_begin(a[0], 0, 0) < 0)
		return -1;
	nl_put(IFLA_IFALIAS, a[1], strlen(a[1]));
	return nl_talk(g_nl);
}

int cmd_linkset(char **a)
{
	int master = 0;
	if (strlen(a[1]) > ALIAS_MAX)
		return fail(EINVAL, "alias longer than %d bytes", ALIAS_MAX);
	if (strcmp(a[2], "-") && (master = link_index(a[2])) < 0)
		return -1;
	if (link_begin(a[0], IFF_UP, IFF_UP) < 0)
		return -1;
	nl_put(IFLA_IFALIAS, a[1], strlen(a[1]));
	if (master)
		nl_put_u32(IFLA_MASTER, (uint32_t)master);
	return nl_talk(g_nl);
}

/* One end of a veth pair from its fields NAME NS MTU MAC MASTER UP (`-`: absent; UP 0 or 1): its
 * attributes appended to the request, the namespace file it goes to opened into *fd. Returns the
 * interface flags it is made with, or -1. */
static int veth_end(char **f, uint32_t group, int *fd)
{
	size_t n;
	uint32_t mtu;
	unsigned char mac[6];
	if (parse_ifname(f[0], &n) < 0)
		return -1;
	nl_put(IFLA_IFNAME, f[0], n + 1);
	nl_put_u32(IFLA_GROUP, group);
	if (strcmp(f[2], "-")) {
		if (parse_u32(f[2], &mtu, "MTU") < 0)
			return -1;
		nl_put_u32(IFLA_MTU, mtu);
	}
	if (strcmp(f[3], "-")) {
		if (parse_mac(f[3], mac) < 0)
			return -1;
		nl_put(IFLA_ADDRESS, mac, sizeof mac);
	}
	if (strcmp(f[4], "-")) {
		if (strcmp(f[1], "-"))
			return fail(EINVAL, "a veth end made with a master stays in the current namespace");
		int master = link_index(f[4]);
		if (master < 0)
			return -1;
		nl_put_u32(IFLA_MASTER, (uint32_t)master);
	}
	if (strcmp(f[1], "-")) {
		if ((*fd = ns_open(f[1])) < 0)
			return -1;
		nl_put_u32(IFLA_NET_NS_FD, (uint32_t)*fd);
	}
	if (strcmp(f[5], "0") && strcmp(f[5], "1"))
		return fail(EINVAL, "up takes 0 or 1");
	return f[5][0] == '1' ? IFF_UP : 0;
}

int cmd_vethadd(char **a)
{
	uint32_t group;
	int fds[2] = { -1, -1 }, rc = -1, flags;
	if (parse_u32(a[0], &group, "link group") < 0)
		return -1;
	struct ifinfomsg *ifi = nl_begin(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof *ifi);
	ifi->ifi_family = AF_UNSPEC;
	if ((flags = veth_end(a + 1, group, &fds[0])) < 0)
		goto out;
	ifi->ifi_flags = ifi->ifi_change = (unsigned int)flags;
	struct rtattr *info = nl_nest_begin(IFLA_LINKINFO);
	nl_put(IFLA_INFO_KIND, "veth", sizeof "veth");
	struct rtattr *data = nl_nest_begin(IFLA_INFO_DATA);
	struct rtattr *peer = nl_nest_begin(VETH_INFO_PEER);
	struct ifinfomsg *pifi = nl_reserve(sizeof *pifi);
	pifi->ifi_family = AF_UNSPEC;
	if ((flags = veth_end(a + 7, group, &fds[1])) < 0)
		goto out;
	pifi->ifi_flags = pifi->ifi_change = (unsigned int)flags;
	nl_nest_end(peer);
	nl_nest_end(data);
	nl_nest_end(info);
	rc = nl_talk(g_nl);
out:
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return rc;
}

int cmd_bridgeadd(char **a)
{
	size_t n;
	uint32_t group, mtu;
	if (parse_ifname(a[0], &n) < 0 || parse_u32(a[1], &group, "link group") < 0)
		return -1;
	if (strcmp(a[3], "0") && strcmp(a[3], "1"))
		return fail(EINVAL, "stp takes 0 or 1");
	struct ifinfomsg *ifi = nl_begin(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof *ifi);
	ifi->ifi_family = AF_UNSPEC;
	nl_put(IFLA_IFNAME, a[0], n + 1);
	nl_put_u32(IFLA_GROUP, group);
	if (strcmp(a[2], "-")) {
		if (parse_u32(a[2], &mtu, "MTU") < 0)
			return -1;
		nl_put_u32(IFLA_MTU, mtu);
	}
	struct rtattr *info = nl_nest_begin(IFLA_LINKINFO);
	nl_put(IFLA_INFO_KIND, "bridge", sizeof "bridge");
	if (a[3][0] == '1') {
		struct rtattr *data = nl_nest_begin(IFLA_INFO_DATA);
		nl_put_u32(IFLA_BR_STP_STATE, 1);
		nl_nest_end(data);
	}
	nl_nest_end(info);
	return nl_talk(g_nl);
}

int cmd_mtu(char **a)
{
	uint32_t mtu;
	if (parse_u32(a[1], &mtu, "MTU") < 0 || link_begin(a[0], 0, 0) < 0)
		return -1;
	nl_put_u32(IFLA_MTU, mtu);
	return nl_talk(g_nl);
}

int cmd_mac(char **a)
{
	unsigned char mac[6];
	if (parse_mac(a[1], mac) < 0 || link_begin(a[0], 0, 0) < 0)
		return -1;
	nl_put(IFLA_ADDRESS, mac, sizeof mac);
	return nl_talk(g_nl);
}

int cmd_dellink(char **a)
{
	int index = link_index(a[0]);
	if (index < 0)
		return -1;
	struct ifinfomsg *ifi = nl_begin(RTM_DELLINK, 0, sizeof *ifi);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	return nl_talk(g_nl);
}

/* delgroup G: every link of the current namespace in link group G, in one kernel batch (one RCU
 * barrier for all of them): `ip link del group G`. A group that holds nothing: ENODEV (the kernel's). */
int cmd_delgroup(char **a)
{
	uint32_t group;
	if (parse_u32(a[0], &group, "link group") < 0)
		return -1;
	if (group == 0)
		return fail(EINVAL, "link group 0 is every link's default: not deleted by group");
	struct ifinfomsg *ifi = nl_begin(RTM_DELLINK, 0, sizeof *ifi);
	ifi->ifi_family = AF_UNSPEC;
	nl_put_u32(IFLA_GROUP, group);
	return nl_talk(g_nl);
}

int cmd_txoff(char **a)
{
	struct ifreq ifr;
	struct ethtool_value ev = { .cmd = ETHTOOL_STXCSUM, .data = 0 };
	size_t n;
	if (parse_ifname(a[0], &n) < 0)
		return -1;
	memset(&ifr, 0, sizeof ifr);
	memcpy(ifr.ifr_name, a[0], n);
	ifr.ifr_data = (char *)&ev;
	if (ioctl(g_io, SIOCETHTOOL, &ifr) < 0) {
		if (errno == ENODEV)
			return fail(ENODEV, "Cannot find device \"%s\"", a[0]);
		return fail_errno("ethtool -K %s tx off", a[0]);
	}
	return 0;
}

/* ---------------------------------------------------------------- reading links */

const struct rtnl_link_stats64 *(*link_stats_lookup)(int ifindex);

static const char *const operstates[] = { "UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN",
					  "TESTING", "DORMANT", "UP" };

/* A MAC address attribute as a JSON string, or null. */
static void json_mac(const struct rtattr *rta)
{
	if (!rta || RTA_PAYLOAD(rta) == 0) {
		sb_putf(&g_out, "null");
		return;
	}
	static const char hex[] = "0123456789abcdef";
	const unsigned char *mac = RTA_DATA(rta);
	char text[3 * 32 + 3], *p = text;
	size_t n = RTA_PAYLOAD(rta) < 32 ? RTA_PAYLOAD(rta) : 32; /* MAX_ADDR_LEN */
	*p++ = '"';
	for (size_t i = 0; i < n; i++) {
		if (i)
			*p++ = ':';
		*p++ = hex[mac[i] >> 4];
		*p++ = hex[mac[i] & 15];
	}
	*p++ = '"';
	*p = 0;
	sb_putf(&g_out, "%s", text);
}

/* The compact form: [ifindex,name,kind,flags,operstate (0-6),mtu,mac,alias,group,master,link,
 * linkNetnsid, rxBytes,txBytes,rxPackets,txPackets,rxErrors,txErrors,rxDropped,txDropped]. */
static void link_array(const struct ifinfomsg *ifi, struct rtattr **tb, struct rtattr **info, unsigned int oper,
		       const struct rtnl_link_stats64 *s)
{
	sb_putf(&g_out, "[%d,", ifi->ifi_index);
	json_str_attr(tb[IFLA_IFNAME]);
	sb_putf(&g_out, ",");
	json_str_attr(info[IFLA_INFO_KIND]);
	sb_putf(&g_out, ",%u,%u,%u,", ifi->ifi_flags, oper, tb[IFLA_MTU] ? nl_u32(tb[IFLA_MTU]) : 0);
	json_mac(tb[IFLA_ADDRESS]);
	sb_putf(&g_out, ",");
	json_str_attr(tb[IFLA_IFALIAS]);
	sb_putf(&g_out, ",%u,", tb[IFLA_GROUP] ? nl_u32(tb[IFLA_GROUP]) : 0);
	json_u32_attr(tb[IFLA_MASTER]);
	sb_putf(&g_out, ",");
	json_u32_attr(tb[IFLA_LINK]);
	if (tb[IFLA_LINK_NETNSID])
		sb_putf(&g_out, ",%d", (int32_t)nl_u32(tb[IFLA_LINK_NETNSID]));
	else
		sb_putf(&g_out, ",null");
	sb_putf(&g_out, ",%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu]", (unsigned long long)s->rx_bytes,
		(unsigned long long)s->tx_bytes, (unsigned long long)s->rx_packets, (unsigned long long)s->tx_packets,
		(unsigned long long)s->rx_errors, (unsigned long long)s->tx_errors, (unsigned long long)s->rx_dropped,
		(unsigned long long)s->tx_dropped);
}

void link_json(const struct nlmsghdr *m)
{
	struct ifinfomsg *ifi = NLMSG_DATA(m);
	struct rtattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];
	if (m->nlmsg_type != RTM_NEWLINK || m->nlmsg_len < NLMSG_LENGTH(sizeof *ifi))
		return;
	nl_parse(tb, IFLA_MAX, IFLA_RTA(ifi), (int)IFLA_PAYLOAD(m));
	memset(info, 0, sizeof info);
	if (tb[IFLA_LINKINFO])
		nl_parse(info, IFLA_INFO_MAX, RTA_DATA(tb[IFLA_LINKINFO]), (int)RTA_PAYLOAD(tb[IFLA_LINKINFO]));
	json_comma();
	unsigned int oper = tb[IFLA_OPERSTATE] ? *(unsigned char *)RTA_DATA(tb[IFLA_OPERSTATE]) : 0;
	struct rtnl_link_stats64 s;
	memset(&s, 0, sizeof s);
	const struct rtnl_link_stats64 *known;
	if (tb[IFLA_STATS64])
		memcpy(&s, RTA_DATA(tb[IFLA_STATS64]),
		       RTA_PAYLOAD(tb[IFLA_STATS64]) < sizeof s ? RTA_PAYLOAD(tb[IFLA_STATS64]) : sizeof s);
	else if (link_stats_lookup && (known = link_stats_lookup(ifi->ifi_index)))
		s = *known;
	if (g_compact) {
		link_array(ifi, tb, info, oper < 7 ? oper : 0, &s);
		return;
	}
	sb_putf(&g_out, "{\"ifindex\":%d,\"name\":", ifi->ifi_index);
	json_str_attr(tb[IFLA_IFNAME]);
	sb_putf(&g_out, ",\"kind\":");
	json_str_attr(info[IFLA_INFO_KIND]);
	sb_putf(&g_out, ",\"flags\":%u,\"up\":%s,\"lowerUp\":%s,\"operstate\":\"%s\",\"mtu\":%u,\"mac\":",
		ifi->ifi_flags, ifi->ifi_flags & IFF_UP ? "true" : "false",
		ifi->ifi_flags & IFF_LOWER_UP ? "true" : "false", oper < 7 ? operstates[oper] : "UNKNOWN",
		tb[IFLA_MTU] ? nl_u32(tb[IFLA_MTU]) : 0);
	json_mac(tb[IFLA_ADDRESS]);
	sb_putf(&g_out, ",\"alias\":");
	json_str_attr(tb[IFLA_IFALIAS]);
	sb_putf(&g_out, ",\"group\":%u,\"master\":", tb[IFLA_GROUP] ? nl_u32(tb[IFLA_GROUP]) : 0);
	json_u32_attr(tb[IFLA_MASTER]);
	sb_putf(&g_out, ",\"link\":");
	json_u32_attr(tb[IFLA_LINK]);
	sb_putf(&g_out, ",\"linkNetnsid\":");
	if (tb[IFLA_LINK_NETNSID])
		sb_putf(&g_out, "%d", (int32_t)nl_u32(tb[IFLA_LINK_NETNSID]));
	else
		sb_putf(&g_out, "null");
	sb_putf(&g_out,
		",\"stats\":{\"rxBytes\":%llu,\"txBytes\":%llu,\"rxPackets\":%llu,\"txPackets\":%llu,"
		"\"rxErrors\":%llu,\"txErrors\":%llu,\"rxDropped\":%llu,\"txDropped\":%llu}}",
		(unsigned long long)s.rx_bytes, (unsigned long long)s.tx_bytes,
		(unsigned long long)s.rx_packets, (unsigned long long)s.tx_packets,
		(unsigned long long)s.rx_errors, (unsigned long long)s.tx_errors,
		(unsigned long long)s.rx_dropped, (unsigned long long)s.tx_dropped);
}

void link_json_bridges(const struct nlmsghdr *m)
{
	struct ifinfomsg *ifi = NLMSG_DATA(m);
	struct rtattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];
	if (m->nlmsg_type != RTM_NEWLINK || m->nlmsg_len < NLMSG_LENGTH(sizeof *ifi))
		return;
	nl_parse(tb, IFLA_MAX, IFLA_RTA(ifi), (int)IFLA_PAYLOAD(m));
	if (!tb[IFLA_LINKINFO])
		return;
	nl_parse(info, IFLA_INFO_MAX, RTA_DATA(tb[IFLA_LINKINFO]), (int)RTA_PAYLOAD(tb[IFLA_LINKINFO]));
	if (info[IFLA_INFO_KIND] && !strcmp(RTA_DATA(info[IFLA_INFO_KIND]), "bridge"))
		link_json(m);
}

int cmd_getlink(char **a)
{
	size_t n;
	if (parse_ifname(a[0], &n) < 0)
		return -1;
	struct ifinfomsg *ifi = nl_begin(RTM_GETLINK, 0, sizeof *ifi);
	ifi->ifi_family = AF_UNSPEC;
	nl_put(IFLA_IFNAME, a[0], n + 1);
	json_first();
	if (nl_get(g_nl, link_json) < 0) {
		g_out.len = 0;
		if (e_no == ENODEV)
			return fail(ENODEV, "Cannot find device \"%s\"", a[0]);
		return -1;
	}
	return 0;
}

/* The link group grouplinks looks for. */
static uint32_t g_group;

static void in_group(const struct nlmsghdr *m)
{
	struct ifinfomsg *ifi = NLMSG_DATA(m);
	struct rtattr *tb[IFLA_MAX + 1];
	if (m->nlmsg_type != RTM_NEWLINK || m->nlmsg_len < NLMSG_LENGTH(sizeof *ifi))
		return;
	nl_parse(tb, IFLA_MAX, IFLA_RTA(ifi), (int)IFLA_PAYLOAD(m));
	if (!tb[IFLA_GROUP] || nl_u32(tb[IFLA_GROUP]) != g_group)
		return;
	json_comma();
	json_str_attr(tb[IFLA_IFNAME]);
}

int cmd_grouplinks(char **a)
{
	if (parse_u32(a[0], &g_group, "link group") < 0)
		return -1;
	struct ifinfomsg *ifi = nl_begin(RTM_GETLINK, 0, sizeof *ifi);
	ifi->ifi_family = AF_UNSPEC;
	nl_put_u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	sb_putf(&g_out, "[");
	json_first();
	if (nl_dump(g_nl, in_group) < 0) {
		g_out.len = 0;
		return -1;
	}
	sb_putf(&g_out, "]");
	return 0;
}

/*
 * The text of sysfs file `file` of link `name` (dfd: /sys/class/net), NUL-terminated without its
 * final newline, into buf: its length, or -1 when it cannot be read (the link gone meanwhile).
 */
static ssize_t link_file(int dfd, const char *name, const char *file, char *buf, size_t size)
{
	char path[IFNAMSIZ + 32];
	snprintf(path, sizeof path, "%s/%s", name, file);
	int fd = openat(dfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = 0;
	return n;
}

/*
 * sysgroup G: the names of the links sysfs lists (/sys/class/net: the links of the namespace that
 * mounted it, the root namespace for the agent) whose netdev_group is G. A file per link, read here
 * in C: on a host of 20,000 root links a netlink dump costs the kernel a scan of every namespace id
 * per veth end (~1-2 s), Node's reads of the same files ~0.25 s.
 */
int cmd_sysgroup(char **a)
{
	uint32_t group;
	if (parse_u32(a[0], &group, "link group") < 0)
		return -1;
	DIR *d = opendir("/sys/class/net");
	if (!d)
		return fail_errno("opendir /sys/class/net");
	int dfd = dirfd(d);
	sb_putf(&g_out, "[");
	json_first();
	struct dirent *e;
	char text[32];
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || strlen(e->d_name) >= IFNAMSIZ)
			continue;
		/* gone meanwhile, or not a link (bonding_masters) */
		if (link_file(dfd, e->d_name, "netdev_group", text, sizeof text) <= 0)
			continue;
		char *end;
		unsigned long v = strtoul(text, &end, 10);
		if (end == text || v != group)
			continue;
		json_comma();
		sb_json_str(&g_out, e->d_name, strlen(e->d_name));
	}
	closedir(d);
	sb_putf(&g_out, "]");
	return 0;
}

/* The names of this namespace's links as /proc/self/net/dev lists them, sorted (see sysaliases). */
struct names {
	char (*v)[IFNAMSIZ];
	size_t n, cap;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int proc_net_dev(struct names *out)
{
	FILE *f = fopen("/proc/self/net/dev", "re");
	if (!f)
		return fail_errno("open /proc/self/net/dev");
	char line[512];
	for (int row = 0; fgets(line, sizeof line, f); row++) {
		char *colon = strchr(line, ':'), *name = line;
		if (row < 2 || !colon)
			continue; /* the two header lines */
		*colon = 0;
		while (*name == ' ')
			name++;
		if (!*name || strlen(name) >= IFNAMSIZ)
			continue;
		if (out->n == out->cap) {
			size_t cap = out->cap ? 2 * out->cap : 256;
			void *v = realloc(out->v, cap * sizeof *out->v);
			if (!v) {
				fclose(f);
				return fail(ENOMEM, "out of memory");
			}
			out->v = v;
			out->cap = cap;
		}
		strcpy(out->v[out->n++], name);
	}
	fclose(f);
	qsort(out->v, out->n, sizeof *out->v, by_name);
	return 0;
}

/*
 * sysaliases: [name, alias] of every link sysfs lists (/sys/class/net, as for sysgroup) that has an
 * alias. What finding labs by their markers needs of the root namespace, without its netlink dump
 * (whose cost grows with veth ends x namespaces: ~0.8 s beside a 10,000-host lab; these files
 * ~0.15 s). /sys shows the links of the namespace it was mounted for: unless its links are exactly
 * those /proc/self/net/dev lists for the agent's own (the root namespace: sysaliases runs there),
 * ESTALE — the caller reads the dump instead (also when links come and go between the two reads).
 */
int cmd_sysaliases(char **a)
{
	(void)a;
	struct names own = { 0 };
	if (proc_net_dev(&own) < 0)
		return -1;
	DIR *d = opendir("/sys/class/net");
	if (!d) {
		free(own.v);
		return fail_errno("opendir /sys/class/net");
	}
	int dfd = dirfd(d), rc = 0;
	size_t listed = 0;
	sb_putf(&g_out, "[");
	json_first();
	struct dirent *e;
	char text[256 + 2]; /* an alias: at most IFALIASZ (256) bytes */
	while ((e = readdir(d))) {
		/* Links are symbolic links there (bonding_masters, a file, is not one). */
		if (e->d_name[0] == '.' || (e->d_type != DT_LNK && e->d_type != DT_UNKNOWN))
			continue;
		if (strlen(e->d_name) >= IFNAMSIZ || !bsearch(e->d_name, own.v, own.n, sizeof *own.v, by_name)) {
			rc = fail(ESTALE, "/sys/class/net lists %s, which /proc/self/net/dev does not", e->d_name);
			break;
		}
		listed++;
		ssize_t n = link_file(dfd, e->d_name, "ifalias", text, sizeof text);
		if (n <= 0)
			continue; /* no alias, or gone meanwhile */
		json_comma();
		sb_putf(&g_out, "[");
		sb_json_str(&g_out, e->d_name, strlen(e->d_name));
		sb_putf(&g_out, ",");
		sb_json_str(&g_out, text, (size_t)n);
		sb_putf(&g_out, "]");
	}
	closedir(d);
	if (rc == 0 && listed != own.n)
		rc = fail(ESTALE, "/sys/class/net lists %zu links, /proc/self/net/dev %zu", listed, own.n);
	free(own.v);
	if (rc < 0) {
		g_out.len = 0;
		return -1;
	}
	sb_putf(&g_out, "]");
	return 0;
}

/* Where link_alias()'s callback copies the alias to. */
static char *g_alias;
static size_t g_alias_size;

static void read_alias(const struct nlmsghdr *m)
{
	struct ifinfomsg *ifi = NLMSG_DATA(m);
	struct rtattr *tb[IFLA_MAX + 1];
	if (m->nlmsg_type != RTM_NEWLINK || m->nlmsg_len < NLMSG_LENGTH(sizeof *ifi))
		return;
	nl_parse(tb, IFLA_MAX, IFLA_RTA(ifi), (int)IFLA_PAYLOAD(m));
	if (tb[IFLA_IFALIAS]) {
		size_t n = strnlen(RTA_DATA(tb[IFLA_IFALIAS]), RTA_PAYLOAD(tb[IFLA_IFALIAS]));
		if (n >= g_alias_size)
			n = g_alias_size - 1;
		memcpy(g_alias, RTA_DATA(tb[IFLA_IFALIAS]), n);
		g_alias[n] = 0;
	}
}

int link_alias(const char *dev, char *alias, size_t size)
{
	alias[0] = 0;
	int fd = nl_open();
	if (fd < 0)
		return -1;
	struct ifinfomsg *ifi = nl_begin(RTM_GETLINK, 0, sizeof *ifi);
	ifi->ifi_family = AF_UNSPEC;
	nl_put(IFLA_IFNAME, dev, strlen(dev) + 1);
	g_alias = alias;
	g_alias_size = size;
	int rc = nl_get(fd, read_alias);
	close(fd);
	return rc;
}
