// SPDX-License-Identifier: Apache-2.0
// hiredis (libhiredis-dev), the Redis project's own C client: its blocking API, called with argument vectors
// (`redisCommandArgv`), never the variadic `redisCommand`, which Swift cannot call.
#include <hiredis/hiredis.h>
