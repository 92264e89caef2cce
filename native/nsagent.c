/*
 * nsagent: one long-lived process that configures many network namespaces over rtnetlink.
 *
 * Reads one request per line on stdin (`op<TAB>arg<TAB>...`) and writes exactly one reply line
 * per request on stdout, in order: `ok`, `ok<TAB>json` (dump only), `err<TAB>errno<TAB>message`
 * or `skip` (stop-on-error is on and an earlier request failed). The agent keeps a "current"
 * network namespace (`root`, `ns NAME`) and a NETLINK_ROUTE socket plus an ioctl socket created
 * inside it. When entering a namespace fails the agent is "poisoned": namespace-scoped requests
 * are refused until `root` or `ns` succeeds, so nothing runs in the wrong namespace.
 *
 * Plain libc and kernel headers only; the TypeScript side is src/drivers/nsagent/.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/icmp.h>
#include <linux/neighbour.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP (1 << 16) /* <linux/if.h> clashes with <net/if.h> */
#endif

#define NETNS_DIR "/run/netns"
#define MAX_ARGS 8
#define ALIAS_MAX 255

/* ---------------------------------------------------------------- agent state */

static int g_root_fd = -1;     /* the namespace the agent started in */
static int g_nl = -1;          /* NETLINK_ROUTE socket of the current namespace */
static int g_io = -1;          /* datagram socket for ioctls in the current namespace */
static int g_ctx_is_root = 1;  /* g_nl/g_io belong to the root namespace */
static int g_poisoned;         /* last namespace switch failed: refuse scoped commands */
static const char *g_poison_reason = "";
static int g_stop_on_error;    /* `set stop-on-error 1` */
static int g_skipping;         /* an error happened under stop-on-error: skip until `resume` */
static int g_shared_done;      /* /run/netns has been made a shared mount */
static uint32_t g_seq;

/* The error of the failing command: errno (0 when not an errno) and a one-line message. */
static int e_no;
static char e_msg[512];

static int fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e_msg, sizeof e_msg, fmt, ap);
	va_end(ap);
	e_no = err;
	return -1;
}

/* fail() with the current errno, appending ": strerror(errno)" to the message. */
static int fail_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail_errno(const char *fmt, ...)
{
	int err = errno;
	char what[384];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return fail(err, "%s: %s", what, strerror(err));
}

/* ---------------------------------------------------------------- growable string (JSON out) */

struct sbuf {
	char *p;
	size_t len, cap;
};

static struct sbuf g_out; /* payload of an `ok` reply; empty for plain `ok` */

static void sb_reserve(struct sbuf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + extra + 1)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p) {
		perror("nsagent: realloc");
		exit(1);
	}
	b->p = p;
	b->cap = cap;
}

static void sb_putf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_putf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	sb_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* A JSON string literal of the n bytes at s (UTF-8 passed through, control bytes escaped). */
static void sb_json_str(struct sbuf *b, const char *s, size_t n)
{
	sb_reserve(b, n * 6 + 2);
	b->p[b->len++] = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			b->p[b->len++] = '\\';
			b->p[b->len++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			b->len += (size_t)snprintf(b->p + b->len, 7, "\\u%04x", c);
		} else {
			b->p[b->len++] = (char)c;
		}
	}
	b->p[b->len++] = '"';
	b->p[b->len] = 0;
}

/* ---------------------------------------------------------------- netlink message builder */

static union {
	struct nlmsghdr h;
	char buf[4096];
} req;

static union {
	struct nlmsghdr h;
	char buf[65536]; /* large enough for any dump datagram */
} resp;

/* Start a request of `type` with a zeroed family header of `hdrlen` bytes; returns the header. */
static void *nl_begin(int type, int flags, size_t hdrlen)
{
	memset(&req, 0, NLMSG_SPACE(hdrlen));
	req.h.nlmsg_len = NLMSG_LENGTH(hdrlen);
	req.h.nlmsg_type = (uint16_t)type;
	req.h.nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
	return NLMSG_DATA(&req.h);
}

/* Append one attribute. Requests are tiny; overflowing the buffer is a bug, not an input error. */
static void nl_put(int type, const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(req.h.nlmsg_len);
	if (off + RTA_SPACE(len) > sizeof req.buf)
		abort();
	struct rtattr *rta = (struct rtattr *)(req.buf + off);
	rta->rta_type = (unsigned short)type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	req.h.nlmsg_len = (uint32_t)(off + RTA_SPACE(len));
}

static void nl_put_u32(int type, uint32_t v)
{
	nl_put(type, &v, sizeof v);
}

