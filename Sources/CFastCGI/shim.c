// SPDX-License-Identifier: Apache-2.0
#define _GNU_SOURCE  // accept4
#include "CFastCGI.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/// A socket file nobody listens on is stale: connecting to it fails with ECONNREFUSED.
static int is_stale_socket(const char *path, const struct sockaddr_un *address) {
    struct stat info;
    if (lstat(path, &info) != 0 || !S_ISSOCK(info.st_mode)) return 0;
    int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (probe < 0) return 0;
    int refused = connect(probe, (const struct sockaddr *)address, sizeof(*address)) != 0 && errno == ECONNREFUSED;
    close(probe);
    return refused;
}

int CFastCGI_listen_unix(const char *path, int backlog, mode_t mode) {
    struct sockaddr_un address;
    memset(&address, 0, sizeof(address));
    address.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(address.sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(address.sun_path, path);
    if (is_stale_socket(path, &address)) unlink(path);

    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (bind(fd, (const struct sockaddr *)&address, sizeof(address)) != 0 || chmod(path, mode) != 0 ||
        listen(fd, backlog) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int CFastCGI_is_listening_socket(int fd) {
    int listening = 0;
    socklen_t length = sizeof(listening);
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) != 0) return 0;
    return listening != 0;
}

int CFastCGI_has_pending_connection(int fd) {
    struct pollfd entry = {.fd = fd, .events = POLLIN};
    return poll(&entry, 1, 0) > 0 && (entry.revents & POLLIN) != 0;
}

int CFastCGI_notify(const char *socket_path, const char *message) {
    struct sockaddr_un address;
    memset(&address, 0, sizeof(address));
    address.sun_family = AF_UNIX;
    size_t length = strlen(socket_path);
    if (length == 0 || length >= sizeof(address.sun_path)) {
        errno = EINVAL;
        return -1;
    }
    memcpy(address.sun_path, socket_path, length);
    if (address.sun_path[0] == '@') address.sun_path[0] = 0;  // an abstract socket
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    ssize_t sent = sendto(fd, message, strlen(message), MSG_NOSIGNAL, (const struct sockaddr *)&address,
                          (socklen_t)(offsetof(struct sockaddr_un, sun_path) + length));
    int saved = errno;
    close(fd);
    errno = saved;
    return sent < 0 ? -1 : 0;
}

// MARK: - The connection poll (one epoll set per process, waited on by every worker thread)

int CFastCGI_poll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int CFastCGI_poll_arm(int poll_fd, int fd, uint64_t tag, int first_time) {
    struct epoll_event event;
    memset(&event, 0, sizeof(event));
    event.events = EPOLLIN | EPOLLONESHOT;
    event.data.u64 = tag;
    return epoll_ctl(poll_fd, first_time ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &event);
}

int CFastCGI_poll_remove(int poll_fd, int fd) { return epoll_ctl(poll_fd, EPOLL_CTL_DEL, fd, NULL); }

int64_t CFastCGI_poll_wait(int poll_fd, int timeout_ms) {
    struct epoll_event event;
    int count = epoll_wait(poll_fd, &event, 1, timeout_ms);
    if (count < 0) return -2;
    if (count == 0) return -1;
    return (int64_t)event.data.u64;
}

int CFastCGI_set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/// Whether `address` is in `allowed`, a comma-separated list of IPv4 addresses (libfcgi's FCGI_WEB_SERVER_ADDRS).
static int is_allowed_address(const struct sockaddr_in *address, const char *allowed) {
    char text[INET_ADDRSTRLEN];
    if (inet_ntop(AF_INET, &address->sin_addr, text, sizeof(text)) == NULL) return 0;
    size_t length = strlen(text);
    for (const char *entry = allowed; *entry != 0;) {
        const char *end = strchr(entry, ',');
        size_t entry_length = end ? (size_t)(end - entry) : strlen(entry);
        while (entry_length > 0 && *entry == ' ') { entry++; entry_length--; }
        while (entry_length > 0 && entry[entry_length - 1] == ' ') entry_length--;
        if (entry_length == length && strncmp(entry, text, length) == 0) return 1;
        if (!end) break;
        entry = end + 1;
    }
    return 0;
}

int CFastCGI_accept(int listen_fd, const char *allowed_addresses) {
    union {
        struct sockaddr any;
        struct sockaddr_in in;
        struct sockaddr_in6 in6;
        struct sockaddr_un un;
    } address;
    socklen_t length = sizeof(address);
    int fd = accept4(listen_fd, &address.any, &length, SOCK_CLOEXEC);
    if (fd < 0) return -1;
    // nginx sends a request whole and reads the answer at once: a peer that stops halfway through either frees
    // the thread reading or writing for it after 10 s, instead of holding it for good.
    struct timeval limit = {.tv_sec = 10, .tv_usec = 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof(limit));
    if (address.any.sa_family == AF_INET || address.any.sa_family == AF_INET6) {
        int on = 1;  // FastCGI replies are never answered: no Nagle delay (as libfcgi does)
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
        if (allowed_addresses != NULL && *allowed_addresses != 0 &&
            (address.any.sa_family != AF_INET || !is_allowed_address(&address.in, allowed_addresses))) {
            close(fd);
            return -2;
        }
    }
    return fd;
}

int CFastCGI_connection_state(int fd) {
    char byte;
    ssize_t peeked = recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (peeked > 0) return 1;
    if (peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return 2;
    return 0;
}
