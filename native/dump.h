/* dump: links, addresses and main-table routes of the current namespace, as one JSON object. */
#ifndef NSAGENT_DUMP_H
#define NSAGENT_DUMP_H

/* dump: `{"links":[...],"addrs":[...],"routes":[...]}` (see link_json, addr_json, route_json). */
int cmd_dump(char **a);

#endif