/* An error from the kernel, with its extended-ack text when it sent one. */
static int fail_nlerr(int err, const struct nlmsghdr *m)
{
	const struct nlmsgerr *e = NLMSG_DATA(m);
	const char *ext = NULL;
	if (m->nlmsg_flags & NLM_F_ACK_TLVS) {
		size_t off = NLMSG_LENGTH(sizeof *e);
		if (!(m->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - NLMSG_HDRLEN;
		while (off + NLA_HDRLEN <= m->nlmsg_len) {
			const struct nlattr *a = (const void *)((const char *)m + off);
			if (a->nla_len < NLA_HDRLEN || off + a->nla_len > m->nlmsg_len)
				break;
			if (a->nla_type == NLMSGERR_ATTR_MSG && a->nla_len > NLA_HDRLEN)
				ext = (const char *)a + NLA_HDRLEN;
			off += NLA_ALIGN(a->nla_len);
		}
	}
	if (ext)
		return fail(err, "RTNETLINK answers: %s (%.200s)", strerror(err), ext);
	return fail(err, "RTNETLINK answers: %s", strerror(err));
}

typedef void (*dump_cb)(const struct nlmsghdr *m);

/* Send the request built in `req` on `fd` with `flags` (NLM_F_DUMP, or NLM_F_ACK for a get or a
 * change), feed the messages of its answer to `cb` (if any; without one, other messages are
 * leftovers of an earlier, abandoned exchange), and return at NLMSG_DONE or the acknowledgement. */
static int nl_exchange(int fd, int flags, dump_cb cb)
{
	req.h.nlmsg_flags |= flags;
	req.h.nlmsg_seq = ++g_seq;
	if (send(fd, &req, req.h.nlmsg_len, 0) < 0)
		return fail_errno("netlink send");
	int interrupted = 0;
	for (;;) {
		ssize_t n = recv(fd, &resp, sizeof resp, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return fail_errno("netlink recv");
		}
		unsigned int len = (unsigned int)n;
		for (struct nlmsghdr *m = &resp.h; NLMSG_OK(m, len); m = NLMSG_NEXT(m, len)) {
			if (m->nlmsg_seq != g_seq)
				continue;
			if (m->nlmsg_flags & NLM_F_DUMP_INTR)
				interrupted = 1;
			if (m->nlmsg_type == NLMSG_DONE) {
				if (interrupted)
					return fail(EAGAIN, "dump interrupted by a concurrent change; retry");
				return 0;
			}
			if (m->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(m);
				if (m->nlmsg_len < NLMSG_LENGTH(sizeof *e))
					return fail(EIO, "netlink: truncated acknowledgement");
				return e->error ? fail_nlerr(-e->error, m) : 0;
			}
			if (cb)
				cb(m);
		}
	}
}

/* Dump what the request in `req` asks for on the current socket, feeding each message to `cb`. */
static int nl_dump(dump_cb cb)
{
	return nl_exchange(g_nl, NLM_F_DUMP, cb);
}

/* Send the get request built in `req` on `fd`, feed its answer to `cb`, and wait for the ack. */
static int nl_get(int fd, dump_cb cb)
{
	return nl_exchange(fd, NLM_F_ACK, cb);
}

/* Send the request built in `req` on `fd` with NLM_F_ACK and wait for its acknowledgement. */
static int nl_talk(int fd)
{
	return nl_exchange(fd, NLM_F_ACK, NULL);
}

/* Index attributes of one message by type (nested flag stripped). */
static void parse_attrs(struct rtattr **tb, int max, struct rtattr *rta, int len)
{
	memset(tb, 0, sizeof(*tb) * (size_t)(max + 1));
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		int type = rta->rta_type & ~NLA_F_NESTED;
		if (type <= max && !tb[type])
			tb[type] = rta;
	}
}

static uint32_t rta_u32(const struct rtattr *rta)
{
	uint32_t v = 0;
	memcpy(&v, RTA_DATA(rta), RTA_PAYLOAD(rta) < sizeof v ? RTA_PAYLOAD(rta) : sizeof v);
	return v;
}

/* ---------------------------------------------------------------- namespace context */

/* Open the netlink and ioctl sockets of the calling thread's namespace, replacing the old ones. */
static int ctx_open(void)
{
	int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl < 0)
		return fail_errno("netlink socket");
	int one = 1;
	setsockopt(nl, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
	setsockopt(nl, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
	int io = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (io < 0)
		io = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (io < 0) {
		close(nl);
		return fail_errno("ioctl socket");
	}
	if (g_nl >= 0)
		close(g_nl);
	if (g_io >= 0)
		close(g_io);
	g_nl = nl;
	g_io = io;
	return 0;
}

static void poison(const char *reason)
{
	g_poisoned = 1;
	g_poison_reason = reason;
}

/* Return to the namespace the agent started in (sockets reopened only when they belong elsewhere). */
static int enter_root(void)
{
	if (setns(g_root_fd, CLONE_NEWNET) < 0) {
		poison("not in a namespace (return to the root namespace failed)");
		return fail_errno("setns root");
	}
	if (!g_ctx_is_root) {
		if (ctx_open() < 0) {
			poison("not in a namespace (no sockets in the root namespace)");
			return -1;
		}
		g_ctx_is_root = 1;
	}
	return 0;
}

/* Path of a named namespace; rejects names that could escape /run/netns. */
static int ns_path(const char *name, char *path, size_t size)
{
	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return fail(EINVAL, "invalid namespace name \"%s\"", name);
	if ((size_t)snprintf(path, size, "%s/%s", NETNS_DIR, name) >= size)
		return fail(ENAMETOOLONG, "namespace name too long");
	return 0;
}

/* Make /run/netns exist and be a shared mount, as `ip netns add` does (once per agent). */
static int prepare_netns_dir(void)
{
	if (mkdir(NETNS_DIR, 0755) < 0 && errno != EEXIST)
		return fail_errno("mkdir %s", NETNS_DIR);
	if (g_shared_done)
		return 0;
	int bound = 0;
	while (mount("", NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) < 0) {
		if (errno != EINVAL || bound)
			return fail_errno("mount --make-rshared %s", NETNS_DIR);
		if (mount(NETNS_DIR, NETNS_DIR, "none", MS_BIND | MS_REC, NULL) < 0)
			return fail_errno("mount --rbind %s %s", NETNS_DIR, NETNS_DIR);
		bound = 1;
	}
	g_shared_done = 1;
	return 0;
}

/* In a brand-new namespace: set the loopback's alias to the ownership marker and bring it up. */
static int mark_loopback(const char *marker)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return fail_errno("netlink socket");
	struct ifinfomsg *ifi = nl_begin(RTM_NEWLINK, 0, sizeof *ifi);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	nl_put(IFLA_IFNAME, "lo", 3);
	if (*marker)
		nl_put(IFLA_IFALIAS, marker, strlen(marker));
	int rc = nl_talk(fd);
	close(fd);
	return rc;
}

/* ---------------------------------------------------------------- argument parsing */

/* Index of interface `dev` in the current namespace (SIOCGIFINDEX on the namespace's socket). */
static int ifindex_of(const char *dev)
{
	struct ifreq ifr;
	size_t n = strlen(dev);
	if (n == 0 || n >= IFNAMSIZ)
		return fail(EINVAL, "invalid interface name \"%s\"", dev);
	memset(&ifr, 0, sizeof ifr);
	memcpy(ifr.ifr_name, dev, n);
	if (ioctl(g_io, SIOCGIFINDEX, &ifr) < 0) {
		if (errno == ENODEV)
			return fail(ENODEV, "Cannot find device \"%s\"", dev);
		return fail_errno("lookup of \"%s\"", dev);
	}
	return ifr.ifr_ifindex;
}

static int parse_u32(const char *s, uint32_t *out, const char *what)
{
	char *end;
	if (*s < '0' || *s > '9')
		return fail(EINVAL, "invalid %s \"%s\"", what, s);
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end || errno || v > UINT32_MAX)
		return fail(EINVAL, "invalid %s \"%s\"", what, s);
	*out = (uint32_t)v;
	return 0;
}

struct prefix {
	int family;        /* AF_INET or AF_INET6 */
	int bytes;         /* 4 or 16 */
	unsigned int len;  /* prefix length */
	unsigned char addr[16];
};

/* "ADDR" or "ADDR/LEN", IPv4 or IPv6 decided by the text. */
static int parse_prefix(const char *text, struct prefix *p)
{
	char buf[INET6_ADDRSTRLEN + 8];
	if (strlen(text) >= sizeof buf)
		return fail(EINVAL, "invalid prefix \"%s\"", text);
	strcpy(buf, text);
	char *slash = strchr(buf, '/');
	if (slash)
		*slash = 0;
	if (inet_pton(AF_INET, buf, p->addr) == 1) {
		p->family = AF_INET;
		p->bytes = 4;
	} else if (inet_pton(AF_INET6, buf, p->addr) == 1) {
		p->family = AF_INET6;
		p->bytes = 16;
	} else {
		return fail(EINVAL, "invalid prefix \"%s\"", text);
	}
	p->len = (unsigned int)p->bytes * 8;
	if (slash) {
		uint32_t len;
		if (parse_u32(slash + 1, &len, "prefix length") < 0 || len > p->len)
			return fail(EINVAL, "invalid prefix \"%s\"", text);
		p->len = len;
	}
	return 0;
}

static int parse_mac(const char *s, unsigned char mac[6])
{
	unsigned int b[6];
	char tail;
	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6)
		return fail(EINVAL, "invalid MAC address \"%s\"", s);
	for (int i = 0; i < 6; i++)
		mac[i] = (unsigned char)b[i];
	return 0;
}

