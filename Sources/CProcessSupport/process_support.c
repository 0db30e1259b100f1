#define _GNU_SOURCE
#include <spawn.h>
#include "process_support.h"

int liushou_spawn_actions_close_from(posix_spawn_file_actions_t *actions, int lowfd) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowfd);
}
