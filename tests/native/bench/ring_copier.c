/*
 * gak-ring-copier: the raw limit of benchmark B1 (docs/performance.md).
 *
 * Moves BYTES pseudo-random bytes through the `out` ring (2048 bytes) of one
 * struct xencons_interface page, from a producer thread (the guest, hvc_xen's
 * role) to a consumer thread (dom0's), on the loopback notification mechanism
 * of docs/loopback.md: the page is a 4096-byte file mapped MAP_SHARED by each
 * end separately, and each end owns a FIFO (its event channel port) that the
 * other notifies by writing one byte O_NONBLOCK (EAGAIN = already pending).
 * A waiting end drains its FIFO and re-checks the ring, so no event is lost.
 *
 * No proxying logic: the consumer checks every byte against the source as it
 * arrives and drops it. Both ends notify after every produce/consume, as the
 * Xen console drivers do. With SPIN_US > 0 an end that finds the ring
 * empty/full first re-checks it for up to SPIN_US microseconds before it
 * blocks in poll(): the mechanism's best case.
 *
 * usage: gak-ring-copier DIR BYTES SPIN_US
 * prints: "<bytes> <seconds> <MiB/s>" on success; exit 1 on a mismatch or error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* struct xencons_interface (xen/include/public/io/console.h) */
#define IN_OFFSET 0
#define OUT_OFFSET 1024
#define OUT_SIZE 2048
#define OUT_CONS_OFFSET 3080
#define OUT_PROD_OFFSET 3084
#define PAGE_SIZE 4096

struct end {
    uint8_t *page;
    int own_fd;     /* our port's FIFO, read side */
    int peer_fd;    /* the other end's FIFO, write side */
};

static const char *dir;
static size_t total;
static long spin_ns;
static uint8_t *source;
/* Each end's own FIFO, opened O_RDWR before either end starts, so a notification always finds a reader. */
static int fifo_fds[2];
static pthread_barrier_t ready;
static struct timespec started, finished;

static volatile uint32_t *index_at(uint8_t *page, int offset)
{
    return (volatile uint32_t *)(page + offset);
}

static double now_seconds(const struct timespec *t)
{
    return (double)t->tv_sec + (double)t->tv_nsec / 1e9;
}

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static void notify(struct end *e)
{
    uint8_t one = 1;
    if (write(e->peer_fd, &one, 1) < 0 && errno != EAGAIN)
        die("notify");
}

/* Waits until *idx differs from seen: spin first (if asked), then block on our FIFO. */
static void wait_change(struct end *e, volatile uint32_t *idx, uint32_t seen)
{
    if (spin_ns > 0) {
        struct timespec t0, t;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        do {
            for (int i = 0; i < 64; i++) {
                if (*idx != seen)
                    return;
                __builtin_ia32_pause();
            }
            clock_gettime(CLOCK_MONOTONIC, &t);
        } while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < spin_ns);
    }
    uint8_t drain[64];
    while (read(e->own_fd, drain, sizeof drain) > 0)
        ;
    if (*idx != seen)
        return;
    struct pollfd p = { .fd = e->own_fd, .events = POLLIN };
    if (poll(&p, 1, -1) < 0 && errno != EINTR)
        die("poll");
}

static void open_end(struct end *e, int own_fd, const char *peer)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/page", dir);
    int fd = open(path, O_RDWR);
    if (fd < 0)
        die("open page");
    e->page = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (e->page == MAP_FAILED)
        die("mmap");
    close(fd);
    e->own_fd = own_fd;
    snprintf(path, sizeof path, "%s/%s", dir, peer);
    e->peer_fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (e->peer_fd < 0)
        die("open peer fifo");
}

