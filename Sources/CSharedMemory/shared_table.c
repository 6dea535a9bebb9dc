// SPDX-License-Identifier: Apache-2.0
// See CSharedMemory.h. Open addressing with a bounded probe run; an entry is live until its expiry, and a dead
// entry's slot is reused. A slot whose key is 0:0 was never used and ends a probe run.
#define _GNU_SOURCE
#include "CSharedMemory.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TABLE_MAGIC 0x73666767u  /* "ggfs" */
#define TABLE_LAYOUT 1u
#define PROBES 64u

typedef struct {
    uint64_t high, low;
    int64_t value;       /* an invalidation's sequence, or a counter's attempts */
    int64_t expires_ms;  /* dead from then on */
} slot;

typedef struct {
    uint32_t magic, layout, capacity, reserved;
    pthread_mutex_t lock;
    uint64_t sequence;
    uint64_t dropped_sequence;  /* the newest invalidation dropped to make room */
    int64_t retention_ms;
} header;

#define HEADER_BYTES ((sizeof(header) + 63u) & ~(size_t)63u)

struct shared_table {
    header *header;
    slot *invalidations;
    slot *counters;
    size_t bytes;
};

static size_t table_bytes(uint32_t capacity) { return HEADER_BYTES + 2u * (size_t)capacity * sizeof(slot); }

static int64_t now_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void lock(header *h) {
    if (pthread_mutex_lock(&h->lock) == EOWNERDEAD) pthread_mutex_consistent(&h->lock);
}

static void unlock(header *h) { pthread_mutex_unlock(&h->lock); }

/* The live slot of the key, or (with `create`) a slot for it: a dead or unused one in its run, else the one that
   expires first, whose old content is copied to `*evicted` (its key nonzero then). */
static slot *find(slot *slots, uint32_t capacity, uint64_t high, uint64_t low, int64_t now, int create,
                  slot *evicted) {
    slot *reusable = NULL, *soonest = NULL;
    uint32_t start = (uint32_t)(low % capacity);
    for (uint32_t probe = 0; probe < PROBES && probe < capacity; probe++) {
        slot *candidate = &slots[(start + probe) % capacity];
        int unused = candidate->high == 0 && candidate->low == 0;
        if (!unused && candidate->high == high && candidate->low == low) {
            if (candidate->expires_ms > now) return candidate;
            if (!create) return NULL;
            reusable = candidate;
            break;
        }
        if (unused || candidate->expires_ms <= now) {
            if (!reusable) reusable = candidate;
            if (unused) break;
            continue;
        }
        if (!soonest || candidate->expires_ms < soonest->expires_ms) soonest = candidate;
    }
    if (!create) return NULL;
    slot *chosen = reusable ? reusable : soonest;
    if (!reusable && evicted) *evicted = *soonest;
    chosen->high = high;
    chosen->low = low;
    chosen->value = 0;
    chosen->expires_ms = 0;
    return chosen;
}

