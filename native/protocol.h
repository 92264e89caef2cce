/*
 * The line protocol. One request per line (`op<TAB>arg<TAB>...`), exactly one reply line per
 * request, in order: `ok`, `ok<TAB>payload`, `err<TAB>errno<TAB>message`, or `skip` (stop-on-error
 * is on and an earlier request failed). Namespace-scoped requests are refused while the agent is
 * poisoned (see netns.h).
 */
#ifndef NSAGENT_PROTOCOL_H
#define NSAGENT_PROTOCOL_H

#include <stddef.h>

/* Run one request line of n bytes (its newline replaced by a NUL) and write its reply. */
void protocol_line(char *line, size_t n);

/* Answer a request that cannot even be read (or `skip` it). */
void protocol_refuse(int err, const char *msg);

#endif
