/* The result of the request being run: its error (errno and message) or its `ok` payload. */
#define _GNU_SOURCE
#include "result.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netlink.h"

int e_no;
int g_compact;
char e_msg[512];

int fail(int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e_msg, sizeof e_msg, fmt, ap);
	va_end(ap);
	e_no = err;
	return -1;
}

int fail_errno(const char *fmt, ...)
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

struct sbuf g_out;

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

void sb_putf(struct sbuf *b, const char *fmt, ...)
{
	sb_reserve(b, 64); /* most pieces fit: formatted once */
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if ((size_t)n >= b->cap - b->len) {
		sb_reserve(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

void sb_json_str(struct sbuf *b, const char *s, size_t n)
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

/* ---------------------------------------------------------------- JSON values */

static int g_first; /* no comma before the first element of a JSON array */

void json_first(void)
{
	g_first = 1;
}

void json_comma(void)
{
	if (!g_first)
		sb_putf(&g_out, ",");
	g_first = 0;
}

void json_str_attr(const struct rtattr *rta)
{
	if (rta && RTA_PAYLOAD(rta) > 0)
		sb_json_str(&g_out, RTA_DATA(rta), strnlen(RTA_DATA(rta), RTA_PAYLOAD(rta)));
	else
		sb_putf(&g_out, "null");
}

void json_u32_attr(const struct rtattr *rta)
{
	if (rta)
		sb_putf(&g_out, "%u", nl_u32(rta));
	else
		sb_putf(&g_out, "null");
}

void json_addr(int family, const void *addr, unsigned int len)
{
	char text[INET6_ADDRSTRLEN];
	inet_ntop(family, addr, text, sizeof text);
	if (len == UINT_MAX)
		sb_putf(&g_out, "\"%s\"", text);
	else
		sb_putf(&g_out, "\"%s/%u\"", text, len);
}