/* ---------------------------------------------------------------- namespace commands */

/* root: back to the namespace the agent started in. */
static int cmd_root(char **a)
{
	(void)a;
	if (enter_root() < 0)
		return -1;
	g_poisoned = 0;
	return 0;
}

/* ns NAME: enter /run/netns/NAME and open fresh sockets there. */
static int cmd_ns(char **a)
{
	char path[PATH_MAX];
	poison("not in a namespace (last 'ns' failed)"); /* cleared only on success */
	if (ns_path(a[0], path, sizeof path) < 0)
		return -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail_errno("setns %s", a[0]);
	int rc = setns(fd, CLONE_NEWNET);
	close(fd);
	if (rc < 0)
		return fail_errno("setns %s", a[0]);
	g_ctx_is_root = 0;
	if (ctx_open() < 0)
		return -1;
	g_poisoned = 0;
	return 0;
}

/* mkns NAME MARKER: `ip netns add NAME`, with lo up and aliased MARKER before NAME is visible. */
static int cmd_mkns(char **a)
{
	char path[PATH_MAX];
	if (ns_path(a[0], path, sizeof path) < 0 || prepare_netns_dir() < 0)
		goto poisoned;
	if (strlen(a[1]) > ALIAS_MAX) {
		fail(EINVAL, "marker longer than %d bytes", ALIAS_MAX);
		goto poisoned;
	}
	int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0) {
		fail_errno("Cannot create namespace file \"%s\"", path);
		goto poisoned;
	}
	close(fd);
	int rc = unshare(CLONE_NEWNET) < 0 ? fail_errno("unshare") : 0;
	if (rc == 0)
		rc = mark_loopback(a[1]);
	if (rc == 0 && mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) < 0)
		rc = fail_errno("mount --bind /proc/self/ns/net %s", path);
	if (rc < 0)
		unlink(path); /* the new namespace dies with its last reference, just below */
	if (enter_root() < 0)
		rc = -1;
	if (rc < 0)
		poison("not in a namespace (last 'mkns' failed)");
	return rc;
poisoned:
	enter_root();
	poison("not in a namespace (last 'mkns' failed)");
	return -1;
}

/* delns NAME: `ip netns del NAME`. Deleting the current namespace returns to root, poisoned. */
static int cmd_delns(char **a)
{
	char path[PATH_MAX];
	struct stat target, self;
	if (ns_path(a[0], path, sizeof path) < 0)
		return -1;
	int current = stat(path, &target) == 0 && stat("/proc/self/ns/net", &self) == 0 &&
		      target.st_dev == self.st_dev && target.st_ino == self.st_ino;
	umount2(path, MNT_DETACH); /* fails harmlessly when it is not a mount point */
	if (unlink(path) < 0)
		return fail_errno("Cannot remove namespace file \"%s\"", path);
	if (current) {
		enter_root();
		poison("not in a namespace (the current namespace was deleted)");
	}
	return 0;
}

/* ---------------------------------------------------------------- link commands */

/* RTM_NEWLINK on `dev` changing the flags in `change` to `flags`; attributes added by the caller. */
static int link_begin(const char *dev, unsigned int flags, unsigned int change)
{
	int index = ifindex_of(dev);
	if (index < 0)
		return -1;
	struct ifinfomsg *ifi = nl_begin(RTM_NEWLINK, 0, sizeof *ifi);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	ifi->ifi_flags = flags;
	ifi->ifi_change = change;
	return 0;
}

/* up IF: `ip link set IF up`. */
static int cmd_up(char **a)
{
	return link_begin(a[0], IFF_UP, IFF_UP) < 0 ? -1 : nl_talk(g_nl);
}

/* down IF: `ip link set IF down`. */
static int cmd_down(char **a)
{
	return link_begin(a[0], 0, IFF_UP) < 0 ? -1 : nl_talk(g_nl);
}

/* alias IF TEXT: `ip link set IF alias TEXT` (empty TEXT removes the alias). */
static int cmd_alias(char **a)
{
	if (strlen(a[1]) > ALIAS_MAX)
		return fail(EINVAL, "alias longer than %d bytes", ALIAS_MAX);
	if (link_begin(a[0], 0, 0) < 0)
		return -1;
	nl_put(IFLA_IFALIAS, a[1], strlen(a[1]));
	return nl_talk(g_nl);
}

/* mtu IF N: `ip link set IF mtu N`. */
static int cmd_mtu(char **a)
{
	uint32_t mtu;
	if (parse_u32(a[1], &mtu, "MTU") < 0 || link_begin(a[0], 0, 0) < 0)
		return -1;
	nl_put_u32(IFLA_MTU, mtu);
	return nl_talk(g_nl);
}

/* mac IF AA:BB:CC:DD:EE:FF: `ip link set IF address ...`. */
static int cmd_mac(char **a)
{
	unsigned char mac[6];
	if (parse_mac(a[1], mac) < 0 || link_begin(a[0], 0, 0) < 0)
		return -1;
	nl_put(IFLA_ADDRESS, mac, sizeof mac);
	return nl_talk(g_nl);
}

/* addrgen IF MODE: `ip link set IF addrgenmode MODE` (eui64, none, stable_secret, random). */
static int cmd_addrgen(char **a)
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
	struct {
		struct rtattr spec;
		struct rtattr inet6;
		struct rtattr gen;
		uint8_t mode;
		uint8_t pad[3];
	} nest;
	memset(&nest, 0, sizeof nest);
	nest.spec.rta_type = IFLA_AF_SPEC | NLA_F_NESTED;
	nest.spec.rta_len = sizeof nest;
	nest.inet6.rta_type = AF_INET6 | NLA_F_NESTED;
	nest.inet6.rta_len = sizeof nest - sizeof nest.spec;
	nest.gen.rta_type = IFLA_INET6_ADDR_GEN_MODE;
	nest.gen.rta_len = RTA_LENGTH(1);
	nest.mode = (uint8_t)mode;
	size_t off = NLMSG_ALIGN(req.h.nlmsg_len);
	memcpy(req.buf + off, &nest, sizeof nest);
	req.h.nlmsg_len = (uint32_t)(off + sizeof nest);
	return nl_talk(g_nl);
}

/* dellink IF: `ip link del IF`. */
static int cmd_dellink(char **a)
{
	int index = ifindex_of(a[0]);
	if (index < 0)
		return -1;
	struct ifinfomsg *ifi = nl_begin(RTM_DELLINK, 0, sizeof *ifi);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	return nl_talk(g_nl);
}

