/* `nsagent supervise DIR`: a lab's service supervisor (supervise.h). */
#define _GNU_SOURCE
#include "supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "svc.h"

#define STOP_GRACE_S 3.0    /* SIGTERM → SIGKILL of the services at stop */
#define HOUSEKEEP_S 2.0     /* how often logs are capped and the lab's presence checked */
#define LOG_CAP (16L << 20) /* a log past this size is cut back to nothing (with a note) */

static char g_dir[PATH_MAX - 32];
static long g_orphans; /* processes reaped that were not services (daemons that forked away) */
static int g_stopping;

static void path_in(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", g_dir, name);
}

/* A JSON string literal (the few characters that need it escaped). */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* DIR/status.json, replaced atomically (written beside it, then renamed). */
static void write_status(void)
{
	char tmp[PATH_MAX], final[PATH_MAX];
	path_in(tmp, sizeof tmp, "status.json.tmp");
	path_in(final, sizeof final, "status.json");
	FILE *f = fopen(tmp, "we");
	if (!f)
		return;
	fprintf(f, "{\"supervisor\":%d,\"stopping\":%s,\"updated\":%.3f,\"reapedOrphans\":%ld,\"services\":[",
		getpid(), g_stopping ? "true" : "false", wall_now(), g_orphans);
	for (int i = 0, first = 1; i < g_nsvcs; i++) {
		struct svc *s = &g_svcs[i];
		if (s->dropped && s->pid <= 0)
			continue; /* removed from the lab and ended */
		fprintf(f, "%s\n{\"id\":", first ? "" : ",");
		first = 0;
		json_str(f, s->id);
		fprintf(f, ",\"state\":\"%s\",\"pid\":%d,\"restarts\":%d,\"since\":%.3f", svc_state_name(s->state),
			s->pid, s->restarts, s->since);
		if (s->state != SVC_RUNNING)
			fprintf(f, ",\"exitCode\":%d,\"signal\":%d", s->exit_code, s->signal);
		if (s->state == SVC_BACKOFF)
			fprintf(f, ",\"restartInMs\":%.0f", (s->next_start - mono_now()) * 1000);
		if (s->why) {
			fprintf(f, ",\"why\":");
			json_str(f, s->why);
		}
		fputc('}', f);
	}
	fprintf(f, "]}\n");
	int bad = fflush(f) != 0;
	fclose(f);
	if (!bad)
		rename(tmp, final);
}

/* DIR/supervisor: "PID STARTTIME" (field 22 of /proc/self/stat), so `down` can find and check it. */
static void write_pidfile(void)
{
	char stat[1024] = "", tmp[PATH_MAX], final[PATH_MAX];
	FILE *s = fopen("/proc/self/stat", "re");
	if (s) {
		if (!fgets(stat, sizeof stat, s))
			stat[0] = 0;
		fclose(s);
	}
	char *p = strrchr(stat, ')');
	unsigned long long start = 0;
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (p)
		start = strtoull(p + 1, NULL, 10);
	path_in(tmp, sizeof tmp, "supervisor.tmp");
	path_in(final, sizeof final, "supervisor");
	FILE *f = fopen(tmp, "we");
	if (!f)
		return;
	fprintf(f, "%d %llu\n", getpid(), start);
	fclose(f);
	rename(tmp, final);
}

static void reap(void)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		int mine = 0;
		for (int i = 0; i < g_nsvcs; i++)
			if (g_svcs[i].pid == pid) {
				svc_exited(&g_svcs[i], status, g_stopping);
				mine = 1;
			}
		if (!mine)
			g_orphans++;
	}
}

static int active(void)
{
	int n = 0;
	for (int i = 0; i < g_nsvcs; i++)
		n += g_svcs[i].pid > 0 || g_svcs[i].state == SVC_BACKOFF;
	return n;
}

/* Logs over the cap are cut back; returns whether any of the lab's namespaces is still there. */
static int housekeep(void)
{
	int lab = 0;
	for (int i = 0; i < g_nsvcs; i++) {
		struct svc *s = &g_svcs[i];
		struct stat st;
		if (stat(s->log, &st) == 0 && st.st_size > LOG_CAP && truncate(s->log, 0) == 0)
			svc_note(s, "log cut back: it passed %ld MiB", LOG_CAP >> 20);
		lab |= access(s->net, F_OK) == 0;
	}
	return lab;
}

