/* The supervisor's services: their spec lines, starting one in its node, its exit and back-off. */
#ifndef NSAGENT_SVC_H
#define NSAGENT_SVC_H

#include <sys/types.h>

#define SVC_MAX 1024

enum svc_state { SVC_RUNNING, SVC_BACKOFF, SVC_EXITED, SVC_FAILED, SVC_STOPPED };

struct svc {
	char *line; /* its spec line as read (what a reload compares) */
	char *id, *net, *mnt, *log, *restart, *cwd;
	char **env;  /* NULL-terminated, the fixed base first */
	char **argv; /* NULL-terminated */
	pid_t pid;   /* 0 when not running */
	enum svc_state state;
	int exit_code, signal, restarts, streak;
	double since;      /* wall clock (s) of the last change */
	double started;    /* monotonic (s) of the last start */
	double next_start; /* monotonic (s) of the restart waited for (backoff) */
	char *why;         /* why it failed to start, when it did */
	int respawn;       /* redefined while running: started again, as now defined, once it ended */
	int dropped;       /* no longer in the spec: stopped, then left out of the status */
	double kill_at;    /* monotonic (s): SIGKILL if it still runs (respawn, dropped) */
};

extern struct svc g_svcs[SVC_MAX];
extern int g_nsvcs;

/* Read the spec file: services not known yet (by id) are added and started; a known one whose line
 * differs is redefined — started again now if it does not run, else sent SIGTERM and started again
 * once it ended (SIGKILL after `grace` s); a known one the file no longer has is stopped the same
 * way and then dropped. Returns how many services were added, started or stopped, -1 when the file
 * cannot be read. Bad lines are reported on stderr and skipped. */
int svc_load(const char *spec, double grace);

/* Start (or restart) a service in its node. */
void svc_start(struct svc *s);

/* A service's process ended with `status`; `stopping`: the supervisor is stopping (no restarts). */
void svc_exited(struct svc *s, int status, int stopping);

/* Append a line "[nslab] …" to a service's log. */
void svc_note(const struct svc *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The name of a state, as status.json says it. */
const char *svc_state_name(enum svc_state st);

double mono_now(void);
double wall_now(void);

#endif
