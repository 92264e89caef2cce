/*
 * `nsagent run`: run a program inside a node — its network and mount namespaces — the way
 * `nsenter --net=F --mount=M` does, in one exec: enter both, keep the working directory when the
 * node has it (as `ip netns exec` does), then exec the program (same PID, no shell).
 */
#ifndef NSAGENT_RUN_H
#define NSAGENT_RUN_H

/* nsagent run [--net FILE] [--mnt FILE] [--cwd DIR] -- PROGRAM [ARG...]; returns only on failure
 * (exit status 125: cannot enter; 126/127: cannot run the program, as shells say). */
int run_main(int argc, char **argv);

#endif
