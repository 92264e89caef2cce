/* Mount namespaces of nodes, kept in the lab's file system (mntns.h). */
#define _GNU_SOURCE
#include "mntns.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mountinfo.h"
#include "netns.h"
#include "result.h"

#define MAX_QUEUED 256
#define MAX_DETACH 4096

enum queued_kind { Q_BIND, Q_OVERLAY, Q_SYSFS };

struct queued {
	enum queued_kind kind;
	char *a, *b, *c; /* bind: src dst; overlay: dir upper work */
	int fa;          /* bind: O_PATH descriptor of the source, opened in the node's view */
};

static struct queued g_queue[MAX_QUEUED];
static int g_nqueued;
static int g_queue_broken; /* a mount request for the node under way was refused */
static int g_host_mnt = -1; /* the host's mount namespace (the agent's own) */
static int g_tmpl = -1;     /* the template of node namespaces */

static void clear_queue(void)
{
	for (int i = 0; i < g_nqueued; i++) {
		free(g_queue[i].a);
		free(g_queue[i].b);
		free(g_queue[i].c);
		if (g_queue[i].fa >= 0)
			close(g_queue[i].fa);
	}
	g_nqueued = 0;
	g_queue_broken = 0;
}

static int enqueue(enum queued_kind kind, const char *a, const char *b, const char *c)
{
	if (g_nqueued == MAX_QUEUED) {
		clear_queue();
		return fail(E2BIG, "more than %d mounts queued for one node", MAX_QUEUED);
	}
	struct queued *q = &g_queue[g_nqueued++];
	q->kind = kind;
	q->a = a ? strdup(a) : NULL;
	q->b = b ? strdup(b) : NULL;
	q->c = c ? strdup(c) : NULL;
	q->fa = -1;
	return 0;
}

/* Back to the host's mount namespace; the agent must never go on elsewhere. */
static void host_mnt(void)
{
	if (setns(g_host_mnt, CLONE_NEWNS) < 0) {
		perror("nsagent: cannot return to the host's mount namespace");
		exit(2);
	}
}

static int mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	if (strlen(path) >= sizeof buf || path[0] != '/')
		return fail(EINVAL, "invalid directory \"%s\"", path);
	strcpy(buf, path);
	for (char *s = buf + 1;; s++) {
		if (*s == '/' || !*s) {
			char c = *s;
			*s = 0;
			if (mkdir(buf, c ? 0755 : mode) < 0 && errno != EEXIST)
				return fail_errno("mkdir %s", buf);
			if (!c)
				return 0;
			*s = c;
		}
	}
}

int cmd_mkfs(char **a)
{
	char data[64];
	if (mkdir_p(a[0], 0700) < 0)
		return -1;
	if (strlen(a[1]) > 200 || strchr(a[1], ','))
		return fail(EINVAL, "invalid file system name \"%s\"", a[1]);
	snprintf(data, sizeof data, "mode=700,size=10%%");
	if (mount(a[1], a[0], "tmpfs", MS_NOSUID | MS_NODEV, data) < 0)
		return fail_errno("mount -t tmpfs %s %s", a[1], a[0]);
	if (mount(NULL, a[0], NULL, MS_PRIVATE, NULL) < 0) {
		int err = errno;
		umount2(a[0], MNT_DETACH);
		errno = err;
		return fail_errno("mount --make-private %s", a[0]);
	}
	return 0;
}

/* An optional uid/gid field: "-" is none (-1). */
static int id_arg(const char *s, long *out)
{
	char *end;
	if (!strcmp(s, "-")) {
		*out = -1;
		return 0;
	}
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || !*s || *end || v > 0xfffffffful)
		return fail(EINVAL, "invalid user or group id \"%s\"", s);
	*out = (long)v;
	return 0;
}

int cmd_mkdir(char **a)
{
	char *end;
	errno = 0;
	unsigned long mode = strtoul(a[1], &end, 10);
	if (errno || !*a[1] || *end || mode > 07777)
		return fail(EINVAL, "invalid mode \"%s\"", a[1]);
	long uid, gid;
	if (id_arg(a[2], &uid) < 0 || id_arg(a[3], &gid) < 0)
		return -1;
	if (mkdir_p(a[0], 0755) < 0)
		return -1;
	struct stat st;
	if (stat(a[0], &st) < 0)
		return fail_errno("stat %s", a[0]);
	if (!S_ISDIR(st.st_mode))
		return fail(ENOTDIR, "%s exists and is not a directory", a[0]);
	if (chmod(a[0], (mode_t)mode) < 0)
		return fail_errno("chmod %lo %s", mode, a[0]);
	if (uid >= 0 && chown(a[0], (uid_t)uid, gid >= 0 ? (gid_t)gid : (gid_t)-1) < 0)
		return fail_errno("chown %ld:%ld %s", uid, gid, a[0]);
	return 0;
}

