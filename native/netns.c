/* Namespaces: the agent's current namespace and its sockets, and the namespace commands. */
#define _GNU_SOURCE
#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "link.h"
#include "netlink.h"
#include "result.h"

#define NETNS_DIR "/run/netns"
#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

int g_nl = -1;                 /* NETLINK_ROUTE socket of the current namespace */
int g_io = -1;                 /* datagram socket for ioctls in the current namespace */
static int g_root_fd = -1;     /* the namespace the agent started in */
static int g_ctx_is_root = 1;  /* g_nl/g_io belong to the root namespace */
static int g_poisoned;         /* last namespace switch failed: refuse scoped commands */
static const char *g_poison_reason = "";
static int g_shared_done;      /* /run/netns has been made a shared mount */
static int g_away;             /* left in a namespace by ns_pass() (root's sockets kept) */

/* ---------------------------------------------------------------- namespace context */

/* Open the netlink and ioctl sockets of the calling thread's namespace, replacing the old ones. */
static int ctx_open(void)
{
	int nl = nl_open();
	if (nl < 0)
		return -1;
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

int ns_start(void)
{
	g_root_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (g_root_fd < 0)
		return fail(errno, "%s", strerror(errno));
	return ctx_open();
}

static void poison(const char *reason)
{
	g_poisoned = 1;
	g_poison_reason = reason;
}

const char *ns_poisoned(void)
{
	return g_poisoned ? g_poison_reason : NULL;
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

int ns_root(void)
{
	if (enter_root() < 0)
		return -1;
	g_poisoned = 0;
	return 0;
}

int ns_path(const char *name, char *path, size_t size)
{
	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return fail(EINVAL, "invalid namespace name \"%s\"", name);
	if ((size_t)snprintf(path, size, "%s/%s", NETNS_DIR, name) >= size)
		return fail(ENAMETOOLONG, "namespace name too long");
	return 0;
}

int ns_open(const char *name)
{
	char path[PATH_MAX];
	if (ns_path(name, path, sizeof path) < 0)
		return -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail_errno("setns %s", name);
	return fd;
}

int ns_visit(int fd, const char *name)
{
	int rc = setns(fd, CLONE_NEWNET);
	close(fd);
	if (rc < 0)
		return fail_errno("setns %s", name);
	return 0;
}

int ns_leave(void)
{
	g_away = 0;
	if (setns(g_root_fd, CLONE_NEWNET) < 0) {
		g_ctx_is_root = 0;
		poison("not in a namespace (return to the root namespace failed)");
		return fail_errno("setns root");
	}
	return 0;
}

int ns_pass(const char *name)
{
	if (!g_away && ns_root() < 0)
		return -1;
	int fd = ns_open(name);
	if (fd < 0 || ns_visit(fd, name) < 0)
		return -1;
	g_away = 1;
	return 0;
}

int ns_back(void)
{
	return g_away ? ns_leave() : 0;
}

/* ---------------------------------------------------------------- namespace commands */

int cmd_root(char **a)
{
	(void)a;
	return ns_root();
}

int cmd_ns(char **a)
{
	poison("not in a namespace (last 'ns' failed)"); /* cleared only on success */
	int fd = ns_open(a[0]);
	if (fd < 0 || ns_visit(fd, a[0]) < 0)
		return -1;
	g_ctx_is_root = 0;
	if (ctx_open() < 0)
		return -1;
	g_poisoned = 0;
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
	int fd = nl_open();
	if (fd < 0)
		return -1;
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

/*
 * Whether `path` is a namespace file without its namespace: the empty file `ip netns add` binds a
 * namespace on, with nothing bound (the namespace went without its file: a reboot of a host whose
 * /run is a disk, or an umount by hand). No process can enter it; `ip netns del` removes it too.
 */
static int dead_ns_file(const char *path)
{
	struct stat st;
	struct statfs fs;
	return lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0 && statfs(path, &fs) == 0 &&
	       fs.f_type != NSFS_MAGIC;
}

/* Remove such a file (another process removing it first is as good). */
static int remove_dead_ns_file(const char *path)
{
	if (unlink(path) < 0 && errno != ENOENT)
		return fail_errno("Cannot remove namespace file \"%s\"", path);
	return 0;
}

int cmd_mkns(char **a)
{
	char path[PATH_MAX];
	if (ns_path(a[0], path, sizeof path) < 0 || prepare_netns_dir() < 0)
		goto poisoned;
	if (strlen(a[1]) > ALIAS_MAX) {
		fail(EINVAL, "marker longer than %d bytes", ALIAS_MAX);
		goto poisoned;
	}
	int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	/* The file of a namespace that is gone (the caller made sure it had the name to itself): anew. */
	if (fd < 0 && errno == EEXIST && dead_ns_file(path) && unlink(path) == 0)
		fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
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

int cmd_delns(char **a)
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

/*
 * The loopback's alias is nslab's ownership mark, checked from inside the namespace just before
 * deleting it: one request per namespace instead of a check pass and a delete pass.
 */
int cmd_delown(char **a)
{
	char path[PATH_MAX], alias[ALIAS_MAX + 1];
	if (ns_path(a[0], path, sizeof path) < 0)
		return -1;
	/* Start from the root namespace with its sockets, so only a setns() pair and one short-lived
	 * netlink socket are spent per namespace. */
	if (ns_root() < 0)
		return -1;
	/* A namespace that went without its file (a reboot where /run is a disk) has no mark to check:
	 * its file is what is left of it, and goes. */
	if (dead_ns_file(path))
		return remove_dead_ns_file(path);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail_errno("Cannot remove namespace file \"%s\"", path);
	int rc = setns(fd, CLONE_NEWNET), err = errno;
	close(fd);
	if (rc < 0) {
		/* Not a namespace when opened: it went between the look above and the open (its file
		 * unmounted meanwhile), and what is left is its file, or nothing. */
		if (err == EINVAL && (dead_ns_file(path) || access(path, F_OK) < 0))
			return remove_dead_ns_file(path);
		errno = err;
		return fail_errno("setns %s", a[0]);
	}
	rc = link_alias("lo", alias, sizeof alias);
	/* Back to root; g_nl and g_io are still the root namespace's. */
	if (ns_leave() < 0)
		return -1;
	if (rc < 0)
		return -1;
	if (strcmp(alias, a[1]))
		return fail(EPERM, "namespace %s is not marked \"%s\" (its loopback alias is \"%s\")", a[0], a[1],
			    alias);
	umount2(path, MNT_DETACH);
	if (unlink(path) < 0)
		return fail_errno("Cannot remove namespace file \"%s\"", path);
	return 0;
}

/* ---------------------------------------------------------------- sysctl */

int cmd_sysctl(char **a)
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
