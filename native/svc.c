/* The supervisor's services (svc.h). */
#define _GNU_SOURCE
#include "svc.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Restart back-off: the first wait, its doubling cap, the run time that resets it, the give-up. */
#define BACKOFF_FIRST_S 0.25
#define BACKOFF_MAX_S 8.0
#define BACKOFF_RESET_S 10.0
#define MAX_STREAK 8

static const char *const BASE_ENV[] = {
	"PATH=/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/sbin:/usr/local/bin",
	"LANG=C.UTF-8",
	"HOME=/root",
};
#define NBASE (sizeof BASE_ENV / sizeof *BASE_ENV)

struct svc g_svcs[SVC_MAX];
int g_nsvcs;

double mono_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

double wall_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

const char *svc_state_name(enum svc_state st)
{
	static const char *const names[] = { "running", "backoff", "exited", "failed", "stopped" };
	return names[st];
}

/* Undo the spec's escapes in place (\t, \n, \\). */
static void unescape(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (*r == '\\' && r[1]) {
			r++;
			*w++ = *r == 't' ? '\t' : *r == 'n' ? '\n' : *r;
		} else {
			*w++ = *r;
		}
	}
	*w = 0;
}

static struct svc *find(const char *id)
{
	for (int i = 0; i < g_nsvcs; i++)
		if (!strcmp(g_svcs[i].id, id))
			return &g_svcs[i];
	return NULL;
}

static void free_def(struct svc *s)
{
	free(s->line);
	free(s->net);
	free(s->mnt);
	free(s->log);
	free(s->restart);
	free(s->cwd);
	for (char **p = s->env; p && *p; p++)
		free(*p);
	free(s->env);
	for (char **p = s->argv; p && *p; p++)
		free(*p);
	free(s->argv);
}

/* Stop a service that no longer runs as defined (redefined, dropped): SIGTERM now, SIGKILL at kill_at. */
static void stop_for_reload(struct svc *s, double grace)
{
	kill(-s->pid, SIGTERM);
	s->kill_at = mono_now() + grace;
}

/* Services of the spec being read, by index into g_svcs (what a reload did not meet is dropped). */
static unsigned char g_seen[SVC_MAX];

/* One spec line (its newline removed): a service added (1), redefined (1), the same (0), bad (-1). */
static int parse_line(char *line, double grace)
{
	char *copy = strdup(line);
	char *f[4096];
	int n = 0;
	for (char *p = line; n < 4096;) {
		f[n++] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = 0;
	}
	for (int i = 0; i < n; i++)
		unescape(f[i]);
	int nenv = n >= 9 ? atoi(f[7]) : -1;
	if (n < 9 || strcmp(f[0], "svc") || nenv < 0 || 8 + nenv >= n ||
	    (strcmp(f[5], "no") && strcmp(f[5], "on-failure") && strcmp(f[5], "always"))) {
		free(copy);
		return -1;
	}
	struct svc *s = find(f[1]);
	if (s) {
		g_seen[s - g_svcs] = 1;
		if (!s->dropped && !strcmp(s->line, copy)) {
			free(copy);
			return 0;
		}
		/* Redefined (or dropped earlier and back): the new definition replaces the old now; a
		 * process of the old one is stopped (a dropped one was already) and the service started
		 * again once it ended, else svc_load starts it. */
		free_def(s);
		s->streak = 0;
		if (s->pid > 0) {
			if (!s->dropped)
				stop_for_reload(s, grace);
			s->respawn = 1;
		} else {
			s->state = SVC_STOPPED;
		}
		s->dropped = 0;
	} else {
		if (g_nsvcs == SVC_MAX) {
			free(copy);
			return -1;
		}
		s = &g_svcs[g_nsvcs];
		memset(s, 0, sizeof *s);
		s->id = strdup(f[1]);
		s->state = SVC_STOPPED;
		g_seen[g_nsvcs] = 1;
		g_nsvcs++;
	}
	s->line = copy;
	s->net = strdup(f[2]);
	s->mnt = strcmp(f[3], "-") ? strdup(f[3]) : NULL;
	s->log = strdup(f[4]);
	s->restart = strdup(f[5]);
	s->cwd = strdup(strcmp(f[6], "-") ? f[6] : "/");
	s->env = calloc(NBASE + (size_t)nenv + 1, sizeof(char *));
	for (size_t i = 0; i < NBASE; i++)
		s->env[i] = strdup(BASE_ENV[i]);
	for (int i = 0; i < nenv; i++)
		s->env[NBASE + (size_t)i] = strdup(f[8 + i]);
	int nargv = n - 8 - nenv;
	s->argv = calloc((size_t)nargv + 1, sizeof(char *));
	for (int i = 0; i < nargv; i++)
		s->argv[i] = strdup(f[8 + nenv + i]);
	return 1;
}

