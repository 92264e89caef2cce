/*
 * Mount namespaces of nodes, kept for a lab's life the way `ip netns` keeps network namespaces: a
 * bind of the namespace file onto a file in the lab's private tmpfs. Each node's namespace is
 * unshared from a lab template (the host's mounts with /run/netns and every lab file system
 * detached), so it copies a dozen mounts instead of the host's whole tree, then gets its own
 * mounts (overlays, binds, a fresh sysfs). All requests run from the root namespaces and end there.
 */
#ifndef NSAGENT_MNTNS_H
#define NSAGENT_MNTNS_H

/* mkfs PATH LABEL: mkdir -p PATH; mount a tmpfs named LABEL there (mode 0700), made private. */
int cmd_mkfs(char **a);

/* mkdir PATH MODE UID GID: mkdir -p PATH (parents 0755), then chmod MODE (decimal) and, unless UID
 * is "-", chown UID:GID (GID "-": the group unchanged). PATH existing as a directory is fine. */
int cmd_mkdir(char **a);

/* hostslink DIR TARGET: mkdir -p DIR; DIR/hosts a symbolic link to TARGET (iproute2's
 * /etc/netns/NS/hosts). An existing DIR/hosts is fine only if it is that same link (EEXIST otherwise). */
int cmd_hostslink(char **a);

/* umnt PATH LABEL: detach the tmpfs at PATH, only if it is one named LABEL; then rmdir PATH. */
int cmd_umnt(char **a);

/* mnttmpl FSROOT LABFS: the template for the next mkmnt requests: the host's mounts, rslave, with
 * /run/netns and every mount at or below FSROOT (the labs' file systems) but LABFS detached. */
int cmd_mnttmpl(char **a);

/* mntbind SRC DST: queue a bind of SRC (opened in the host's view) onto DST (the node's view). */
int cmd_mntbind(char **a);

/* mntover DIR UPPER WORK: queue an overlay on DIR (lower: DIR itself), UPPER/WORK in the host's view. */
int cmd_mntover(char **a);

/* mntsys: queue a fresh sysfs of the node's network namespace on /sys. */
int cmd_mntsys(char **a);

/* mkmnt NETNS FILE LABFS: a new mount namespace for namespace NETNS from the template, with the
 * queued mounts, LABFS detached in it, kept by a bind onto FILE (an existing FILE is replaced).
 * Clears the queue. */
int cmd_mkmnt(char **a);

/* delmnt FILE: detach the namespace kept at FILE and remove FILE. */
int cmd_delmnt(char **a);

#endif
