#ifndef LIUSHOU_PROCESS_SUPPORT_H
#define LIUSHOU_PROCESS_SUPPORT_H
#include <spawn.h>

/// Adds "close every descriptor from `lowfd` up" to spawn file actions (glibc 2.34+).
int liushou_spawn_actions_close_from(posix_spawn_file_actions_t *actions, int lowfd);

#endif