/*
 * Whether `got` (where an existing /etc/netns/NS/hosts points) is what a lab of the same state
 * directory left behind when its file system went without a `down` (a reboot, most often): a link
 * to FSROOT/LAB/hosts, FSROOT being that of `ours` (FSROOT/THISLAB/hosts), that leads nowhere.
 */
static int stale_hosts_link(const char *got, const char *ours)
{
	const char *lab = strrchr(ours, '/');
	if (!lab || lab == ours)
		return 0;
	const char *p = lab - 1;
	while (p > ours && *p != '/')
		p--;
	size_t root = (size_t)(p - ours) + 1; /* FSROOT/ */
	if (*p != '/' || strncmp(got, ours, root))
		return 0;
	const char *rest = got + root, *slash = strchr(rest, '/');
	if (!slash || slash == rest || strcmp(slash, "/hosts") || !strncmp(rest, "../", 3) || !strncmp(rest, "./", 2))
		return 0;
	struct stat st;
	return stat(got, &st) < 0 && errno == ENOENT;
}

int cmd_hostslink(char **a)
{
	char link[PATH_MAX], got[PATH_MAX];
	if (snprintf(link, sizeof link, "%s/hosts", a[0]) >= (int)sizeof link)
		return fail(ENAMETOOLONG, "invalid directory \"%s\"", a[0]);
	/* Another lab's down may remove an empty parent between the two steps: then once more. A
	 * leftover of a lab whose file system is gone is replaced (once). */
	for (int attempt = 0, replaced = 0;; attempt++) {
		if (mkdir_p(a[0], 0755) < 0)
			return -1;
		if (symlink(a[1], link) == 0)
			return 0;
		if (errno == ENOENT && attempt < 2)
			continue;
		if (errno != EEXIST)
			return fail_errno("ln -s %s %s", a[1], link);
		ssize_t n = readlink(link, got, sizeof got - 1);
		if (n < 0)
			break;
		got[n] = 0;
		if (!strcmp(got, a[1]))
			return 0;
		if (replaced || !stale_hosts_link(got, a[1]))
			break;
		if (unlink(link) < 0 && errno != ENOENT)
			return fail_errno("rm %s (a link left by a lab that is gone: %s)", link, got);
		replaced = 1;
	}
	return fail(EEXIST, "%s exists already and is not this lab's (remove it if it is stale)", link);
}

int cmd_umnt(char **a)
{
	struct mount_entry m;
	int found = mountinfo_find(a[0], &m);
	if (found < 0)
		return -1;
	if (!found) {
		if (rmdir(a[0]) < 0 && errno != ENOENT)
			return fail_errno("rmdir %s", a[0]);
		return fail(ENOENT, "No such file system: nothing is mounted on %s", a[0]);
	}
	if (strcmp(m.fstype, "tmpfs") || strcmp(m.source, a[1]))
		return fail(EPERM, "%s is not marked \"%s\" (it is a %s named \"%s\")", a[0], a[1], m.fstype,
			    m.source);
	if (umount2(a[0], MNT_DETACH) < 0)
		return fail_errno("umount -l %s", a[0]);
	if (rmdir(a[0]) < 0 && errno != ENOENT)
		return fail_errno("rmdir %s", a[0]);
	return 0;
}

struct detach_ctx {
	const char *root, *keep;
	size_t len;
	char **points;
	int n;
};

static int collect(const struct mount_entry *m, void *ctx)
{
	struct detach_ctx *c = ctx;
	int below = !strncmp(m->point, c->root, c->len) && (m->point[c->len] == '/' || !m->point[c->len]);
	if (below && !strcmp(m->point, c->keep))
		return 0;
	if ((below || !strcmp(m->point, "/run/netns")) && c->n < MAX_DETACH)
		c->points[c->n++] = strdup(m->point);
	return 0;
}

