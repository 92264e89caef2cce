/* Reading /proc/self/mountinfo (mountinfo.h). */
#define _GNU_SOURCE
#include "mountinfo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"

/* Copy one space-separated field, turning the kernel's \ooo escapes back into bytes. */
static const char *field(const char *p, char *out, size_t size)
{
	size_t n = 0;
	while (*p == ' ')
		p++;
	while (*p && *p != ' ' && *p != '\n') {
		char c = *p++;
		if (c == '\\' && p[0] >= '0' && p[0] <= '3' && p[1] >= '0' && p[1] <= '7' && p[2] >= '0' &&
		    p[2] <= '7') {
			c = (char)((p[0] - '0') * 64 + (p[1] - '0') * 8 + (p[2] - '0'));
			p += 3;
		}
		if (n + 1 < size)
			out[n++] = c;
	}
	out[n] = 0;
	return p;
}

int mountinfo_each(int (*fn)(const struct mount_entry *m, void *ctx), void *ctx)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return fail_errno("open /proc/self/mountinfo");
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;
	struct mount_entry *m = malloc(sizeof *m);
	if (!m) {
		fclose(f);
		return fail(ENOMEM, "out of memory");
	}
	char skip[PATH_MAX];
	while (rc == 0 && getline(&line, &cap, f) > 0) {
		/* id parent maj:min root point options [optional fields...] - fstype source superoptions */
		const char *p = line;
		for (int i = 0; i < 4; i++)
			p = field(p, skip, sizeof skip);
		p = field(p, m->point, sizeof m->point);
		const char *sep = strstr(p, " - ");
		if (!sep)
			continue;
		p = field(sep + 3, m->fstype, sizeof m->fstype);
		field(p, m->source, sizeof m->source);
		rc = fn(m, ctx);
	}
	free(m);
	free(line);
	fclose(f);
	return rc;
}

struct find_ctx {
	const char *point;
	struct mount_entry *out;
	int found;
};

static int find_one(const struct mount_entry *m, void *ctx)
{
	struct find_ctx *c = ctx;
	if (!strcmp(m->point, c->point)) {
		*c->out = *m;
		c->found = 1;
	}
	return 0;
}

int mountinfo_find(const char *point, struct mount_entry *out)
{
	struct find_ctx c = { point, out, 0 };
	if (mountinfo_each(find_one, &c) < 0)
		return -1;
	return c.found;
}
