#!/bin/sh
# nslab plan for lab 'seed-ovs'
set -e
# needs ovsdb-server and ovs-vswitchd running (nslab up starts them)

# examples/seed/ovs.yaml:8:3 (nodes.ns1)
ip netns add ns1
ip -n ns1 link set dev lo alias nslab:seed-ovs
ip -n ns1 link set dev lo up

# examples/seed/ovs.yaml:11:3 (nodes.ns2)
ip netns add ns2
ip -n ns2 link set dev lo alias nslab:seed-ovs
ip -n ns2 link set dev lo up

# examples/seed/ovs.yaml:17:5 (links[0])
ip link add name ovs-veth0 group 1861418828 type veth peer name veth0 netns ns1 group 1861418828

# examples/seed/ovs.yaml:18:5 (links[1])
ip link add name ovs-veth1 group 1861418828 type veth peer name veth1 netns ns2 group 1861418828

# examples/seed/ovs.yaml:17:5 (links[0])
sysctl -qw net/ipv6/conf/ovs-veth0/disable_ipv6=1

# examples/seed/ovs.yaml:18:5 (links[1])
sysctl -qw net/ipv6/conf/ovs-veth1/disable_ipv6=1

# examples/seed/ovs.yaml:17:5 (links[0])
ip netns exec ns1 ethtool -K veth0 tx off

# examples/seed/ovs.yaml:10:7 (nodes.ns1.interfaces.veth0)
ip -n ns1 link set dev veth0 up
ip -n ns1 addr add 10.1.1.2/24 dev veth0

# examples/seed/ovs.yaml:18:5 (links[1])
ip netns exec ns2 ethtool -K veth1 tx off

# examples/seed/ovs.yaml:13:7 (nodes.ns2.interfaces.veth1)
ip -n ns2 link set dev veth1 up
ip -n ns2 addr add 10.1.1.3/24 dev veth1

# examples/seed/ovs.yaml:17:5 (links[0])
ip link set dev ovs-veth0 alias nslab:seed-ovs up

# examples/seed/ovs.yaml:18:5 (links[1])
ip link set dev ovs-veth1 alias nslab:seed-ovs up

# examples/seed/ovs.yaml:14:3 (nodes.ovs-br)
ovs-vsctl add-br ovs-br -- set bridge ovs-br datapath_type=netdev external_ids:nslab-lab=seed-ovs

# examples/seed/ovs.yaml:17:28 (links[0].endpoints[1])
ovs-vsctl add-port ovs-br ovs-veth0 -- set port ovs-veth0 external_ids:nslab-lab=seed-ovs -- set interface ovs-veth0 ofport_request=1

# examples/seed/ovs.yaml:18:28 (links[1].endpoints[1])
ovs-vsctl add-port ovs-br ovs-veth1 -- set port ovs-veth1 external_ids:nslab-lab=seed-ovs -- set interface ovs-veth1 ofport_request=2
