/* rtnetlink plumbing: one request buffer, the exchange with the kernel (ack, get, dump) and attributes. */
#define _GNU_SOURCE
#include "netlink.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "result.h"

static union {
	struct nlmsghdr h;
	char buf[4096];
} req;

static union {
	struct nlmsghdr h;
	char buf[65536]; /* large enough for any dump datagram */
} resp;

static uint32_t g_seq;

/* Bytes asked of each recv(): all of resp, or one page (see nl_small_reads). */
static size_t g_recv_len = sizeof resp;

void nl_small_reads(int on)
{
	static size_t small;
	if (!small) { /* NSAGENT_SMALL_READ: a smaller size, for the tests of what does not fit */
		const char *env = getenv("NSAGENT_SMALL_READ");
		unsigned long v = env ? strtoul(env, NULL, 10) : 0;
		small = v >= 64 && v <= NL_SMALL_READ ? v : NL_SMALL_READ;
	}
	g_recv_len = on ? small : sizeof resp;
}

int nl_open(void)
{
	return nl_open_proto(NETLINK_ROUTE);
}

int nl_open_proto(int protocol)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
	if (fd < 0)
		return fail_errno("netlink socket");
	return fd;
}

void *nl_begin(int type, int flags, size_t hdrlen)
{
	memset(&req, 0, NLMSG_SPACE(hdrlen));
	req.h.nlmsg_len = (uint32_t)NLMSG_LENGTH(hdrlen);
	req.h.nlmsg_type = (uint16_t)type;
	req.h.nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
	return NLMSG_DATA(&req.h);
}

/* Requests are tiny; overflowing the buffer is a bug, not an input error. */
void nl_put(int type, const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(req.h.nlmsg_len);
	if (off + RTA_SPACE(len) > sizeof req.buf)
		abort();
	struct rtattr *rta = (struct rtattr *)(req.buf + off);
	rta->rta_type = (unsigned short)type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	memset((char *)RTA_DATA(rta) + len, 0, RTA_SPACE(len) - RTA_LENGTH(len)); /* padding */
	req.h.nlmsg_len = (uint32_t)(off + RTA_SPACE(len));
}

void nl_put_u32(int type, uint32_t v)
{
	nl_put(type, &v, sizeof v);
}

void *nl_reserve(size_t len)
{
	size_t off = NLMSG_ALIGN(req.h.nlmsg_len);
	if (off + NLMSG_ALIGN(len) > sizeof req.buf)
		abort();
	memset(req.buf + off, 0, NLMSG_ALIGN(len));
	req.h.nlmsg_len = (uint32_t)(off + NLMSG_ALIGN(len));
	return req.buf + off;
}

struct rtattr *nl_nest_begin(int type)
{
	size_t off = NLMSG_ALIGN(req.h.nlmsg_len);
	nl_put(type | NLA_F_NESTED, NULL, 0);
	return (struct rtattr *)(req.buf + off);
}

void nl_nest_end(struct rtattr *nest)
{
	nest->rta_len = (unsigned short)(req.buf + req.h.nlmsg_len - (char *)nest);
}

/* NLA_ALIGN, in size_t (the header's macro mixes int and size_t). */
static size_t nla_align(size_t len)
{
	return (len + NLA_ALIGNTO - 1) & ~(size_t)(NLA_ALIGNTO - 1);
}

/* An error from the kernel, with its extended-ack text when it sent one. */
static int fail_nlerr(int err, const struct nlmsghdr *m)
{
	const struct nlmsgerr *e = NLMSG_DATA(m);
	const size_t hdrlen = nla_align(sizeof(struct nlattr)); /* NLA_HDRLEN */
	const char *ext = NULL;
	if (m->nlmsg_flags & NLM_F_ACK_TLVS) {
		size_t off = NLMSG_LENGTH(sizeof *e);
		if (!(m->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - NLMSG_HDRLEN;
		while (off + hdrlen <= m->nlmsg_len) {
			const struct nlattr *a = (const void *)((const char *)m + off);
			if (a->nla_len < hdrlen || off + a->nla_len > m->nlmsg_len)
				break;
			if (a->nla_type == NLMSGERR_ATTR_MSG && a->nla_len > hdrlen)
				ext = (const char *)a + hdrlen;
			off += nla_align(a->nla_len);
		}
	}
	if (ext)
		return fail(err, "RTNETLINK answers: %s (%.200s)", strerror(err), ext);
	return fail(err, "RTNETLINK answers: %s", strerror(err));
}

/* Send the request built in `req` on `fd` with `flags` (NLM_F_DUMP, or NLM_F_ACK for a get or a
 * change), feed the messages of its answer to `cb` (if any; without one, other messages are
 * leftovers of an earlier, abandoned exchange), and return at NLMSG_DONE or the acknowledgement. */
static int nl_exchange(int fd, uint16_t flags, nl_cb cb)
{
	req.h.nlmsg_flags |= flags;
	req.h.nlmsg_seq = ++g_seq;
	if (send(fd, &req, req.h.nlmsg_len, 0) < 0)
		return fail_errno("netlink send");
	int interrupted = 0;
	for (;;) {
		ssize_t n = recv(fd, &resp, g_recv_len, MSG_TRUNC);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return fail_errno("netlink recv");
		}
		if ((size_t)n > g_recv_len)
			return fail(EMSGSIZE, "netlink datagram of %zd bytes, more than the %zu read", n, g_recv_len);
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

int nl_talk(int fd)
{
	return nl_exchange(fd, NLM_F_ACK, NULL);
}

int nl_get(int fd, nl_cb cb)
{
	return nl_exchange(fd, NLM_F_ACK, cb);
}

int nl_dump(int fd, nl_cb cb)
{
	return nl_exchange(fd, NLM_F_DUMP, cb);
}

void nl_parse(struct rtattr **tb, int max, struct rtattr *rta, int len)
{
	memset(tb, 0, sizeof(*tb) * (size_t)(max + 1));
	while (RTA_OK(rta, len)) {
		int type = rta->rta_type & ~NLA_F_NESTED;
		if (type <= max && !tb[type])
			tb[type] = rta;
		int step = (int)RTA_ALIGN(rta->rta_len); /* RTA_NEXT, without its int/unsigned mix */
		len -= step;
		rta = (struct rtattr *)((char *)rta + step);
	}
}

uint32_t nl_u32(const struct rtattr *rta)
{
	uint32_t v = 0;
	memcpy(&v, RTA_DATA(rta), RTA_PAYLOAD(rta) < sizeof v ? RTA_PAYLOAD(rta) : sizeof v);
	return v;
}