/* txoff IF: `ethtool -K IF tx off` (legacy ETHTOOL_STXCSUM, on this namespace's socket). */
static int cmd_txoff(char **a)
{
	struct ifreq ifr;
	struct ethtool_value ev = { .cmd = ETHTOOL_STXCSUM, .data = 0 };
	size_t n = strlen(a[0]);
	if (n == 0 || n >= IFNAMSIZ)
		return fail(EINVAL, "invalid interface name \"%s\"", a[0]);
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

/* ---------------------------------------------------------------- address and route commands */

/* addr/deladdr IF CIDR: `ip addr add|del CIDR dev IF` (IPv6 added with nodad). */
static int addr_change(char **a, int type)
{
	struct prefix p;
	if (parse_prefix(a[1], &p) < 0)
		return -1;
	int index = ifindex_of(a[0]);
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

static int cmd_addr(char **a)
{
	return addr_change(a, RTM_NEWADDR);
}

static int cmd_deladdr(char **a)
{
	return addr_change(a, RTM_DELADDR);
}

/* route/delroute DST VIA DEV METRIC (`-` = absent): `ip route add|del ...` in table main. */
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
	if (strcmp(a[2], "-") && (oif = ifindex_of(a[2])) < 0)
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

static int cmd_route(char **a)
{
	return route_change(a, RTM_NEWROUTE);
}

static int cmd_delroute(char **a)
{
	return route_change(a, RTM_DELROUTE);
}

/* ---------------------------------------------------------------- sysctl */

/* sysctl KEY VALUE: write VALUE to /proc/sys/KEY (of the current namespace, for net.*). */
static int cmd_sysctl(char **a)
{
	const char *key = a[0];
	char path[PATH_MAX];
	size_t prefix = strlen("/proc/sys/");
	if (!*key || *key == '/' || strlen(key) + prefix >= sizeof path)
		return fail(EINVAL, "invalid sysctl key \"%s\"", key);
	strcpy(path, "/proc/sys/");
	strcat(path, key);
	if (!strchr(key, '/'))
		for (char *c = path + prefix; *c; c++)
			if (*c == '.')
				*c = '/';
	/* every component must be a plain name: no "", ".", ".." */
	for (const char *c = path + prefix; c;) {
		const char *slash = strchr(c, '/');
		size_t n = slash ? (size_t)(slash - c) : strlen(c);
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return fail(EINVAL, "invalid sysctl key \"%s\"", key);
		c = slash ? slash + 1 : NULL;
	}
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return fail_errno("sysctl %s", key);
	size_t n = strlen(a[1]);
	char *line = malloc(n + 2);
	if (!line) {
		close(fd);
		return fail(ENOMEM, "sysctl %s: out of memory", key);
	}
	memcpy(line, a[1], n);
	line[n] = '\n';
	ssize_t w = write(fd, line, n + 1);
	int err = errno;
	free(line);
	close(fd);
	if (w < 0) {
		errno = err;
		return fail_errno("sysctl %s", key);
	}
	return 0;
}

/* ---------------------------------------------------------------- dump */

static const char *const operstates[] = { "UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN",
					  "TESTING", "DORMANT", "UP" };

static void json_str_attr(struct rtattr *rta)
{
	if (rta && RTA_PAYLOAD(rta) > 0)
		sb_json_str(&g_out, RTA_DATA(rta), strnlen(RTA_DATA(rta), RTA_PAYLOAD(rta)));
	else
		sb_putf(&g_out, "null");
}

static void json_u32_attr(struct rtattr *rta)
{
	if (rta)
		sb_putf(&g_out, "%u", rta_u32(rta));
	else
		sb_putf(&g_out, "null");
}

static void json_addr(int family, const void *addr, unsigned int len)
{
	char text[INET6_ADDRSTRLEN];
	inet_ntop(family, addr, text, sizeof text);
	if (len == UINT_MAX)
		sb_putf(&g_out, "\"%s\"", text);
	else
		sb_putf(&g_out, "\"%s/%u\"", text, len);
}

static int g_first; /* no comma before the first element of a JSON array */

static void comma(void)
{
	if (!g_first)
		sb_putf(&g_out, ",");
	g_first = 0;
}

static void dump_link(const struct nlmsghdr *m)
{
	struct ifinfomsg *ifi = NLMSG_DATA(m);
	struct rtattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];
	if (m->nlmsg_type != RTM_NEWLINK || m->nlmsg_len < NLMSG_LENGTH(sizeof *ifi))
		return;
	parse_attrs(tb, IFLA_MAX, IFLA_RTA(ifi), (int)IFLA_PAYLOAD(m));
	memset(info, 0, sizeof info);
	if (tb[IFLA_LINKINFO])
		parse_attrs(info, IFLA_INFO_MAX, RTA_DATA(tb[IFLA_LINKINFO]), (int)RTA_PAYLOAD(tb[IFLA_LINKINFO]));
	comma();
	sb_putf(&g_out, "{\"ifindex\":%d,\"name\":", ifi->ifi_index);
	json_str_attr(tb[IFLA_IFNAME]);
	sb_putf(&g_out, ",\"kind\":");
	json_str_attr(info[IFLA_INFO_KIND]);
	unsigned int oper = tb[IFLA_OPERSTATE] ? *(unsigned char *)RTA_DATA(tb[IFLA_OPERSTATE]) : 0;
	sb_putf(&g_out, ",\"flags\":%u,\"up\":%s,\"lowerUp\":%s,\"operstate\":\"%s\",\"mtu\":%u,\"mac\":",
		ifi->ifi_flags, ifi->ifi_flags & IFF_UP ? "true" : "false",
		ifi->ifi_flags & IFF_LOWER_UP ? "true" : "false", oper < 7 ? operstates[oper] : "UNKNOWN",
		tb[IFLA_MTU] ? rta_u32(tb[IFLA_MTU]) : 0);
	if (tb[IFLA_ADDRESS] && RTA_PAYLOAD(tb[IFLA_ADDRESS]) > 0) {
		const unsigned char *mac = RTA_DATA(tb[IFLA_ADDRESS]);
		sb_putf(&g_out, "\"");
		for (size_t i = 0; i < RTA_PAYLOAD(tb[IFLA_ADDRESS]); i++)
			sb_putf(&g_out, i ? ":%02x" : "%02x", mac[i]);
		sb_putf(&g_out, "\"");
	} else {
		sb_putf(&g_out, "null");
	}
	sb_putf(&g_out, ",\"alias\":");
	json_str_attr(tb[IFLA_IFALIAS]);
	sb_putf(&g_out, ",\"group\":%u,\"master\":", tb[IFLA_GROUP] ? rta_u32(tb[IFLA_GROUP]) : 0);
	json_u32_attr(tb[IFLA_MASTER]);
	sb_putf(&g_out, ",\"link\":");
	json_u32_attr(tb[IFLA_LINK]);
	sb_putf(&g_out, ",\"linkNetnsid\":");
	if (tb[IFLA_LINK_NETNSID])
		sb_putf(&g_out, "%d", (int32_t)rta_u32(tb[IFLA_LINK_NETNSID]));
	else
		sb_putf(&g_out, "null");
	struct rtnl_link_stats64 s;
	memset(&s, 0, sizeof s);
	if (tb[IFLA_STATS64])
		memcpy(&s, RTA_DATA(tb[IFLA_STATS64]),
		       RTA_PAYLOAD(tb[IFLA_STATS64]) < sizeof s ? RTA_PAYLOAD(tb[IFLA_STATS64]) : sizeof s);
	sb_putf(&g_out,
		",\"stats\":{\"rxBytes\":%llu,\"txBytes\":%llu,\"rxPackets\":%llu,\"txPackets\":%llu,"
		"\"rxErrors\":%llu,\"txErrors\":%llu,\"rxDropped\":%llu,\"txDropped\":%llu}}",
		(unsigned long long)s.rx_bytes, (unsigned long long)s.tx_bytes,
		(unsigned long long)s.rx_packets, (unsigned long long)s.tx_packets,
		(unsigned long long)s.rx_errors, (unsigned long long)s.tx_errors,
		(unsigned long long)s.rx_dropped, (unsigned long long)s.tx_dropped);
}

static void dump_addr(const struct nlmsghdr *m)
{
	struct ifaddrmsg *ifa = NLMSG_DATA(m);
	struct rtattr *tb[IFA_MAX + 1];
	if (m->nlmsg_type != RTM_NEWADDR || m->nlmsg_len < NLMSG_LENGTH(sizeof *ifa))
		return;
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return;
	parse_attrs(tb, IFA_MAX, IFA_RTA(ifa), (int)IFA_PAYLOAD(m));
	struct rtattr *addr = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!addr)
		return;
	comma();
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

static void dump_route(const struct nlmsghdr *m)
{
	struct rtmsg *rtm = NLMSG_DATA(m);
	struct rtattr *tb[RTA_MAX + 1];
	static const unsigned char any[16];
	if (m->nlmsg_type != RTM_NEWROUTE || m->nlmsg_len < NLMSG_LENGTH(sizeof *rtm))
		return;
	if ((rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) || (rtm->rtm_flags & RTM_F_CLONED))
		return;
	parse_attrs(tb, RTA_MAX, RTM_RTA(rtm), (int)RTM_PAYLOAD(m));
	uint32_t table = tb[RTA_TABLE] ? rta_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (table != RT_TABLE_MAIN)
		return;
	const unsigned char *dst = tb[RTA_DST] ? RTA_DATA(tb[RTA_DST]) : any;
	if (rtm->rtm_family == AF_INET6 && rtm->rtm_dst_len >= 8 && dst[0] == 0xff)
		return; /* multicast */
	comma();
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

/* dump: links, addresses and main-table routes of the current namespace as one JSON line. */
static int dump_once(void);

/* A dump the kernel marks as interrupted (links changed meanwhile, e.g. by another process) is
 * simply taken again; only persistent churn gets through as an error. */
static int cmd_dump(char **a)
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

static int dump_once(void)
{
	sb_putf(&g_out, "{\"links\":[");
	g_first = 1;
	nl_begin(RTM_GETLINK, 0, sizeof(struct ifinfomsg));
	if (nl_dump(dump_link) < 0)
		goto failed;
	sb_putf(&g_out, "],\"addrs\":[");
	g_first = 1;
	nl_begin(RTM_GETADDR, 0, sizeof(struct ifaddrmsg));
	if (nl_dump(dump_addr) < 0)
		goto failed;
	sb_putf(&g_out, "],\"routes\":[");
	g_first = 1;
	nl_begin(RTM_GETROUTE, 0, sizeof(struct rtmsg));
	if (nl_dump(dump_route) < 0)
		goto failed;
	sb_putf(&g_out, "]}");
	return 0;
failed:
	g_out.len = 0;
	return -1;
}

/* getlink IF: one link of the current namespace, as one `dump` link object. */
static int cmd_getlink(char **a)
{
	size_t n = strlen(a[0]);
	if (n == 0 || n >= IFNAMSIZ)
		return fail(EINVAL, "invalid interface name \"%s\"", a[0]);
	struct ifinfomsg *ifi = nl_begin(RTM_GETLINK, 0, sizeof *ifi);
	ifi->ifi_family = AF_UNSPEC;
	nl_put(IFLA_IFNAME, a[0], n + 1);
	g_first = 1;
	if (nl_get(g_nl, dump_link) < 0) {
		g_out.len = 0;
		if (e_no == ENODEV)
			return fail(ENODEV, "Cannot find device \"%s\"", a[0]);
		return -1;
	}
	return 0;
}

static char g_alias[ALIAS_MAX + 1];

static void read_alias(const struct nlmsghdr *m)
{
	struct ifinfomsg *ifi = NLMSG_DATA(m);
	struct rtattr *tb[IFLA_MAX + 1];
	if (m->nlmsg_type != RTM_NEWLINK || m->nlmsg_len < NLMSG_LENGTH(sizeof *ifi))
		return;
	parse_attrs(tb, IFLA_MAX, IFLA_RTA(ifi), (int)IFLA_PAYLOAD(m));
	if (tb[IFLA_IFALIAS]) {
		size_t n = strnlen(RTA_DATA(tb[IFLA_IFALIAS]), RTA_PAYLOAD(tb[IFLA_IFALIAS]));
		if (n > ALIAS_MAX)
			n = ALIAS_MAX;
		memcpy(g_alias, RTA_DATA(tb[IFLA_IFALIAS]), n);
		g_alias[n] = 0;
	}
}

/*
 * delown NAME MARKER: `ip netns del NAME`, only when the namespace's loopback carries the alias
 * MARKER (nslab's ownership mark), checked from inside it just before. One request per namespace
 * instead of a check pass and a delete pass. Ends in the root namespace.
 */
static int cmd_delown(char **a)
{
	char path[PATH_MAX];
	if (ns_path(a[0], path, sizeof path) < 0)
		return -1;
	/* Start from the root namespace with its sockets, so only a setns() pair and one short-lived
	 * netlink socket are spent per namespace. */
	if (enter_root() < 0)
		return -1;
	g_poisoned = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail_errno("Cannot remove namespace file \"%s\"", path);
	int rc = setns(fd, CLONE_NEWNET);
	close(fd);
	if (rc < 0)
		return fail_errno("setns %s", a[0]);
	int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl < 0)
		rc = fail_errno("netlink socket");
	g_alias[0] = 0;
	if (rc == 0) {
		struct ifinfomsg *ifi = nl_begin(RTM_GETLINK, 0, sizeof *ifi);
		ifi->ifi_family = AF_UNSPEC;
		nl_put(IFLA_IFNAME, "lo", 3);
		rc = nl_get(nl, read_alias);
	}
	if (nl >= 0)
		close(nl);
	/* Back to root; g_nl and g_io are still the root namespace's. */
	if (setns(g_root_fd, CLONE_NEWNET) < 0) {
		g_ctx_is_root = 0;
		poison("not in a namespace (return to the root namespace failed)");
		return fail_errno("setns root");
	}
	if (rc < 0)
		return -1;
	if (strcmp(g_alias, a[1]))
		return fail(EPERM, "namespace %s is not marked \"%s\" (its loopback alias is \"%s\")", a[0], a[1],
			    g_alias);
	umount2(path, MNT_DETACH);
	if (unlink(path) < 0)
		return fail_errno("Cannot remove namespace file \"%s\"", path);
	return 0;
}

/* ---------------------------------------------------------------- ping */

/*
 * Pinging from inside namespaces without a process per ping: `pingadd NS SRC DST` queues one
 * probe (SRC `-`: unbound, the namespace's routing picks the source address); `pingrun TIMEOUT_MS RETRY_MS` opens one raw ICMP (or ICMPv6) socket per source namespace
 * and source address (a socket stays in the namespace it was created in), bound to that address,
 * sends every echo request, collects the replies with epoll until all answered or the deadline,
 * resending unanswered ones every RETRY_MS, and answers one JSON array, in queue order: the
 * round-trip time in microseconds, -1 for no reply, or -errno when sending failed. Ends in root.
 */

#define PING_MAGIC 0x6e736c70u /* "nslp" */

struct probe {
	int group;
	unsigned char dst[16];
	int64_t sent_ns;  /* last send time; 0 = not sent yet */
	int attempts;
	int64_t rtt_us;   /* -1: no reply (yet) */
	int err;          /* errno of the last failed send */
};

struct pgroup {
	char *ns;
	int family;
	unsigned char src[16]; /* all zero: not bound */
	int fd;
	uint16_t id;
};

static struct probe *g_probes;
static size_t g_nprobes, g_capprobes;
static struct pgroup *g_groups;
static size_t g_ngroups, g_capgroups;

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void ping_reset(void)
{
	for (size_t i = 0; i < g_ngroups; i++) {
		if (g_groups[i].fd >= 0)
			close(g_groups[i].fd);
		free(g_groups[i].ns);
	}
	g_ngroups = 0;
	g_nprobes = 0;
}

/* pingadd NS SRC DST: queue one probe from namespace NS, source address SRC, to DST. */
static int cmd_pingadd(char **a)
{
	struct prefix src, dst;
	char path[PATH_MAX];
	int bound = strcmp(a[1], "-") != 0; /* "-": the namespace's routing picks the source */
	if (ns_path(a[0], path, sizeof path) < 0 || (bound && parse_prefix(a[1], &src) < 0) ||
	    parse_prefix(a[2], &dst) < 0)
		return -1;
	if (!bound) {
		src = dst;
		memset(src.addr, 0, sizeof src.addr);
	}
	if (src.family != dst.family || src.len != (unsigned int)src.bytes * 8 || dst.len != (unsigned int)dst.bytes * 8)
		return fail(EINVAL, "pingadd: source and destination must be addresses of the same family");
	/* The client sends probes grouped by source, so the group is nearly always the last one. */
	size_t gi = g_ngroups;
	for (size_t k = g_ngroups; k-- > 0;) {
		struct pgroup *g = &g_groups[k];
		if (g->family == src.family && !memcmp(g->src, src.addr, (size_t)src.bytes) && !strcmp(g->ns, a[0])) {
			gi = k;
			break;
		}
	}
	if (gi == g_ngroups) {
		if (g_ngroups == g_capgroups) {
			size_t cap = g_capgroups ? g_capgroups * 2 : 64;
			struct pgroup *p = realloc(g_groups, cap * sizeof *p);
			if (!p)
				return fail(ENOMEM, "pingadd: out of memory");
			g_groups = p;
			g_capgroups = cap;
		}
		struct pgroup *g = &g_groups[g_ngroups];
		memset(g, 0, sizeof *g);
		g->ns = strdup(a[0]);
		if (!g->ns)
			return fail(ENOMEM, "pingadd: out of memory");
		g->family = src.family;
		memcpy(g->src, src.addr, (size_t)src.bytes);
		g->fd = -1;
		g->id = (uint16_t)(getpid() * 131 + g_ngroups);
		gi = g_ngroups++;
	}
	if (g_nprobes == g_capprobes) {
		size_t cap = g_capprobes ? g_capprobes * 2 : 1024;
		struct probe *p = realloc(g_probes, cap * sizeof *p);
		if (!p)
			return fail(ENOMEM, "pingadd: out of memory");
		g_probes = p;
		g_capprobes = cap;
	}
	struct probe *pr = &g_probes[g_nprobes++];
	memset(pr, 0, sizeof *pr);
	pr->group = (int)gi;
	memcpy(pr->dst, dst.addr, (size_t)dst.bytes);
	pr->rtt_us = -1;
	return 0;
}

static uint16_t inet_csum(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* Open group g's socket inside its namespace (the thread returns to root). */
static int ping_open(struct pgroup *g)
{
	char path[PATH_MAX];
	if (ns_path(g->ns, path, sizeof path) < 0)
		return -1;
	int nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return fail_errno("setns %s", g->ns);
	int rc = setns(nsfd, CLONE_NEWNET);
	close(nsfd);
	if (rc < 0)
		return fail_errno("setns %s", g->ns);
	int v6 = g->family == AF_INET6;
	int fd = socket(g->family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
	int err = errno;
	if (fd >= 0) {
		/* Room for a reply (and a request waiting on neighbour resolution) per destination. */
		int size = 4 << 20;
		setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
		setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size);
		if (v6) {
			struct icmp6_filter f;
			ICMP6_FILTER_SETBLOCKALL(&f);
			ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
			setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof f);
			struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
			memcpy(&sa.sin6_addr, g->src, 16);
			if (!IN6_IS_ADDR_UNSPECIFIED(&sa.sin6_addr) && bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
				err = errno;
				close(fd);
				fd = -1;
			}
		} else {
			struct icmp_filter f = { .data = ~(1u << ICMP_ECHOREPLY) };
			setsockopt(fd, SOL_RAW, ICMP_FILTER, &f, sizeof f);
			struct sockaddr_in sa = { .sin_family = AF_INET };
			memcpy(&sa.sin_addr, g->src, 4);
			if (sa.sin_addr.s_addr != 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
				err = errno;
				close(fd);
				fd = -1;
			}
		}
	}
	if (setns(g_root_fd, CLONE_NEWNET) < 0) {
		if (fd >= 0)
			close(fd);
		g_ctx_is_root = 0;
		poison("not in a namespace (return to the root namespace failed)");
		return fail_errno("setns root");
	}
	if (fd < 0) {
		errno = err;
		return fail_errno("ping socket in %s", g->ns);
	}
	g->fd = fd;
	return 0;
}

static void ping_send(struct probe *pr, size_t index, int64_t t)
{
	struct pgroup *g = &g_groups[pr->group];
	struct {
		uint8_t type, code;
		uint16_t csum, id, seq;
		uint32_t magic, index;
		int64_t sent;
	} pkt = {
		.type = g->family == AF_INET6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO,
		.id = htons(g->id),
		.seq = htons((uint16_t)index),
		.magic = htonl(PING_MAGIC),
		.index = htonl((uint32_t)index),
		.sent = t,
	};
	if (g->family == AF_INET)
		pkt.csum = inet_csum(&pkt, sizeof pkt); /* the kernel sums ICMPv6 itself */
	ssize_t n;
	if (g->family == AF_INET6) {
		struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
		memcpy(&sa.sin6_addr, pr->dst, 16);
		n = sendto(g->fd, &pkt, sizeof pkt, 0, (struct sockaddr *)&sa, sizeof sa);
	} else {
		struct sockaddr_in sa = { .sin_family = AF_INET };
		memcpy(&sa.sin_addr, pr->dst, 4);
		n = sendto(g->fd, &pkt, sizeof pkt, 0, (struct sockaddr *)&sa, sizeof sa);
	}
	if (n < 0) {
		/* A full socket buffer is not an attempt: send again at the next turn. */
		if (errno == EAGAIN || errno == ENOBUFS)
			return;
		pr->err = errno;
	} else {
		pr->err = 0;
	}
	pr->attempts++;
	pr->sent_ns = t;
}

/* Read every reply waiting on group gi's socket. */
static size_t ping_drain(size_t gi, size_t lo, size_t hi)
{
	struct pgroup *g = &g_groups[gi];
	unsigned char buf[512];
	size_t answered = 0;
	for (;;) {
		struct sockaddr_storage from;
		socklen_t fromlen = sizeof from;
		ssize_t n = recvfrom(g->fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fromlen);
		if (n < 0)
			break;
		int64_t t = now_ns();
		const unsigned char *icmp = buf;
		size_t len = (size_t)n;
		if (g->family == AF_INET) { /* raw IPv4 sockets see the IP header */
			size_t ihl = (size_t)(buf[0] & 0x0f) * 4;
			if (len < ihl)
				continue;
			icmp += ihl;
			len -= ihl;
		}
		if (len < 20)
			continue;
		uint8_t want = g->family == AF_INET6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY;
		uint16_t id, seq;
		uint32_t magic, index;
		memcpy(&id, icmp + 4, 2);
		memcpy(&seq, icmp + 6, 2);
		memcpy(&magic, icmp + 8, 4);
		memcpy(&index, icmp + 12, 4);
		index = ntohl(index);
		if (icmp[0] != want || ntohs(id) != g->id || ntohl(magic) != PING_MAGIC || index < lo || index >= hi ||
		    ntohs(seq) != (uint16_t)index)
			continue;
		struct probe *pr = &g_probes[index];
		const void *src = g->family == AF_INET6 ? (const void *)&((struct sockaddr_in6 *)&from)->sin6_addr
							: (const void *)&((struct sockaddr_in *)&from)->sin_addr;
		if ((size_t)pr->group != gi || memcmp(src, pr->dst, g->family == AF_INET6 ? 16 : 4) || pr->rtt_us >= 0)
			continue;
		int64_t sent;
		memcpy(&sent, icmp + 16, 8);
		pr->rtt_us = (t - sent) / 1000;
		if (pr->rtt_us < 0)
			pr->rtt_us = 0;
		answered++;
	}
	return answered;
}

/* Probe [lo, hi) whose groups are open; returns when all answered or at `deadline`. */
static void ping_batch(size_t lo, size_t hi, int epfd, int64_t deadline, int64_t retry_ns)
{
	size_t todo = hi - lo;
	int64_t t = now_ns();
	for (size_t i = lo; i < hi; i++)
		ping_send(&g_probes[i], i, t);
	struct epoll_event ev[256];
	while (todo > 0) {
		t = now_ns();
		if (t >= deadline)
			break;
		/* Resend what is due; wake up for the next one due. */
		int64_t next = deadline;
		for (size_t i = lo; i < hi; i++) {
			struct probe *pr = &g_probes[i];
			if (pr->rtt_us >= 0)
				continue;
			int64_t due = pr->attempts == 0 ? t : pr->sent_ns + retry_ns;
			if (due <= t) {
				ping_send(pr, i, t);
				due = pr->attempts == 0 ? t + 1000000 : pr->sent_ns + retry_ns;
			}
			if (due < next)
				next = due;
		}
		int wait_ms = (int)((next - t + 999999) / 1000000);
		if (wait_ms < 1)
			wait_ms = 1;
		int n = epoll_wait(epfd, ev, 256, wait_ms);
		for (int k = 0; k < n; k++) {
			size_t got = ping_drain(ev[k].data.u32, lo, hi);
			todo = got > todo ? 0 : todo - got;
		}
	}
}

/* pingrun TIMEOUT_MS RETRY_MS: run the queued probes (see above). */
static int cmd_pingrun(char **a)
{
	uint32_t timeout_ms, retry_ms;
	if (parse_u32(a[0], &timeout_ms, "timeout") < 0 || parse_u32(a[1], &retry_ms, "retry interval") < 0)
		return -1;
	if (retry_ms == 0)
		retry_ms = timeout_ms ? timeout_ms : 1;
	if (enter_root() < 0) {
		ping_reset();
		return -1;
	}
	g_poisoned = 0;
	/* One socket per group: use every file descriptor the hard limit allows. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	size_t maxopen = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 128 ? (size_t)rl.rlim_cur - 64 : 64;
	if (maxopen > 65536)
		maxopen = 65536;
	int epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0) {
		ping_reset();
		return fail_errno("epoll_create1");
	}
	int64_t deadline_span = (int64_t)timeout_ms * 1000000;
	int rc = 0;
	/* Probes arrive grouped by source; take as many consecutive groups as sockets allow. */
	size_t lo = 0;
	while (lo < g_nprobes && rc == 0) {
		size_t hi = lo, opened = 0;
		while (hi < g_nprobes) {
			struct pgroup *g = &g_groups[g_probes[hi].group];
			if (g->fd < 0) {
				if (opened == maxopen)
					break;
				if (ping_open(g) < 0) {
					rc = -1;
					break;
				}
				struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)g_probes[hi].group };
				epoll_ctl(epfd, EPOLL_CTL_ADD, g->fd, &ev);
				opened++;
			}
			hi++;
		}
		if (rc == 0 && hi > lo)
			ping_batch(lo, hi, epfd, now_ns() + deadline_span, (int64_t)retry_ms * 1000000);
		for (size_t i = lo; i < hi; i++) {
			struct pgroup *g = &g_groups[g_probes[i].group];
			if (g->fd >= 0) {
				epoll_ctl(epfd, EPOLL_CTL_DEL, g->fd, NULL);
				close(g->fd);
				g->fd = -1;
			}
		}
		lo = hi;
	}
	close(epfd);
	if (rc == 0) {
		sb_putf(&g_out, "[");
		for (size_t i = 0; i < g_nprobes; i++) {
			const struct probe *pr = &g_probes[i];
			long long v = pr->rtt_us >= 0 ? pr->rtt_us : pr->err ? -(long long)pr->err : -1;
			sb_putf(&g_out, i ? ",%lld" : "%lld", v);
		}
		sb_putf(&g_out, "]");
	}
	ping_reset();
	return rc;
}

