// SPDX-License-Identifier: Apache-2.0
// C shim for libfcgi (libfcgi-dev): the library's own API plus the few socket helpers that are
// clearer in C than through Swift's unsafe pointers.
#ifndef CFASTCGI_H
#define CFASTCGI_H

#include <fcgiapp.h>
#include <sys/types.h>

/// Creates, binds and listens on a unix stream socket at `path`, then sets its mode.
/// A stale socket file left by a crashed process is removed first; any other file at `path` is not
/// touched (the call fails with EADDRINUSE). Returns the descriptor, or -1 with errno set.
int CFastCGI_listen_unix(const char *path, int backlog, mode_t mode);

/// Returns 1 when `fd` is a listening stream socket (what nginx or systemd hand us), 0 otherwise.
int CFastCGI_is_listening_socket(int fd);

/// Waits up to `timeout_ms` (-1: forever) for the next request on a kept connection. Returns 1 when data is
/// there to read, 0 when the peer closed the connection, -1 on timeout, -2 when a signal interrupted the wait.
int CFastCGI_wait_on_connection(int fd, int timeout_ms);

/// Returns 1 when a connection waits in the listen backlog of `fd`, 0 otherwise.
int CFastCGI_has_pending_connection(int fd);

/// Sends one datagram to systemd's notification socket (`NOTIFY_SOCKET`; a leading '@' names an abstract
/// socket). Returns 0, or -1 with errno set.
int CFastCGI_notify(const char *socket_path, const char *message);

#endif
