// SPDX-License-Identifier: Apache-2.0
#define _GNU_SOURCE  // POLLRDHUP
#include "CFastCGI.h"

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
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

int CFastCGI_wait_on_connection(int fd, int timeout_ms) {
    struct pollfd entry = {.fd = fd, .events = POLLIN | POLLRDHUP};
    int ready = poll(&entry, 1, timeout_ms);
    if (ready < 0) return -2;
    if (ready == 0) return -1;
    if (entry.revents & (POLLRDHUP | POLLHUP | POLLERR)) {
        // Data and a close can arrive together: only a peek tells whether a request is still to be read.
        char byte;
        ssize_t peeked = recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        if (peeked <= 0) return 0;
    }
    return 1;
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
