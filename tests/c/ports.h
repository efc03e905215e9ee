/* ports.h: a port on 127.0.0.1 where nothing listens, for the C tests of a
 * refused connection. Include after defining _POSIX_C_SOURCE (200112L or
 * later) or _GNU_SOURCE. */
#ifndef REQC_PORTS_H
#define REQC_PORTS_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A port on 127.0.0.1 where nothing listens (bound, then closed), or 0. */
static inline int closed_port(void) {
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;
    if (fd < 0) return 0;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

/* "http://127.0.0.1:PORT/refused" on a closed_port() (port 1 when none was
 * found), in a static buffer overwritten by the next call. */
static inline const char *refused_url(void) {
    static char buf[64];
    int port = closed_port();
    snprintf(buf, sizeof buf, "http://127.0.0.1:%d/refused", port ? port : 1);
    return buf;
}

#endif
