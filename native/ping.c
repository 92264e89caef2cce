/* Ping from inside namespaces: a queue of probes, one raw socket per source, epoll (see ping.h). */
#define _GNU_SOURCE
#include "ping.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/icmp.h>

#include "netns.h"
#include "parse.h"
#include "result.h"

#define PING_MAGIC 0x6e736c70u /* "nslp" */

/* The echo request the agent sends; a reply to it carries the same bytes back. */
struct echo {
	uint8_t type, code;
	uint16_t csum, id, seq;
	uint32_t magic, index; /* PING_MAGIC; the probe's index in the queue */
	int64_t sent;          /* monotonic send time, ns */
};
_Static_assert(sizeof(struct echo) == 24, "struct echo has no padding");

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

int cmd_pingadd(char **a)
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
		g->id = (uint16_t)((size_t)getpid() * 131 + g_ngroups);
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
	int nsfd = ns_open(g->ns);
	if (nsfd < 0 || ns_visit(nsfd, g->ns) < 0)
		return -1;
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
	if (ns_leave() < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
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
	struct echo pkt = {
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
			size_t ihl = len > 0 ? (size_t)(buf[0] & 0x0f) * 4 : 0;
			if (ihl < 20 || len < ihl)
				continue;
			icmp += ihl;
			len -= ihl;
		}
		struct echo e;
		if (len < sizeof e) /* shorter than what we sent: not a reply to it */
			continue;
		memcpy(&e, icmp, sizeof e);
		uint8_t want = g->family == AF_INET6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY;
		uint32_t index = ntohl(e.index);
		if (e.type != want || ntohs(e.id) != g->id || ntohl(e.magic) != PING_MAGIC || index < lo || index >= hi ||
		    ntohs(e.seq) != (uint16_t)index)
			continue;
		struct probe *pr = &g_probes[index];
		const void *src = g->family == AF_INET6 ? (const void *)&((struct sockaddr_in6 *)&from)->sin6_addr
							: (const void *)&((struct sockaddr_in *)&from)->sin_addr;
		if ((size_t)pr->group != gi || memcmp(src, pr->dst, g->family == AF_INET6 ? 16 : 4) || pr->rtt_us >= 0)
			continue;
		pr->rtt_us = (t - e.sent) / 1000;
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

int cmd_pingrun(char **a)
{
	uint32_t timeout_ms, retry_ms;
	if (parse_u32(a[0], &timeout_ms, "timeout") < 0 || parse_u32(a[1], &retry_ms, "retry interval") < 0)
		return -1;
	if (retry_ms == 0)
		retry_ms = timeout_ms ? timeout_ms : 1;
	if (ns_root() < 0) {
		ping_reset();
		return -1;
	}
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
				if (epoll_ctl(epfd, EPOLL_CTL_ADD, g->fd, &ev) < 0) {
					rc = fail_errno("epoll_ctl (ping socket in %s)", g->ns);
					close(g->fd);
					g->fd = -1;
					break;
				}
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

