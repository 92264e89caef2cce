/*
 * spawn.node: posix_spawn for nslab's runner (src/drivers/runner/fast-spawn.ts). Node's
 * child_process starts every program with fork(): the kernel copies the page tables of the whole
 * Node process and write-protects every page of it, so the exec that follows and each page Node
 * writes afterwards cost a page fault. posix_spawn (glibc: clone with CLONE_VM | CLONE_VFORK)
 * shares the parent's memory until the exec and copies nothing.
 *
 * spawn(file, argv, envp, cwd) -> [pid, stdin, stdout, stderr]: the program in a session of its
 * own (setsid, as child_process's detached), every signal at its default and none blocked, its
 * stdin/stdout/stderr one end of a socket pair each (the other three ends are returned,
 * close-on-exec). Throws an Error whose `code` is the errno name when the program cannot start.
 * wait(pid) -> undefined while it runs, else [exit code or -1, terminating signal or 0]; reaps it.
 */
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <errno.h>
#include <node_api.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHECK(call)                                                                                  \
  do {                                                                                               \
    if ((call) != napi_ok) goto fail;                                                                \
  } while (0)

static char *string_of(napi_env env, napi_value v) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return NULL;
  char *s = malloc(len + 1);
  if (s == NULL) return NULL;
  if (napi_get_value_string_utf8(env, v, s, len + 1, &len) != napi_ok) {
    free(s);
    return NULL;
  }
  return s;
}

static void free_strings(char **list) {
  if (list == NULL) return;
  for (char **p = list; *p != NULL; p++) free(*p);
  free(list);
}

/* A NULL-terminated copy of a JavaScript array of strings. */
static char **strings_of(napi_env env, napi_value array) {
  uint32_t n = 0;
  if (napi_get_array_length(env, array, &n) != napi_ok) return NULL;
  char **out = calloc((size_t)n + 1, sizeof(char *));
  if (out == NULL) return NULL;
  for (uint32_t i = 0; i < n; i++) {
    napi_value item;
    if (napi_get_element(env, array, i, &item) != napi_ok || (out[i] = string_of(env, item)) == NULL) {
      free_strings(out);
      return NULL;
    }
  }
  return out;
}

static napi_value throw_errno(napi_env env, int error, const char *file) {
  const char *name = strerrorname_np(error);
  napi_value code, message, err;
  char text[512];
  snprintf(text, sizeof text, "spawn %s %s", file, name ? name : "failed");
  if (napi_create_string_utf8(env, name ? name : "EUNKNOWN", NAPI_AUTO_LENGTH, &code) == napi_ok &&
      napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &message) == napi_ok &&
      napi_create_error(env, code, message, &err) == napi_ok)
    napi_throw(env, err);
  return NULL;
}

static napi_value Spawn(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value args[4];
  char *file = NULL, *cwd = NULL;
  char **argv = NULL, **envp = NULL;
  int pairs[3][2] = {{-1, -1}, {-1, -1}, {-1, -1}};
  napi_value result = NULL;
  int error = 0;
  if (napi_get_cb_info(env, info, &argc, args, NULL, NULL) != napi_ok || argc < 4) {
    napi_throw_type_error(env, NULL, "spawn(file, argv, envp, cwd)");
    return NULL;
  }
  napi_valuetype cwd_type;
  if ((file = string_of(env, args[0])) == NULL || (argv = strings_of(env, args[1])) == NULL ||
      (envp = strings_of(env, args[2])) == NULL || napi_typeof(env, args[3], &cwd_type) != napi_ok ||
      (cwd_type == napi_string && (cwd = string_of(env, args[3])) == NULL)) {
    napi_throw_type_error(env, NULL, "spawn(file: string, argv: string[], envp: string[], cwd: string | null)");
    goto done;
  }
  for (int i = 0; i < 3; i++)
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pairs[i]) != 0) {
      error = errno;
      goto spawn_failed;
    }
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  for (int i = 0; i < 3; i++) posix_spawn_file_actions_adddup2(&actions, pairs[i][1], i);
  if (cwd != NULL) posix_spawn_file_actions_addchdir_np(&actions, cwd);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  /* glibc's sigfillset leaves out its two internal signals (32 and 33), and its posix_spawn sets
   * any signal not in the default set to SIG_IGN before the exec, which the program would keep.
   * Named here bit by bit (sigaddset refuses them): the program starts with every signal at its
   * default, as from child_process. */
  for (int sig = 32; sig <= 33 && sig < SIGRTMIN; sig++)
    all.__val[(unsigned)(sig - 1) / (8 * sizeof all.__val[0])] |= 1UL << ((unsigned)(sig - 1) % (8 * sizeof all.__val[0]));
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = 0;
  error = posix_spawn(&pid, file, &actions, &attr, argv, envp);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (error != 0) goto spawn_failed;
  for (int i = 0; i < 3; i++) {
    close(pairs[i][1]);
    pairs[i][1] = -1;
  }
  napi_value v;
  CHECK(napi_create_array_with_length(env, 4, &result));
  CHECK(napi_create_int32(env, pid, &v));
  CHECK(napi_set_element(env, result, 0, v));
  for (int i = 0; i < 3; i++) {
    CHECK(napi_create_int32(env, pairs[i][0], &v));
    CHECK(napi_set_element(env, result, (uint32_t)i + 1, v));
  }
  goto done;
fail:
  /* The program runs, but its pipes cannot be handed over: closing them ends its input and output. */
  for (int i = 0; i < 3; i++) close(pairs[i][0]);
  result = NULL;
  goto done;
spawn_failed:
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 2; j++)
      if (pairs[i][j] >= 0) close(pairs[i][j]);
  throw_errno(env, error, file);
done:
  free(file);
  free(cwd);
  free_strings(argv);
  free_strings(envp);
  return result;
}

static napi_value Wait(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value args[1], result, v;
  int32_t pid = 0;
  if (napi_get_cb_info(env, info, &argc, args, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_int32(env, args[0], &pid) != napi_ok || pid <= 0) {
    napi_throw_type_error(env, NULL, "wait(pid)");
    return NULL;
  }
  int status = 0;
  pid_t r;
  do r = waitpid(pid, &status, WNOHANG);
  while (r == -1 && errno == EINTR);
  if (r == 0) return NULL;
  if (r == -1) return throw_errno(env, errno, "waitpid");
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  if (napi_create_array_with_length(env, 2, &result) != napi_ok) return NULL;
  if (napi_create_int32(env, code, &v) != napi_ok || napi_set_element(env, result, 0, v) != napi_ok) return NULL;
  if (napi_create_int32(env, sig, &v) != napi_ok || napi_set_element(env, result, 1, v) != napi_ok) return NULL;
  return result;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"spawn", NULL, Spawn, NULL, NULL, NULL, napi_enumerable, NULL},
      {"wait", NULL, Wait, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, 2, props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
