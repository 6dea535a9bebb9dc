// The floor for `make bench`: the least a libfcgi worker can do per request. Same threading model as graphql-fcgi
// (N threads each in FCGX_Accept_r on one socket), reads the body, answers a constant JSON document.
// Build: cc -O2 -o floor floor.c -lfcgi -lpthread. Run: floor SOCKET_PATH [THREADS]
#include <fcgiapp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int listen_socket;
static const char response[] =
    "Status: 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 34\r\n\r\n"
    "{\"data\":{\"hello\":\"Hello, world!\"}}";

static void *serve(void *unused) {
    (void)unused;
    FCGX_Request request;
    FCGX_InitRequest(&request, listen_socket, 0);
    char body[16384];
    while (FCGX_Accept_r(&request) >= 0) {
        while (FCGX_GetStr(body, sizeof body, request.in) > 0) {}
        FCGX_PutStr(response, sizeof response - 1, request.out);
        FCGX_Finish_r(&request);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s SOCKET_PATH [THREADS]\n", argv[0]);
        return 2;
    }
    int threads = argc > 2 ? atoi(argv[2]) : 64;
    FCGX_Init();
    unlink(argv[1]);
    listen_socket = FCGX_OpenSocket(argv[1], 1024);
    if (listen_socket < 0) return 1;
    chmod(argv[1], 0660);
    pthread_t ids[threads];
    for (int i = 0; i < threads; i++) pthread_create(&ids[i], NULL, serve, NULL);
    for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
    return 0;
}
