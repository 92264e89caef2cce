/* Request arguments: numbers, interface names, IP prefixes and MAC addresses (errors via fail()). */
#ifndef NSAGENT_PARSE_H
#define NSAGENT_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* A decimal number in 0..UINT32_MAX; `what` names it in the error. */
int parse_u32(const char *s, uint32_t *out, const char *what);

/* An interface name (1..IFNAMSIZ-1 bytes); its length in *len. */
int parse_ifname(const char *dev, size_t *len);

struct prefix {
	int family;        /* AF_INET or AF_INET6 */
	int bytes;         /* 4 or 16 */
	unsigned int len;  /* prefix length */
	unsigned char addr[16];
};

/* "ADDR" or "ADDR/LEN", IPv4 or IPv6 decided by the text; without /LEN, the full length. */
int parse_prefix(const char *text, struct prefix *p);

/* "aa:bb:cc:dd:ee:ff". */
int parse_mac(const char *s, unsigned char mac[6]);

#endif
