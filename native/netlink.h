/* rtnetlink plumbing: one request buffer, the exchange with the kernel (ack, get, dump) and attributes. */
#ifndef NSAGENT_NETLINK_H
#define NSAGENT_NETLINK_H

#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

/* Called with each message of an answer (dump entries, the object of a get). */
typedef void (*nl_cb)(const struct nlmsghdr *m);

/* A NETLINK_ROUTE socket of the calling thread's namespace, or -1 with the error set. */
int nl_open(void);

/* A netlink socket of another `protocol` (NETLINK_NETFILTER) of the calling thread's namespace. */
int nl_open_proto(int protocol);

/*
 * Small reads: each recv() asks for one page, not 64 KiB. The kernel sizes the datagrams of a dump
 * by the largest read it has seen on the socket, so a socket read this way gets one-page datagrams
 * instead of 32 KiB ones (an order-3 page allocation each, which dominated the dumps of a namespace
 * with a few links). A datagram that does not fit fails the exchange with EMSGSIZE (its rest is
 * lost): the caller reads again on a new socket, without small reads.
 */
#define NL_SMALL_READ 4096
void nl_small_reads(int on);

/* Start the request of `type` with a zeroed family header of `hdrlen` bytes; returns the header.
 * There is one request buffer: build a request, send it, then build the next. */
void *nl_begin(int type, int flags, size_t hdrlen);

/* Append one attribute to the request. */
void nl_put(int type, const void *data, size_t len);
void nl_put_u32(int type, uint32_t v);

/* Append `len` zeroed bytes (aligned) that are no attribute: a family header inside a nest (a veth
 * peer's ifinfomsg). Returns them. */
void *nl_reserve(size_t len);

/* Open a nested attribute; attributes put until nl_nest_end(nest) go inside it. */
struct rtattr *nl_nest_begin(int type);
void nl_nest_end(struct rtattr *nest);

/* Send the request with NLM_F_ACK on `fd` and wait for its acknowledgement. */
int nl_talk(int fd);

/* Send the get request on `fd`, feed its answer to `cb`, and wait for the acknowledgement. */
int nl_get(int fd, nl_cb cb);

/* Send the request as a dump on `fd`, feeding each message to `cb`; EAGAIN when the kernel marks
 * the dump interrupted by a concurrent change. */
int nl_dump(int fd, nl_cb cb);

/* Index the attributes at rta (len bytes) by type, nested flag stripped: tb[0..max]. */
void nl_parse(struct rtattr **tb, int max, struct rtattr *rta, int len);

/* A 32-bit attribute (shorter payloads are zero-extended). */
uint32_t nl_u32(const struct rtattr *rta);

#endif
