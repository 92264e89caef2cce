/* nftables, read-only: the tables of the current namespace (nfttables). */
#ifndef NSAGENT_NFT_H
#define NSAGENT_NFT_H

/* nfttables: the nftables tables of the current namespace, every family, as a JSON array of
 * [FAMILY, NAME] pairs (FAMILY as nft names it: ip, ip6, inet, arp, bridge, netdev). One
 * NFT_MSG_GETTABLE dump on a NETLINK_NETFILTER socket: what `nft list tables` asks, without
 * libnftables' start; iptables-nft's tables are among them. EAGAIN when tables changed during it. */
int cmd_nfttables(char **a);

/* nftrules FAMILY TABLE: how many rules table FAMILY TABLE of the current namespace holds, in all
 * its chains (a JSON number). One NFT_MSG_GETRULE dump the kernel filters by table. ENOENT when
 * there is no such table, EINVAL for a family nft does not name. */
int cmd_nftrules(char **a);

#endif
