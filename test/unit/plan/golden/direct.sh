#!/bin/sh
# nslab plan for lab 'seed-direct'
set -e

# examples/seed/direct.yaml:6:3 (nodes.ns1)
ip netns add ns1
ip -n ns1 link set dev lo alias nslab:seed-direct
ip -n ns1 link set dev lo up

# examples/seed/direct.yaml:9:3 (nodes.ns2)
ip netns add ns2
ip -n ns2 link set dev lo alias nslab:seed-direct
ip -n ns2 link set dev lo up

# examples/seed/direct.yaml:13:5 (links[0])
ip link add name veth0 netns ns1 group 1853785255 up type veth peer name veth1 netns ns2 group 1853785255

# examples/seed/direct.yaml:8:7 (nodes.ns1.interfaces.veth0)
ip -n ns1 addr add 10.1.1.2/24 dev veth0

# examples/seed/direct.yaml:11:7 (nodes.ns2.interfaces.veth1)
ip -n ns2 link set dev veth1 up
ip -n ns2 addr add 10.1.1.3/24 dev veth1