int svc_load(const char *spec, double grace)
{
	FILE *f = fopen(spec, "re");
	if (!f)
		return -1;
	memset(g_seen, 0, sizeof g_seen);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int changed = 0;
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[len - 1] = 0;
		if (!*line)
			continue;
		int rc = parse_line(line, grace);
		if (rc < 0)
			fprintf(stderr, "nsagent supervise: %s: a line is not a service (ignored)\n", spec);
		else
			changed += rc;
	}
	free(line);
	fclose(f);
	for (int i = 0; i < g_nsvcs; i++) {
		struct svc *s = &g_svcs[i];
		if (g_seen[i] || s->dropped)
			continue;
		/* No longer in the spec: stopped (no restart), then left out of the status. */
		s->dropped = 1;
		s->respawn = 0;
		changed++;
		if (s->pid > 0) {
			stop_for_reload(s, grace);
		} else {
			if (s->state == SVC_BACKOFF)
				svc_note(s, "%s stopped (removed from the lab while it waited to restart)", s->id);
			s->state = SVC_STOPPED;
			s->since = wall_now();
		}
	}
	/* What is (re)defined and not running starts now. */
	for (int i = 0; i < g_nsvcs; i++) {
		struct svc *s = &g_svcs[i];
		if (!s->dropped && !s->respawn && s->pid == 0 && s->state == SVC_STOPPED)
			svc_start(s);
	}
	return changed;
}

void svc_note(const struct svc *s, const char *fmt, ...)
{
	int fd = open(s->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	dprintf(fd, "[nslab] %s\n", text);
	close(fd);
}

/* In the child: become the service (never returns). */
static void become(const struct svc *s, int logfd, int netfd, int mntfd)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	setsid();
	int devnull = open("/dev/null", O_RDONLY);
	if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0)
		_exit(125);
	if (mntfd >= 0 && setns(mntfd, CLONE_NEWNS) < 0) {
		dprintf(2, "[nslab] cannot enter the node's mount namespace: %s\n", strerror(errno));
		_exit(125);
	}
	if (setns(netfd, CLONE_NEWNET) < 0) {
		dprintf(2, "[nslab] cannot enter the node's network namespace: %s\n", strerror(errno));
		_exit(125);
	}
	if (chdir(s->cwd) < 0) {
		dprintf(2, "[nslab] cannot change to %s in the node: %s\n", s->cwd, strerror(errno));
		_exit(125);
	}
	execvpe(s->argv[0], s->argv, s->env);
	int err = errno;
	dprintf(2, "[nslab] cannot run %s: %s\n", s->argv[0], strerror(err));
	_exit(err == ENOENT ? 127 : 126);
}

void svc_start(struct svc *s)
{
	int logfd = open(s->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	int netfd = open(s->net, O_RDONLY | O_CLOEXEC);
	int mntfd = s->mnt ? open(s->mnt, O_RDONLY | O_CLOEXEC) : -1;
	const char *missing = logfd < 0 ? s->log : netfd < 0 ? s->net : s->mnt && mntfd < 0 ? s->mnt : NULL;
	int err = errno;
	pid_t pid = -1;
	if (!missing) {
		pid = fork();
		if (pid == 0)
			become(s, logfd, netfd, mntfd);
		err = errno;
	}
	s->since = wall_now();
	if (pid > 0) {
		dprintf(logfd, "[nslab] started %s (pid %d%s)\n", s->id, pid,
			s->restarts ? ", a restart" : "");
		s->pid = pid;
		s->state = SVC_RUNNING;
		s->started = mono_now();
	} else {
		char why[512];
		snprintf(why, sizeof why, "cannot start: %s%s%s", missing ? missing : "fork", ": ", strerror(err));
		free(s->why);
		s->why = strdup(why);
		s->state = SVC_FAILED;
		s->exit_code = 125;
		if (logfd >= 0)
			dprintf(logfd, "[nslab] %s\n", why);
	}
	if (logfd >= 0)
		close(logfd);
	if (netfd >= 0)
		close(netfd);
	if (mntfd >= 0)
		close(mntfd);
}

void svc_exited(struct svc *s, int status, int stopping)
{
	s->pid = 0;
	s->since = wall_now();
	s->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	s->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	int failed = !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	char how[64];
	if (s->signal)
		snprintf(how, sizeof how, "killed by signal %d (%s)", s->signal, strsignal(s->signal));
	else
		snprintf(how, sizeof how, "exited with code %d", s->exit_code);
	if (stopping || s->dropped) {
		s->state = SVC_STOPPED;
		svc_note(s, "%s %s (stopped%s)", s->id, how, s->dropped && !stopping ? ": removed from the lab" : "");
		return;
	}
	if (s->respawn) {
		/* Redefined while it ran: started again at once, as it is now defined. */
		s->respawn = 0;
		svc_note(s, "%s %s (stopped: redefined)", s->id, how);
		s->restarts++;
		svc_start(s);
		return;
	}
	if (mono_now() - s->started >= BACKOFF_RESET_S)
		s->streak = 0;
	int again = !strcmp(s->restart, "always") || (failed && !strcmp(s->restart, "on-failure"));
	if (!again) {
		s->state = SVC_EXITED;
		svc_note(s, "%s %s", s->id, how);
		return;
	}
	if (++s->streak > MAX_STREAK) {
		s->state = SVC_FAILED;
		svc_note(s, "%s %s; not restarted again after %d restarts in a row", s->id, how, MAX_STREAK);
		return;
	}
	double delay = BACKOFF_FIRST_S;
	for (int k = 1; k < s->streak && delay < BACKOFF_MAX_S; k++)
		delay *= 2;
	if (delay > BACKOFF_MAX_S)
		delay = BACKOFF_MAX_S;
	s->state = SVC_BACKOFF;
	s->next_start = mono_now() + delay;
	svc_note(s, "%s %s; restarting in %.0f ms", s->id, how, delay * 1000);
}