/* ---------------------------------------------------------------- neighbours */

struct neigh_key {
	int family, ifindex;
	unsigned char dst[16];
};
static struct neigh_key *g_neigh;
static size_t g_nneigh, g_capneigh;

static void collect_neigh(const struct nlmsghdr *m)
{
	struct ndmsg *nd = NLMSG_DATA(m);
	struct rtattr *tb[NDA_MAX + 1];
	if (m->nlmsg_type != RTM_NEWNEIGH || m->nlmsg_len < NLMSG_LENGTH(sizeof *nd))
		return;
	if ((nd->ndm_family != AF_INET && nd->ndm_family != AF_INET6) || (nd->ndm_state & (NUD_PERMANENT | NUD_NOARP)))
		return;
	parse_attrs(tb, NDA_MAX, (struct rtattr *)((char *)nd + NLMSG_ALIGN(sizeof *nd)),
		    (int)(m->nlmsg_len - NLMSG_LENGTH(sizeof *nd)));
	size_t bytes = nd->ndm_family == AF_INET ? 4 : 16;
	if (!tb[NDA_DST] || RTA_PAYLOAD(tb[NDA_DST]) < bytes)
		return;
	if (g_nneigh == g_capneigh) {
		size_t cap = g_capneigh ? g_capneigh * 2 : 256;
		struct neigh_key *p = realloc(g_neigh, cap * sizeof *p);
		if (!p)
			return;
		g_neigh = p;
		g_capneigh = cap;
	}
	struct neigh_key *k = &g_neigh[g_nneigh++];
	k->family = nd->ndm_family;
	k->ifindex = nd->ndm_ifindex;
	memcpy(k->dst, RTA_DATA(tb[NDA_DST]), bytes);
}

