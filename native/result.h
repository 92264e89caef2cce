/* The result of the request being run: its error (errno and message) or its `ok` payload. */
#ifndef NSAGENT_RESULT_H
#define NSAGENT_RESULT_H

#include <stddef.h>

struct rtattr;

/* The error of the failing request: errno (0 when not an errno) and a one-line message. */
extern int e_no;
extern char e_msg[512];

/* Record an error for the reply; returns -1, so commands can `return fail(...)`. */
int fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* fail() with the current errno, appending ": strerror(errno)" to the message. */
int fail_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable string. */
struct sbuf {
	char *p;
	size_t len, cap;
};

/* Payload of an `ok` reply (JSON, or a number); empty for a plain `ok`. */
extern struct sbuf g_out;

void sb_putf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A JSON string literal of the n bytes at s (UTF-8 passed through, control bytes escaped). */
void sb_json_str(struct sbuf *b, const char *s, size_t n);

/* Set while a compact command runs: links, addresses and routes are written as JSON arrays of
 * their fields (in the order of their object form; see link_json, addr_json, route_json), and a
 * dump as `[links,addrs,routes]` — a third of the bytes, and no keys for the reader to parse. */
extern int g_compact;
/* JSON arrays in g_out: json_first() before the first element, json_comma() before each one. */
void json_first(void);
void json_comma(void);

/* A string attribute as a JSON string (up to its first NUL), or null when absent or empty. */
void json_str_attr(const struct rtattr *rta);

/* A 32-bit attribute as a JSON number, or null when absent. */
void json_u32_attr(const struct rtattr *rta);

/* An address as a JSON string: "ADDR/LEN", or "ADDR" when len is UINT_MAX. */
void json_addr(int family, const void *addr, unsigned int len);

#endif