static void *producer(void *unused)
{
    (void)unused;
    struct end e;
    open_end(&e, fifo_fds[0], "consumer.fifo");
    volatile uint32_t *cons_idx = index_at(e.page, OUT_CONS_OFFSET);
    volatile uint32_t *prod_idx = index_at(e.page, OUT_PROD_OFFSET);
    uint8_t *ring = e.page + OUT_OFFSET;
    pthread_barrier_wait(&ready);

    uint32_t prod = *prod_idx;
    size_t sent = 0;
    while (sent < total) {
        uint32_t cons = *cons_idx;
        __sync_synchronize(); /* mb(): read cons before writing data */
        uint32_t space = OUT_SIZE - (prod - cons);
        if (space == 0) {
            wait_change(&e, cons_idx, cons);
            continue;
        }
        size_t n = total - sent < space ? total - sent : space;
        for (size_t done = 0; done < n;) {
            uint32_t at = (prod + (uint32_t)done) & (OUT_SIZE - 1);
            size_t chunk = OUT_SIZE - at < n - done ? OUT_SIZE - at : n - done;
            memcpy(ring + at, source + sent + done, chunk);
            done += chunk;
        }
        prod += (uint32_t)n;
        sent += n;
        __sync_synchronize(); /* wmb(): data before the index */
        *prod_idx = prod;
        notify(&e);
    }
    return NULL;
}

static void *consumer(void *unused)
{
    (void)unused;
    struct end e;
    open_end(&e, fifo_fds[1], "producer.fifo");
    volatile uint32_t *cons_idx = index_at(e.page, OUT_CONS_OFFSET);
    volatile uint32_t *prod_idx = index_at(e.page, OUT_PROD_OFFSET);
    uint8_t *ring = e.page + OUT_OFFSET;
    uint8_t *chunk_buf = malloc(OUT_SIZE);
    pthread_barrier_wait(&ready);
    clock_gettime(CLOCK_MONOTONIC, &started);

    uint32_t cons = *cons_idx;
    size_t received = 0;
    while (received < total) {
        uint32_t prod = *prod_idx;
        __sync_synchronize(); /* rmb(): read prod before the data it covers */
        uint32_t used = prod - cons;
        if (used > OUT_SIZE) {
            fprintf(stderr, "broken ring: prod %u cons %u\n", prod, cons);
            exit(1);
        }
        if (used == 0) {
            wait_change(&e, prod_idx, prod);
            continue;
        }
        for (uint32_t done = 0; done < used;) {
            uint32_t at = (cons + done) & (OUT_SIZE - 1);
            uint32_t chunk = OUT_SIZE - at < used - done ? OUT_SIZE - at : used - done;
            memcpy(chunk_buf + done, ring + at, chunk);
            done += chunk;
        }
        if (memcmp(chunk_buf, source + received, used) != 0) {
            fprintf(stderr, "mismatch in bytes %zu..%zu\n", received, received + used);
            exit(1);
        }
        cons += used;
        received += used;
        __sync_synchronize(); /* mb(): copies out complete before the space is freed */
        *cons_idx = cons;
        notify(&e);
    }
    clock_gettime(CLOCK_MONOTONIC, &finished);
    free(chunk_buf);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s DIR BYTES SPIN_US\n", argv[0]);
        return 2;
    }
    dir = argv[1];
    total = strtoull(argv[2], NULL, 10);
    spin_ns = strtol(argv[3], NULL, 10) * 1000L;

    char path[4096];
    snprintf(path, sizeof path, "%s/page", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ftruncate(fd, PAGE_SIZE) != 0)
        die("create page");
    close(fd);
    const char *fifos[] = { "producer.fifo", "consumer.fifo" };
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, fifos[i]);
        unlink(path);
        if (mkfifo(path, 0660) != 0)
            die("mkfifo");
        fifo_fds[i] = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (fifo_fds[i] < 0)
            die("open fifo");
    }

    /* xorshift64*: the same bytes every run, generated before the clock starts. */
    source = malloc(total ? total : 1);
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < total; i++) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        source[i] = (uint8_t)((x * 0x2545F4914F6CDD1Dull) >> 56);
    }

    pthread_barrier_init(&ready, NULL, 2);
    pthread_t p, c;
    pthread_create(&c, NULL, consumer, NULL);
    pthread_create(&p, NULL, producer, NULL);
    pthread_join(p, NULL);
    pthread_join(c, NULL);
    double seconds = now_seconds(&finished) - now_seconds(&started);
    printf("%zu %.6f %.1f\n", total, seconds, (double)total / seconds / (1024.0 * 1024.0));
    return 0;
}
