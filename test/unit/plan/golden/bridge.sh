#!/bin/sh
# nslab plan for lab 'seed-bridge'
set -e

# examples/seed/bridge.yaml:6:3 (nodes.ns1)
ip netns add ns1
ip -n ns1 link set dev lo alias nslab:seed-bridge
ip -n ns1 link set dev lo up

# examples/seed/bridge.yaml:9:3 (nodes.ns2)
ip netns add ns2
ip -n ns2 link set dev lo alias nslab:seed-bridge
ip -n ns2 link set dev lo up

# examples/seed/bridge.yaml:12:3 (nodes.br0)
ip link add name br0 group 1852234667 type bridge

# examples/seed/bridge.yaml:15:5 (links[0])
ip link add name br-veth0 group 1852234667 type veth peer name veth0 netns ns1 group 1852234667

# examples/seed/bridge.yaml:16:5 (links[1])
ip link add name br-veth1 group 1852234667 type veth peer name veth1 netns ns2 group 1852234667

# examples/seed/bridge.yaml:12:3 (nodes.br0)
sysctl -qw net/ipv6/conf/br0/disable_ipv6=1

# examples/seed/bridge.yaml:15:5 (links[0])
sysctl -qw net/ipv6/conf/br-veth0/disable_ipv6=1

# examples/seed/bridge.yaml:16:5 (links[1])
sysctl -qw net/ipv6/conf/br-veth1/disable_ipv6=1

# examples/seed/bridge.yaml:8:7 (nodes.ns1.interfaces.veth0)
ip -n ns1 link set dev veth0 up
ip -n ns1 addr add 10.1.1.2/24 dev veth0

# examples/seed/bridge.yaml:11:7 (nodes.ns2.interfaces.veth1)
ip -n ns2 link set dev veth1 up
ip -n ns2 addr add 10.1.1.3/24 dev veth1

# examples/seed/bridge.yaml:12:3 (nodes.br0)
ip link set dev br0 alias nslab:seed-bridge up

# examples/seed/bridge.yaml:15:5 (links[0])
ip link set dev br-veth0 alias nslab:seed-bridge master br0 up

# examples/seed/bridge.yaml:16:5 (links[1])
ip link set dev br-veth1 alias nslab:seed-bridge master br0 up
