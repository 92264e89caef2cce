/* dump: links, addresses and main-table routes of the current namespace, as one JSON object. */
#ifndef NSAGENT_DUMP_H
#define NSAGENT_DUMP_H

/* dump: `{"links":[...],"addrs":[...],"routes":[...]}` (see link_json, addr_json, route_json). */
int cmd_dump(char **a);

/* nsdump NAME: the same of namespace NAME, read from the root namespace the agent stays in. */
int cmd_nsdump(char **a);
/* nsdumpc NAME: nsdump in the compact form, `[links,addrs,routes]` of arrays (see g_compact). */
int cmd_nsdumpc(char **a);

#endif
