/*
 * gak-xs-raw: benchmark B5's bound (docs/performance.md). The least a client
 * can do against xenstored: raw xs_wire.h messages on its Unix socket, WINDOW
 * requests in flight, each batch of requests sent in one write() and replies
 * parsed straight out of the receive buffer. Nothing is decoded beyond the
 * header; a reply of type XS_ERROR fails the run.
 *
 * usage: gak-xs-raw read|write SOCKET PATH COUNT WINDOW
 * prints: "<ops> <seconds> <ops/s>"; exit 1 on an error reply or I/O error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* xs_wire.h */
struct xsd_sockmsg {
    uint32_t type;
    uint32_t req_id;
    uint32_t tx_id;
    uint32_t len;
};
#define XS_READ 2
#define XS_WRITE 11
#define XS_ERROR 16
#define XENSTORE_PAYLOAD_MAX 4096

static void die(const char *what)
{
    perror(what);
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc != 6 || (strcmp(argv[1], "read") != 0 && strcmp(argv[1], "write") != 0)) {
        fprintf(stderr, "usage: %s read|write SOCKET PATH COUNT WINDOW\n", argv[0]);
        return 2;
    }
    int writing = strcmp(argv[1], "write") == 0;
    const char *path = argv[3];
    long count = strtol(argv[4], NULL, 10);
    long window = strtol(argv[5], NULL, 10);

    /* One request, encoded once; only req_id changes. READ: "path\0"; WRITE: "path\0value". */
    uint8_t request[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
    size_t path_len = strlen(path) + 1;
    const char *value = "benchmark-value";
    size_t payload = path_len + (writing ? strlen(value) : 0);
    struct xsd_sockmsg header = { writing ? XS_WRITE : XS_READ, 0, 0, (uint32_t)payload };
    memcpy(request + sizeof header, path, path_len);
    if (writing)
        memcpy(request + sizeof header + path_len, value, strlen(value));
    size_t request_size = sizeof header + payload;

    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    strncpy(addr.sun_path, argv[2], sizeof addr.sun_path - 1);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0)
        die("connect");

    uint8_t *out = malloc(request_size * (size_t)window);
    size_t in_cap = 1 << 20, in_len = 0;
    uint8_t *in = malloc(in_cap);
    long sent = 0, answered = 0;
    uint32_t next_id = 1;

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (answered < count) {
        size_t out_len = 0;
        while (sent < count && sent - answered < window) {
            header.req_id = next_id++;
            memcpy(request, &header, sizeof header);
            memcpy(out + out_len, request, request_size);
            out_len += request_size;
            sent++;
        }
        for (size_t off = 0; off < out_len;) {
            ssize_t n = write(fd, out + off, out_len - off);
            if (n <= 0)
                die("write");
            off += (size_t)n;
        }
        ssize_t n = read(fd, in + in_len, in_cap - in_len);
        if (n <= 0)
            die("read");
        in_len += (size_t)n;
        size_t off = 0;
        while (in_len - off >= sizeof(struct xsd_sockmsg)) {
            struct xsd_sockmsg reply;
            memcpy(&reply, in + off, sizeof reply);
            if (in_len - off < sizeof reply + reply.len)
                break;
            if (reply.type == XS_ERROR) {
                fprintf(stderr, "xenstored answered XS_ERROR %.*s\n", (int)reply.len, (char *)in + off + sizeof reply);
                return 1;
            }
            off += sizeof reply + reply.len;
            answered++;
        }
        memmove(in, in + off, in_len - off);
        in_len -= off;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("%ld %.6f %.0f\n", count, seconds, (double)count / seconds);
    close(fd);
    return 0;
}
