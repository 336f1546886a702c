/*
 * gak-xs-loop: benchmark B5's libxenstore peer (docs/performance.md).
 * A synchronous loop on Debian's libxenstore: COUNT reads or writes of PATH,
 * one request in flight at a time, on the socket XENSTORED_PATH names.
 *
 * usage: gak-xs-loop read|write PATH COUNT
 * prints: "<ops> <seconds> <ops/s>"; exit 1 on any failed operation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xenstore.h>

int main(int argc, char **argv)
{
    if (argc != 4 || (strcmp(argv[1], "read") != 0 && strcmp(argv[1], "write") != 0)) {
        fprintf(stderr, "usage: %s read|write PATH COUNT\n", argv[0]);
        return 2;
    }
    int writing = strcmp(argv[1], "write") == 0;
    const char *path = argv[2];
    long count = strtol(argv[3], NULL, 10);
    struct xs_handle *xs = xs_open(0);
    if (xs == NULL) {
        perror("xs_open");
        return 1;
    }

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < count; i++) {
        if (writing) {
            if (!xs_write(xs, XBT_NULL, path, "benchmark-value", 15)) {
                perror("xs_write");
                return 1;
            }
        } else {
            unsigned int len;
            void *value = xs_read(xs, XBT_NULL, path, &len);
            if (value == NULL) {
                perror("xs_read");
                return 1;
            }
            free(value);
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("%ld %.6f %.0f\n", count, seconds, (double)count / seconds);
    xs_close(xs);
    return 0;
}