/* neighflush: `ip neigh flush all` in the current namespace (dynamic IPv4/IPv6 entries). Answers
 * the number removed. Frees room in the kernel's neighbour tables, which all namespaces share. */
static int cmd_neighflush(char **a)
{
	(void)a;
	g_nneigh = 0;
	struct ndmsg *nd = nl_begin(RTM_GETNEIGH, 0, sizeof(struct ndmsg));
	nd->ndm_family = AF_UNSPEC;
	if (nl_dump(collect_neigh) < 0)
		return -1;
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

/* ---------------------------------------------------------------- session commands */

/* set stop-on-error 0|1 */
static int cmd_set(char **a)
{
	if (strcmp(a[0], "stop-on-error"))
		return fail(EINVAL, "unknown setting: %s", a[0]);
	if (strcmp(a[1], "0") && strcmp(a[1], "1"))
		return fail(EINVAL, "stop-on-error takes 0 or 1");
	g_stop_on_error = a[1][0] == '1';
	return 0;
}

/* resume: stop skipping after an error under stop-on-error. */
static int cmd_resume(char **a)
{
	(void)a;
	g_skipping = 0;
	return 0;
}

/* ---------------------------------------------------------------- dispatcher */

struct command {
	const char *op;
	int nargs;
	int scoped; /* runs in the current namespace: refused while poisoned */
	int (*run)(char **args);
};

static const struct command commands[] = {
	{ "root", 0, 0, cmd_root },       { "ns", 1, 0, cmd_ns },
	{ "mkns", 2, 0, cmd_mkns },       { "delns", 1, 0, cmd_delns },
	{ "up", 1, 1, cmd_up },           { "down", 1, 1, cmd_down },
	{ "alias", 2, 1, cmd_alias },     { "mtu", 2, 1, cmd_mtu },
	{ "mac", 2, 1, cmd_mac },         { "addr", 2, 1, cmd_addr },
	{ "addrgen", 2, 1, cmd_addrgen },
	{ "deladdr", 2, 1, cmd_deladdr }, { "route", 4, 1, cmd_route },
	{ "delroute", 4, 1, cmd_delroute }, { "dellink", 1, 1, cmd_dellink },
	{ "sysctl", 2, 1, cmd_sysctl },   { "txoff", 1, 1, cmd_txoff },
	{ "dump", 0, 1, cmd_dump },       { "getlink", 1, 1, cmd_getlink },
	{ "delown", 2, 0, cmd_delown },   { "pingadd", 3, 0, cmd_pingadd },
	{ "pingrun", 2, 0, cmd_pingrun }, { "neighflush", 0, 1, cmd_neighflush },
	{ "set", 2, 0, cmd_set },
	{ "resume", 0, 0, cmd_resume },
};

/* Write the reply of one request; an error under stop-on-error starts skipping. */
static void reply(int rc)
{
	if (rc == 0) {
		if (g_out.len) {
			fputs("ok\t", stdout);
			fwrite(g_out.p, 1, g_out.len, stdout);
			fputc('\n', stdout);
		} else {
			fputs("ok\n", stdout);
		}
		return;
	}
	for (char *c = e_msg; *c; c++)
		if ((unsigned char)*c < 0x20)
			*c = ' ';
	printf("err\t%d\t%s\n", e_no, e_msg);
	if (g_stop_on_error)
		g_skipping = 1;
}

/* Answer a request that cannot even be parsed (or `skip` it). */
static void refuse(int err, const char *msg)
{
	if (g_skipping)
		fputs("skip\n", stdout);
	else
		reply(fail(err, "%s", msg));
}

/* Run one request line of n bytes (without its newline). */
static void handle_line(char *line, size_t n)
{
	char *argv[MAX_ARGS + 1];
	int argc = 0;
	g_out.len = 0;
	if (memchr(line, 0, n)) {
		refuse(EINVAL, "NUL byte in request");
		return;
	}
	for (char *p = line;; p++) {
		if (argc <= MAX_ARGS)
			argv[argc] = p;
		argc++;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p = 0;
	}
	const struct command *c = NULL;
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		if (!strcmp(commands[i].op, argv[0]))
			c = &commands[i];
	if (g_skipping && !(c && c->run == cmd_resume)) {
		fputs("skip\n", stdout);
		return;
	}
	int rc;
	if (!c)
		rc = fail(EINVAL, "unknown command: %s", argv[0]);
	else if (argc - 1 != c->nargs)
		rc = fail(EINVAL, "%s takes %d argument(s), got %d", c->op, c->nargs, argc - 1);
	else if (c->scoped && g_poisoned)
		rc = fail(EINVAL, "%s", g_poison_reason);
	else
		rc = c->run(argv + 1);
	reply(rc);
}

int main(void)
{
	static char in[65536], out[65536];
	size_t len = 0;
	int discarding = 0; /* inside an over-long line that was already answered */

	setvbuf(stdout, out, _IOFBF, sizeof out);
	g_root_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (g_root_fd < 0 || ctx_open() < 0) {
		fprintf(stderr, "nsagent: cannot start: %s\n", g_root_fd < 0 ? strerror(errno) : e_msg);
		return 1;
	}
	for (;;) {
		char *start = in, *nl;
		while ((nl = memchr(start, '\n', len - (size_t)(start - in)))) {
			*nl = 0;
			if (!discarding)
				handle_line(start, (size_t)(nl - start));
			discarding = 0;
			start = nl + 1;
		}
		len -= (size_t)(start - in);
		memmove(in, start, len);
		if (len == sizeof in) { /* a line longer than the buffer: answer once, drop the rest */
			if (!discarding)
				refuse(E2BIG, "request line too long");
			discarding = 1;
			len = 0;
		}
		/* Replies are flushed before every blocking read, so a pipelining client never waits. */
		fflush(stdout);
		ssize_t n = read(STDIN_FILENO, in + len, sizeof in - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (len && !discarding) { /* a last request without its newline */
		in[len] = 0;
		handle_line(in, len);
	}
	fflush(stdout);
	return 0;
}