static void begin_stop(void)
{
	g_stopping = 1;
	for (int i = 0; i < g_nsvcs; i++) {
		struct svc *s = &g_svcs[i];
		if (s->pid > 0)
			kill(-s->pid, SIGTERM);
		else if (s->state == SVC_BACKOFF) {
			s->state = SVC_STOPPED;
			s->since = wall_now();
			svc_note(s, "%s stopped (it was waiting to restart)", s->id);
		}
	}
}

int supervise_main(int argc, char **argv)
{
	if (argc != 1 || strlen(argv[0]) >= sizeof g_dir) {
		fprintf(stderr, "usage: nsagent supervise DIR\n");
		return 64;
	}
	strcpy(g_dir, argv[0]);
	char spec[PATH_MAX];
	path_in(spec, sizeof spec, "spec");
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	sigset_t set;
	sigemptyset(&set);
	for (int sig = 0, sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP }; sig < 4; sig++)
		sigaddset(&set, sigs[sig]);
	sigprocmask(SIG_BLOCK, &set, NULL);
	int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		perror("nsagent supervise: signalfd");
		return 1;
	}
	write_pidfile();
	if (svc_load(spec, STOP_GRACE_S) < 0) {
		fprintf(stderr, "nsagent supervise: cannot read %s: %s\n", spec, strerror(errno));
		return 1;
	}
	write_status();
	double kill_at = 0, housekeep_at = mono_now() + HOUSEKEEP_S;
	for (;;) {
		double now = mono_now(), next = now + HOUSEKEEP_S;
		int changed = 0;
		for (int i = 0; i < g_nsvcs && !g_stopping; i++) {
			struct svc *s = &g_svcs[i];
			if (s->state != SVC_BACKOFF)
				continue;
			if (s->next_start <= now) {
				s->restarts++;
				svc_start(s);
				changed = 1;
			} else if (s->next_start < next) {
				next = s->next_start;
			}
		}
		/* Services stopped by a reload (redefined, removed) that outlive their grace. */
		for (int i = 0; i < g_nsvcs && !g_stopping; i++) {
			struct svc *s = &g_svcs[i];
			if (s->pid <= 0 || !(s->respawn || s->dropped))
				continue;
			if (now >= s->kill_at) {
				kill(-s->pid, SIGKILL);
				s->kill_at = now + 3600;
			}
			if (s->kill_at < next)
				next = s->kill_at;
		}
		if (g_stopping) {
			if (active() == 0)
				break;
			if (now >= kill_at) {
				for (int i = 0; i < g_nsvcs; i++)
					if (g_svcs[i].pid > 0)
						kill(-g_svcs[i].pid, SIGKILL);
				kill_at = now + 3600;
			}
			if (kill_at < next)
				next = kill_at;
		}
		if (now >= housekeep_at) {
			housekeep_at = now + HOUSEKEEP_S;
			if (!housekeep() && active() == 0)
				break; /* the lab is gone and nothing runs: nobody needs this supervisor */
		}
		if (changed)
			write_status();
		struct pollfd pfd = { sfd, POLLIN, 0 };
		int ms = (int)((next - mono_now()) * 1000) + 1;
		if (poll(&pfd, 1, ms < 0 ? 0 : ms) <= 0)
			continue;
		struct signalfd_siginfo si;
		while (read(sfd, &si, sizeof si) == sizeof si) {
			if (si.ssi_signo == SIGHUP && !g_stopping) {
				if (svc_load(spec, STOP_GRACE_S) < 0)
					fprintf(stderr, "nsagent supervise: cannot read %s: %s\n", spec, strerror(errno));
			} else if ((si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) && !g_stopping) {
				begin_stop();
				kill_at = mono_now() + STOP_GRACE_S;
			}
		}
		reap();
		write_status();
	}
	reap();
	write_status();
	return 0;
}