int cmd_mnttmpl(char **a)
{
	if (g_host_mnt < 0) {
		g_host_mnt = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
		if (g_host_mnt < 0)
			return fail_errno("open /proc/self/ns/mnt");
	}
	if (g_tmpl >= 0)
		close(g_tmpl);
	g_tmpl = -1;
	if (a[0][0] != '/' || !strcmp(a[0], "/"))
		return fail(EINVAL, "invalid lab file system root \"%s\"", a[0]);
	if (unshare(CLONE_NEWNS) < 0)
		return fail_errno("unshare --mount");
	int rc = 0;
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		rc = fail_errno("mount --make-rslave /");
	struct detach_ctx c = { a[0], a[1], strlen(a[0]), calloc(MAX_DETACH, sizeof(char *)), 0 };
	if (rc == 0 && !c.points)
		rc = fail(ENOMEM, "out of memory");
	if (rc == 0 && mountinfo_each(collect, &c) < 0)
		rc = -1;
	/* Detaching a mount takes everything below it: later ones may be gone already (EINVAL). */
	for (int i = 0; i < c.n; i++) {
		if (rc == 0 && umount2(c.points[i], MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
			rc = fail_errno("umount -l %s", c.points[i]);
		free(c.points[i]);
	}
	free(c.points);
	if (rc == 0) {
		g_tmpl = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
		if (g_tmpl < 0)
			rc = fail_errno("open the template's ns/mnt");
	}
	host_mnt();
	return rc;
}

int cmd_mntbind(char **a)
{
	if (a[0][0] != '/' || a[1][0] != '/') {
		g_queue_broken = 1;
		return fail(EINVAL, "mntbind takes absolute paths");
	}
	return enqueue(Q_BIND, a[0], a[1], NULL);
}

int cmd_mntover(char **a)
{
	g_queue_broken = 1;
	if (a[0][0] != '/' || a[1][0] != '/' || a[2][0] != '/')
		return fail(EINVAL, "mntover takes absolute paths");
	if (strpbrk(a[0], ",:\\") || strpbrk(a[1], ",:\\") || strpbrk(a[2], ",:\\"))
		return fail(EINVAL, "an overlay's directories cannot contain ',', ':' or '\\': %s", a[0]);
	g_queue_broken = 0;
	return enqueue(Q_OVERLAY, a[0], a[1], a[2]);
}

int cmd_mntsys(char **a)
{
	(void)a;
	return enqueue(Q_SYSFS, NULL, NULL, NULL);
}

/*
 * Inside the node's new namespace (a copy of the template, which still has this lab's file system):
 * every bind source and the lab's file system are opened first (a bind over /run may hide them),
 * then the overlays, binds and sysfs in order; last the lab's file system is detached through its
 * descriptor, so the node sees none of it.
 */
static int node_mounts(const char *labfs)
{
	char src[64], data[3 * PATH_MAX + 64];
	int rc = 0, lab = open(labfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (lab < 0)
		return fail_errno("open %s (in the node)", labfs);
	for (int i = 0; i < g_nqueued && rc == 0; i++) {
		struct queued *q = &g_queue[i];
		if (q->kind != Q_BIND)
			continue;
		if (q->fa >= 0)
			close(q->fa); /* a previous attempt's (make_and_bind on another CPU) */
		if ((q->fa = open(q->a, O_PATH | O_CLOEXEC)) < 0)
			rc = fail_errno("open %s", q->a);
	}
	for (int i = 0; i < g_nqueued && rc == 0; i++) {
		struct queued *q = &g_queue[i];
		if (q->kind == Q_SYSFS) {
			if (umount2("/sys", MNT_DETACH) < 0 && errno != EINVAL)
				rc = fail_errno("umount -l /sys");
			else if (mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
				rc = fail_errno("mount -t sysfs sysfs /sys");
		} else if (q->kind == Q_OVERLAY) {
			snprintf(data, sizeof data, "lowerdir=%s,upperdir=%s,workdir=%s", q->a, q->b, q->c);
			if (mount("overlay", q->a, "overlay", 0, data) < 0)
				rc = fail_errno("mount -t overlay overlay -o %s %s", data, q->a);
		} else {
			snprintf(src, sizeof src, "/proc/self/fd/%d", q->fa);
			if (mount(src, q->b, NULL, MS_BIND, NULL) < 0)
				rc = fail_errno("mount --bind %s %s", q->a, q->b);
		}
	}
	snprintf(src, sizeof src, "/proc/self/fd/%d", lab);
	if (rc == 0 && umount2(src, MNT_DETACH) < 0)
		rc = fail_errno("umount -l %s (in the node)", labfs);
	close(lab);
	return rc;
}

/* Remove what is at FILE: a kept namespace (detached) and the file itself. */
static int release_file(const char *file)
{
	umount2(file, MNT_DETACH); /* fails harmlessly when nothing is bound there */
	if (unlink(file) < 0)
		return errno == ENOENT ? 0 : fail_errno("rm %s", file);
	return 0;
}

/* The last make_and_bind failed only because the kernel refused the bind with EINVAL. */
static int g_bind_einval;

/*
 * Make a node's mount namespace (the template's copy with the node's mounts, in network namespace
 * netfd) and bind it onto file; back in the host's namespaces after. cpu >= 0: a retry on that CPU
 * (said in the error). The namespace dies with its descriptor when the bind fails.
 */
static int make_and_bind(int netfd, const char *name, const char *file, const char *labfs, int cpu)
{
	int rc = -1, mntfd = -1;
	g_bind_einval = 0;
	if (setns(netfd, CLONE_NEWNET) < 0) {
		fail_errno("setns %s", name);
	} else if (setns(g_tmpl, CLONE_NEWNS) < 0) {
		fail_errno("setns (mount template)");
	} else if (unshare(CLONE_NEWNS) < 0) {
		fail_errno("unshare --mount");
	} else if (node_mounts(labfs) == 0) {
		mntfd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
		if (mntfd < 0)
			fail_errno("open the node's ns/mnt");
		else
			rc = 0;
	}
	host_mnt();
	if (ns_leave() < 0)
		rc = -1;
	if (rc == 0) {
		char src[64];
		snprintf(src, sizeof src, "/proc/self/fd/%d", mntfd);
		if (mount(src, file, NULL, MS_BIND, NULL) < 0) {
			g_bind_einval = errno == EINVAL;
			if (cpu >= 0)
				rc = fail_errno("mount --bind (mount namespace of %s, made on CPU %d) %s", name, cpu, file);
			else
				rc = fail_errno("mount --bind (mount namespace of %s) %s", name, file);
		}
	}
	if (mntfd >= 0)
		close(mntfd);
	return rc;
}

int cmd_mkmnt(char **a)
{
	int rc = -1, netfd = -1;
	if (g_tmpl < 0) {
		fail(EINVAL, "no mount template (send mnttmpl first)");
		goto out;
	}
	if (g_queue_broken) {
		fail(EINVAL, "a mount request for this node was refused; the namespace is not made");
		goto out;
	}
	if (ns_root() < 0)
		goto out;
	netfd = ns_open(a[0]);
	if (netfd < 0 || release_file(a[1]) < 0)
		goto out;
	int f = open(a[1], O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (f < 0) {
		fail_errno("create %s", a[1]);
		goto out;
	}
	close(f);
	rc = make_and_bind(netfd, a[0], a[1], a[2], -1);
	if (rc < 0 && g_bind_einval) {
		/*
		 * The kernel refuses to bind a mount namespace that is not newer than the caller's own
		 * (a loop guard comparing namespace ids). Outside the initial mount namespace (nslab in a
		 * container, or a machine simulated with unshare) that order is not guaranteed: on Linux
		 * 6.18 namespace ids are not in creation order across CPUs (per-CPU batches, we believe),
		 * so a namespace made on one CPU can get a smaller id than an older one made on another (measured: made on the other CPU,
		 * every bind failed; on the same CPU, none). Make the node's namespace again on each CPU
		 * until one is newer.
		 */
		cpu_set_t was, one;
		long cpus = sysconf(_SC_NPROCESSORS_CONF);
		if (sched_getaffinity(0, sizeof was, &was) == 0) {
			/* Every CPU, also those outside the agent's mask (a taskset): root may move there. */
			for (long cpu = 0; cpu < cpus && cpu < CPU_SETSIZE && rc < 0 && g_bind_einval; cpu++) {
				CPU_ZERO(&one);
				CPU_SET((size_t)cpu, &one);
				if (sched_setaffinity(0, sizeof one, &one) == 0)
					rc = make_and_bind(netfd, a[0], a[1], a[2], (int)cpu);
			}
			sched_setaffinity(0, sizeof was, &was);
		}
	}
	if (rc < 0)
		unlink(a[1]); /* a half-made namespace dies with its last reference, just below */
out:
	if (netfd >= 0)
		close(netfd);
	clear_queue();
	return rc;
}

int cmd_delmnt(char **a)
{
	if (a[0][0] != '/')
		return fail(EINVAL, "delmnt takes an absolute path");
	struct stat st;
	if (lstat(a[0], &st) < 0)
		return fail_errno("No such file: %s", a[0]);
	return release_file(a[0]);
}
