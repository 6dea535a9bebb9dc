// SPDX-License-Identifier: Apache-2.0
// C shim for libfcgi (libfcgi-dev): the library's own API plus the few socket helpers that are
// clearer in C than through Swift's unsafe pointers.
#ifndef CFASTCGI_H
#define CFASTCGI_H

#include <fcgiapp.h>
#include <stdint.h>
#include <sys/types.h>

/// Creates, binds and listens on a unix stream socket at `path`, then sets its mode.
/// A stale socket file left by a crashed process is removed first; any other file at `path` is not
/// touched (the call fails with EADDRINUSE). Returns the descriptor, or -1 with errno set.
int CFastCGI_listen_unix(const char *path, int backlog, mode_t mode);

/// Returns 1 when `fd` is a listening stream socket (what nginx or systemd hand us), 0 otherwise.
int CFastCGI_is_listening_socket(int fd);

/// Returns 1 when `fd` is readable now (a connection waits in a listening socket's backlog, or a descriptor is
/// ready in an epoll set), 0 otherwise.
int CFastCGI_has_pending_connection(int fd);

/// Sends one datagram to systemd's notification socket (`NOTIFY_SOCKET`; a leading '@' names an abstract
/// socket). Returns 0, or -1 with errno set.
int CFastCGI_notify(const char *socket_path, const char *message);

/// A new epoll set (close-on-exec), or -1.
int CFastCGI_poll_create(void);

/// Arms `fd` in the set for one readiness report tagged `tag` (EPOLLIN | EPOLLONESHOT); `first_time` adds it.
int CFastCGI_poll_arm(int poll_fd, int fd, uint64_t tag, int first_time);

/// Removes `fd` from the set.
int CFastCGI_poll_remove(int poll_fd, int fd);

/// Waits for one armed descriptor to be ready: its tag, -1 on timeout, -2 on an error or a signal.
int64_t CFastCGI_poll_wait(int poll_fd, int timeout_ms);

/// Sets O_NONBLOCK on `fd`.
int CFastCGI_set_nonblocking(int fd);

/// Accepts one connection (close-on-exec, blocking): its descriptor; -1 with errno when none is accepted (EAGAIN:
/// the backlog is empty); -2 for a TCP peer not in `allowed_addresses` (closed), when that list is not empty.
int CFastCGI_accept(int listen_fd, const char *allowed_addresses);

/// What waits on a connection reported readable: 1 bytes of a request, 0 the peer closed it (or it failed),
/// 2 nothing yet.
int CFastCGI_connection_state(int fd);

#endif
