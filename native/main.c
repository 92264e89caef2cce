/*
 * nsagent: one long-lived process that configures many network namespaces over rtnetlink.
 *
 * Reads one request per line on stdin and writes exactly one reply line per request on stdout, in
 * order (protocol.h). The agent keeps a "current" network namespace (`root`, `ns NAME`) and a
 * NETLINK_ROUTE socket plus an ioctl socket created inside it (netns.h). When entering a namespace
 * fails the agent is "poisoned": namespace-scoped requests are refused until `root` or `ns`
 * succeeds, so nothing runs in the wrong namespace.
 *
 * Plain libc and kernel headers only; the TypeScript side is src/drivers/nsagent/. This file frames
 * stdin into request lines — or, with a first argument, runs one of the binary's other modes:
 * `nsagent run …` (a program inside a node, run.h) and `nsagent supervise DIR` (a lab's services,
 * supervise.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "netns.h"
#include "protocol.h"
#include "result.h"
#include "run.h"
#include "supervise.h"

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "run"))
		return run_main(argc - 2, argv + 2);
	if (argc > 1 && !strcmp(argv[1], "supervise"))
		return supervise_main(argc - 2, argv + 2);
	if (argc > 1) {
		fprintf(stderr, "usage: nsagent [run … | supervise DIR]\n");
		return 64;
	}
	static char in[65536], out[65536];
	size_t len = 0;
	int discarding = 0; /* inside an over-long line that was already answered */

	setvbuf(stdout, out, _IOFBF, sizeof out);
	/* Pipes of a megabyte (best effort): a client busy with something else meanwhile (parsing a
	 * lab's record) can have written ten thousand requests, and read their replies later, without
	 * the agent waiting for it in between. */
	fcntl(STDIN_FILENO, F_SETPIPE_SZ, 1 << 20);
	fcntl(STDOUT_FILENO, F_SETPIPE_SZ, 1 << 20);
	if (ns_start() < 0) {
		fprintf(stderr, "nsagent: cannot start: %s\n", e_msg);
		return 1;
	}
	for (;;) {
		char *start = in, *nl;
		while ((nl = memchr(start, '\n', len - (size_t)(start - in)))) {
			*nl = 0;
			if (!discarding)
				protocol_line(start, (size_t)(nl - start));
			discarding = 0;
			start = nl + 1;
		}
		len -= (size_t)(start - in);
		memmove(in, start, len);
		if (len == sizeof in) { /* a line longer than the buffer: answer once, drop the rest */
			if (!discarding)
				protocol_refuse(E2BIG, "request line too long");
			discarding = 1;
			len = 0;
		}
		/* Nothing left to run: back from the namespaces visited (ns_pass) before the replies go
		 * out, so that an idle agent never holds one (a namespace it sits in outlives its
		 * deletion, and so do the veth ends in it, the root's peers included). */
		ns_back();
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
		protocol_line(in, len);
	}
	fflush(stdout);
	return 0;
}
