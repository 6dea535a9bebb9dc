// SPDX-License-Identifier: Apache-2.0
// A table of security state in a file mapped by every worker process of a host (nginx's shared zones do the
// same): session invalidations and attempt counters, under one process-shared robust mutex. A process that dies
// holding the lock cannot wedge the others: the next locker takes the lock over (EOWNERDEAD).
//
// Keys are 128-bit digests (never 0:0). Times are CLOCK_MONOTONIC milliseconds, one clock for the whole host.
#ifndef CSHAREDMEMORY_H
#define CSHAREDMEMORY_H

#include <stdint.h>

typedef struct shared_table shared_table;

/// Maps the table at `path`, creating and sizing the file (mode 0600) for `capacity` entries of each kind when it
/// is new. A file made for another capacity or layout is used as it is (its own capacity wins); an unreadable one
/// fails. `retention_ms` is how long this process needs an invalidation remembered (its cache's longest life):
/// the table keeps each for the longest any process asked. Returns NULL with errno set on failure.
shared_table *shared_table_open(const char *path, uint32_t capacity, int64_t retention_ms);

void shared_table_close(shared_table *table);

/// The current invalidation sequence: read it before asking the identity service, keep it with the answer.
uint64_t shared_table_sequence(shared_table *table);

/// Records an invalidation of `key` now; returns its sequence number.
uint64_t shared_table_invalidate(shared_table *table, uint64_t key_high, uint64_t key_low);

/// 1 when either key was invalidated after `since` (a sequence read earlier), or when an invalidation was dropped
/// for room after `since` (then nothing older can be trusted); 0 otherwise.
int shared_table_invalidated_after(shared_table *table, uint64_t since, uint64_t key1_high, uint64_t key1_low,
                                   uint64_t key2_high, uint64_t key2_low);

/// Counts one attempt of `key` in a fixed window of `window_ms` starting at its first attempt. Returns the
/// attempts in the window, this one included, and sets `*remaining_ms` to the time left in it.
int64_t shared_table_count(shared_table *table, uint64_t key_high, uint64_t key_low, int64_t window_ms,
                           int64_t *remaining_ms);

/// Takes back one attempt of `key` (never below zero).
void shared_table_refund(shared_table *table, uint64_t key_high, uint64_t key_low);

/// Forgets the attempts of `key`.
void shared_table_reset(shared_table *table, uint64_t key_high, uint64_t key_low);

/// Keeps two 64-bit values under two keys for `ttl_ms`, replacing any earlier ones, in one step (a reader never
/// sees one new and one old). They share the counters' slots.
void shared_table_put_pair(shared_table *table, uint64_t key1_high, uint64_t key1_low, int64_t value1,
                           uint64_t key2_high, uint64_t key2_low, int64_t value2, int64_t ttl_ms);

/// 1 with both values when both keys hold live values (put together); 0 otherwise.
int shared_table_get_pair(shared_table *table, uint64_t key1_high, uint64_t key1_low, int64_t *value1,
                          uint64_t key2_high, uint64_t key2_low, int64_t *value2);

/// Live entries of each kind, for metrics.
void shared_table_usage(shared_table *table, uint32_t *invalidations, uint32_t *counters, uint32_t *capacity);

#endif
