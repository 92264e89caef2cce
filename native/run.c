/* `nsagent run` (run.h). */
#define _GNU_SOURCE
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: nsagent run [--net FILE] [--mnt FILE] [--cwd DIR] -- PROGRAM [ARG...]\n");
	return 125;
}

/* Open a namespace file and enter it as `type`; setns() refuses a file of another kind. */
static int enter(const char *file, int type, const char *what)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, type) < 0) {
		fprintf(stderr, "nsagent run: cannot enter the %s namespace %s: %s\n", what, file, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

int run_main(int argc, char **argv)
{
	const char *net = NULL, *mnt = NULL, *cwd = NULL;
	int i = 0;
	for (; i < argc && strcmp(argv[i], "--"); i++) {
		if (i + 1 >= argc)
			return usage();
		if (!strcmp(argv[i], "--net"))
			net = argv[++i];
		else if (!strcmp(argv[i], "--mnt"))
			mnt = argv[++i];
		else if (!strcmp(argv[i], "--cwd"))
			cwd = argv[++i];
		else
			return usage();
	}
	if (i + 1 >= argc)
		return usage();
	char **prog = argv + i + 1;
	/* Both files are opened in the caller's view: the mount namespace file is not visible inside. */
	int netfd = net ? open(net, O_RDONLY | O_CLOEXEC) : -1;
	if (net && netfd < 0) {
		fprintf(stderr, "nsagent run: cannot open %s: %s\n", net, strerror(errno));
		return 125;
	}
	if (mnt && enter(mnt, CLONE_NEWNS, "mount") < 0)
		return 125;
	if (net && setns(netfd, CLONE_NEWNET) < 0) {
		fprintf(stderr, "nsagent run: cannot enter the network namespace %s: %s\n", net, strerror(errno));
		return 125;
	}
	if (netfd >= 0)
		close(netfd);
	/* Entering a mount namespace moves to its root: back to the caller's directory if it has one. */
	if (cwd && chdir(cwd) < 0 && chdir("/") < 0)
		return 125;
	execvp(prog[0], prog);
	int err = errno;
	fprintf(stderr, "nsagent run: cannot run %s: %s\n", prog[0], strerror(err));
	return err == ENOENT ? 127 : 126;
}
