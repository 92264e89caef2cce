/* The line protocol: a request's fields, the command table, the reply, stop-on-error (protocol.h). */
#define _GNU_SOURCE
#include "protocol.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "bridgedump.h"
#include "dump.h"
#include "link.h"
#include "mntns.h"
#include "netns.h"
#include "nft.h"
#include "ping.h"
#include "result.h"
#include "route.h"

#define MAX_ARGS 13

static int g_stop_on_error; /* `set stop-on-error 1` */
static int g_skipping;      /* an error happened under stop-on-error: skip until `resume` */

/* set stop-on-error 0|1 */
static int cmd_set(char **a)
{
	if (strcmp(a[0], "stop-on-error"))
		return fail(EINVAL, "unknown setting: %s", a[0]);
	if (strcmp(a[1], "0") && strcmp(a[1], "1"))
		return fail(EINVAL, "stop-on-error takes 0 or 1");
	g_stop_on_error = a[1][0] == '1';
	return 0;
}

/* resume: stop skipping after an error under stop-on-error. */
static int cmd_resume(char **a)
{
	(void)a;
	g_skipping = 0;
	return 0;
}

struct command {
	const char *op;
	int nargs;
	int scoped; /* runs in the current namespace: refused while poisoned */
	int (*run)(char **args);
};

static const struct command commands[] = {
	{ "root", 0, 0, cmd_root },       { "ns", 1, 0, cmd_ns },
	{ "mkns", 2, 0, cmd_mkns },       { "delns", 1, 0, cmd_delns },
	{ "up", 1, 1, cmd_up },           { "down", 1, 1, cmd_down },
	{ "alias", 2, 1, cmd_alias },
	{ "linkset", 3, 1, cmd_linkset },
	{ "vethadd", 13, 1, cmd_vethadd }, { "bridgeadd", 4, 1, cmd_bridgeadd },     { "mtu", 2, 1, cmd_mtu },
	{ "mac", 2, 1, cmd_mac },         { "addr", 2, 1, cmd_addr },
	{ "addrgen", 2, 1, cmd_addrgen },
	{ "deladdr", 2, 1, cmd_deladdr }, { "route", 4, 1, cmd_route },
	{ "delroute", 4, 1, cmd_delroute }, { "dellink", 1, 1, cmd_dellink },
	{ "delgroup", 1, 1, cmd_delgroup },
	{ "sysctl", 2, 1, cmd_sysctl },   { "txoff", 1, 1, cmd_txoff },
	{ "dump", 0, 1, cmd_dump },       { "getlink", 1, 1, cmd_getlink },
	{ "grouplinks", 1, 1, cmd_grouplinks }, { "sysgroup", 1, 0, cmd_sysgroup }, { "sysaliases", 0, 0, cmd_sysaliases }, { "nfttables", 0, 1, cmd_nfttables },
	{ "nftrules", 2, 1, cmd_nftrules },
	{ "delown", 2, 0, cmd_delown },   { "pingadd", 3, 0, cmd_pingadd },
	{ "pingrun", 2, 0, cmd_pingrun }, { "neighflush", 0, 1, cmd_neighflush },
	{ "mkfs", 2, 0, cmd_mkfs },       { "umnt", 2, 0, cmd_umnt },
	{ "mkdir", 4, 0, cmd_mkdir },     { "hostslink", 2, 0, cmd_hostslink },
	{ "mnttmpl", 2, 0, cmd_mnttmpl }, { "mntbind", 2, 0, cmd_mntbind },
	{ "mntover", 3, 0, cmd_mntover }, { "mntsys", 0, 0, cmd_mntsys },
	{ "mkmnt", 3, 0, cmd_mkmnt },     { "delmnt", 1, 0, cmd_delmnt },
	{ "set", 2, 0, cmd_set },         { "bridgedump", 0, 1, cmd_bridgedump },
	{ "nsdump", 1, 0, cmd_nsdump },   { "nsdumpc", 1, 0, cmd_nsdumpc },
	{ "bridgedumpc", 0, 1, cmd_bridgedumpc }, { "addrdumpc", 0, 1, cmd_addrdumpc },
	{ "resume", 0, 0, cmd_resume },
};

/* Requests that run where ns_pass() left the agent; every other one returns to root first. */
static int passes(const struct command *c)
{
	return c && (c->run == cmd_nsdump || c->run == cmd_nsdumpc);
}

/* Write the reply of one request; an error under stop-on-error starts skipping. */
static void reply(int rc)
{
	if (rc == 0) {
		if (g_out.len) {
			fputs("ok\t", stdout);
			fwrite(g_out.p, 1, g_out.len, stdout);
			fputc('\n', stdout);
		} else {
			fputs("ok\n", stdout);
		}
		return;
	}
	for (char *c = e_msg; *c; c++)
		if ((unsigned char)*c < 0x20)
			*c = ' ';
	printf("err\t%d\t%s\n", e_no, e_msg);
	if (g_stop_on_error)
		g_skipping = 1;
}

void protocol_refuse(int err, const char *msg)
{
	if (g_skipping)
		fputs("skip\n", stdout);
	else
		reply(fail(err, "%s", msg));
}

void protocol_line(char *line, size_t n)
{
	char *argv[MAX_ARGS + 1];
	int argc = 0;
	g_out.len = 0;
	if (memchr(line, 0, n)) {
		protocol_refuse(EINVAL, "NUL byte in request");
		return;
	}
	for (char *p = line;; p++) {
		if (argc <= MAX_ARGS)
			argv[argc] = p;
		argc++;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p = 0;
	}
	const struct command *c = NULL;
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		if (!strcmp(commands[i].op, argv[0]))
			c = &commands[i];
	if (g_skipping && !(c && c->run == cmd_resume)) {
		fputs("skip\n", stdout);
		return;
	}
	/* Back from the namespaces visited by the requests before (poisoned if that fails). */
	if (!passes(c))
		ns_back();
	const char *poisoned = ns_poisoned();
	int rc;
	if (!c)
		rc = fail(EINVAL, "unknown command: %s", argv[0]);
	else if (argc - 1 != c->nargs)
		rc = fail(EINVAL, "%s takes %d argument(s), got %d", c->op, c->nargs, argc - 1);
	else if (c->scoped && poisoned)
		rc = fail(EINVAL, "%s", poisoned);
	else
		rc = c->run(argv + 1);
	reply(rc);
}