shared_table *shared_table_open(const char *path, uint32_t capacity, int64_t retention_ms) {
    if (capacity == 0) { errno = EINVAL; return NULL; }
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return NULL;
    shared_table *table = NULL;
    int saved = 0;
    if (flock(fd, LOCK_EX) != 0) goto fail;
    struct stat status;
    if (fstat(fd, &status) != 0) goto fail;
    int fresh = status.st_size == 0;
    if (fresh) {
        if (ftruncate(fd, (off_t)table_bytes(capacity)) != 0) goto fail;
    } else {
        header prefix;
        if (pread(fd, &prefix, sizeof prefix, 0) != (ssize_t)sizeof prefix || prefix.magic != TABLE_MAGIC ||
            prefix.layout != TABLE_LAYOUT || prefix.capacity == 0 ||
            (size_t)status.st_size != table_bytes(prefix.capacity)) {
            errno = EPROTO;  /* another program's file, or an older layout: remove it (it lives in /run) */
            goto fail;
        }
        capacity = prefix.capacity;
    }
    table = calloc(1, sizeof *table);
    if (!table) goto fail;
    table->bytes = table_bytes(capacity);
    void *memory = mmap(NULL, table->bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (memory == MAP_FAILED) goto fail;
    table->header = memory;
    table->invalidations = (slot *)((char *)memory + HEADER_BYTES);
    table->counters = table->invalidations + capacity;
    if (fresh) {
        pthread_mutexattr_t attributes;
        pthread_mutexattr_init(&attributes);
        pthread_mutexattr_setpshared(&attributes, PTHREAD_PROCESS_SHARED);
        pthread_mutexattr_setrobust(&attributes, PTHREAD_MUTEX_ROBUST);
        pthread_mutex_init(&table->header->lock, &attributes);
        pthread_mutexattr_destroy(&attributes);
        table->header->layout = TABLE_LAYOUT;
        table->header->capacity = capacity;
        __atomic_store_n(&table->header->magic, TABLE_MAGIC, __ATOMIC_RELEASE);
    }
    lock(table->header);
    if (table->header->retention_ms < retention_ms) table->header->retention_ms = retention_ms;
    unlock(table->header);
    flock(fd, LOCK_UN);
    close(fd);
    return table;
fail:
    saved = errno;
    if (table) free(table);
    close(fd);
    errno = saved;
    return NULL;
}

void shared_table_close(shared_table *table) {
    if (!table) return;
    munmap(table->header, table->bytes);
    free(table);
}

uint64_t shared_table_sequence(shared_table *table) {
    return __atomic_load_n(&table->header->sequence, __ATOMIC_ACQUIRE);
}

uint64_t shared_table_invalidate(shared_table *table, uint64_t key_high, uint64_t key_low) {
    header *h = table->header;
    int64_t now = now_ms();
    slot evicted = {0};
    lock(h);
    uint64_t sequence = __atomic_add_fetch(&h->sequence, 1, __ATOMIC_ACQ_REL);
    slot *entry = find(table->invalidations, h->capacity, key_high, key_low, now, 1, &evicted);
    entry->value = (int64_t)sequence;
    entry->expires_ms = now + h->retention_ms;
    if ((evicted.high || evicted.low) && (uint64_t)evicted.value > h->dropped_sequence) {
        h->dropped_sequence = (uint64_t)evicted.value;
    }
    unlock(h);
    return sequence;
}

int shared_table_invalidated_after(shared_table *table, uint64_t since, uint64_t key1_high, uint64_t key1_low,
                                   uint64_t key2_high, uint64_t key2_low) {
    header *h = table->header;
    int64_t now = now_ms();
    lock(h);
    int invalidated = h->dropped_sequence > since;
    slot *first = find(table->invalidations, h->capacity, key1_high, key1_low, now, 0, NULL);
    if (first && (uint64_t)first->value > since) invalidated = 1;
    if (key2_high || key2_low) {
        slot *second = find(table->invalidations, h->capacity, key2_high, key2_low, now, 0, NULL);
        if (second && (uint64_t)second->value > since) invalidated = 1;
    }
    unlock(h);
    return invalidated;
}

int64_t shared_table_count(shared_table *table, uint64_t key_high, uint64_t key_low, int64_t window_ms,
                           int64_t *remaining_ms) {
    header *h = table->header;
    int64_t now = now_ms();
    lock(h);
    slot *entry = find(table->counters, h->capacity, key_high, key_low, now, 1, NULL);
    if (entry->expires_ms <= now) {
        entry->value = 0;
        entry->expires_ms = now + window_ms;
    }
    if (entry->value < INT64_MAX) entry->value += 1;
    int64_t attempts = entry->value;
    *remaining_ms = entry->expires_ms - now;
    unlock(h);
    return attempts;
}

void shared_table_refund(shared_table *table, uint64_t key_high, uint64_t key_low) {
    header *h = table->header;
    int64_t now = now_ms();
    lock(h);
    slot *entry = find(table->counters, h->capacity, key_high, key_low, now, 0, NULL);
    if (entry && entry->value > 0) entry->value -= 1;
    unlock(h);
}

void shared_table_reset(shared_table *table, uint64_t key_high, uint64_t key_low) {
    header *h = table->header;
    int64_t now = now_ms();
    lock(h);
    slot *entry = find(table->counters, h->capacity, key_high, key_low, now, 0, NULL);
    if (entry) entry->expires_ms = 0;
    unlock(h);
}

void shared_table_put_pair(shared_table *table, uint64_t key1_high, uint64_t key1_low, int64_t value1,
                           uint64_t key2_high, uint64_t key2_low, int64_t value2, int64_t ttl_ms) {
    header *h = table->header;
    int64_t now = now_ms();
    lock(h);
    slot *first = find(table->counters, h->capacity, key1_high, key1_low, now, 1, NULL);
    first->value = value1;
    first->expires_ms = now + ttl_ms;
    slot *second = find(table->counters, h->capacity, key2_high, key2_low, now, 1, NULL);
    second->value = value2;
    second->expires_ms = now + ttl_ms;
    unlock(h);
}

int shared_table_get_pair(shared_table *table, uint64_t key1_high, uint64_t key1_low, int64_t *value1,
                          uint64_t key2_high, uint64_t key2_low, int64_t *value2) {
    header *h = table->header;
    int64_t now = now_ms();
    lock(h);
    slot *first = find(table->counters, h->capacity, key1_high, key1_low, now, 0, NULL);
    slot *second = find(table->counters, h->capacity, key2_high, key2_low, now, 0, NULL);
    /* Put together, they expire together: a pair with one half evicted for room is no pair. */
    int found = first && second && first->expires_ms == second->expires_ms;
    if (found) {
        *value1 = first->value;
        *value2 = second->value;
    }
    unlock(h);
    return found;
}

void shared_table_usage(shared_table *table, uint32_t *invalidations, uint32_t *counters, uint32_t *capacity) {
    header *h = table->header;
    int64_t now = now_ms();
    uint32_t live_invalidations = 0, live_counters = 0;
    lock(h);
    for (uint32_t index = 0; index < h->capacity; index++) {
        if (table->invalidations[index].expires_ms > now) live_invalidations++;
        if (table->counters[index].expires_ms > now) live_counters++;
    }
    *capacity = h->capacity;
    unlock(h);
    *invalidations = live_invalidations;
    *counters = live_counters;
}
