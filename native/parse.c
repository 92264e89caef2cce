/* Request arguments: numbers, interface names, IP prefixes and MAC addresses (errors via fail()). */
#define _GNU_SOURCE
#include "parse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"

int parse_u32(const char *s, uint32_t *out, const char *what)
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

int parse_ifname(const char *dev, size_t *len)
{
	size_t n = strlen(dev);
	if (n == 0 || n >= IFNAMSIZ)
		return fail(EINVAL, "invalid interface name \"%s\"", dev);
	*len = n;
	return 0;
}

int parse_prefix(const char *text, struct prefix *p)
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

int parse_mac(const char *s, unsigned char mac[6])
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
