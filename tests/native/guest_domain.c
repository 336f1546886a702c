/*
 * Test-only guest domain on the loopback convention (docs/loopback.md), driving Debian's real
 * xenstored/oxenstored (and xenconsoled) from the unprivileged side.
 *
 *   gak-guest-domain <domid> xenstore   introduce the domain, then over its xenstore ring page:
 *                                       READ its own node, relative WRITE, WRITE to a dom0 node
 *                                       (must be EACCES); then remove the marker, have dom0
 *                                       release it and wait for @releaseDomain.
 *   gak-guest-domain <domid> xenstore-vanish
 *                                       the same, but only the marker is removed (no XS_RELEASE):
 *                                       the daemon must notice through VIRQ_DOM_EXC.
 *   gak-guest-domain <domid> console <text>
 *                                       also set up the primary console (grant ref 0 + an unbound
 *                                       port, console/ nodes as the toolstack writes them), wait
 *                                       for xenconsoled's tty node, write <text> into the out ring
 *                                       and read it back from the pty; type on the pty and read
 *                                       it from the in ring.
 *
 * Environment: GAK_LOOPBACK_DIR (root R), XENSTORED_PATH (dom0's xenstore socket).
 * Each step prints one "ok ..." line; any failure prints "FAIL ..." and exits 1.
 * Links against the stand-in libxenevtchn (it acts as domain <domid>) and the real libxenstore
 * (it also acts as the dom0 toolstack over XENSTORED_PATH).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <xen/io/console.h>
#include <xen/io/xs_wire.h>
#include <xenevtchn.h>
#include <xenstore.h>

#define PAGE_SIZE_BYTES 4096
#define TIMEOUT_MS 5000
/* GNTTAB_RESERVED_CONSOLE, GNTTAB_RESERVED_XENSTORE */
#define REF_CONSOLE 0
#define REF_XENSTORE 1

static const char *root;
static unsigned domid;
static xenevtchn_handle *xce;

static void fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("FAIL ");
    vprintf(fmt, ap);
    printf(" (errno %d: %s)\n", errno, strerror(errno));
    va_end(ap);
    exit(1);
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *grant_page(unsigned ref)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/grants", root);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/grants/%u", root, domid);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/grants/%u/%u", root, domid, ref);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd == -1 || ftruncate(fd, PAGE_SIZE_BYTES) == -1)
        fail("create grant %s", path);
    void *page = mmap(NULL, PAGE_SIZE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (page == MAP_FAILED)
        fail("mmap grant %s", path);
    return page;
}

/* Waits for an event on my handle (any port), bounded by the deadline. */
static void wait_event(long deadline, const char *what)
{
    long left = deadline - now_ms();
    if (left <= 0)
        fail("timed out waiting for %s", what);
    struct pollfd pfd = { .fd = xenevtchn_fd(xce), .events = POLLIN };
    int n = poll(&pfd, 1, (int)left);
    if (n == -1)
        fail("poll evtchn");
    if (n == 0)
        fail("timed out waiting for %s", what);
    int port = xenevtchn_pending(xce);
    if (port == -1)
        fail("xenevtchn_pending");
    xenevtchn_unmask(xce, (evtchn_port_t)port);
}

/* ---- the xenstore ring, guest side (docs/misc/xenstore-ring.txt) ---- */

static struct xenstore_domain_interface *xs_ring;
static evtchn_port_t xs_port;
static uint32_t next_req_id = 1;

static void ring_write(const void *data, size_t len, long deadline)
{
    const char *bytes = data;
    while (len > 0) {
        XENSTORE_RING_IDX cons = xs_ring->req_cons, prod = xs_ring->req_prod;
        __sync_synchronize();
        size_t space = XENSTORE_RING_SIZE - (prod - cons);
        if (space == 0) {
            wait_event(deadline, "request ring space");
            continue;
        }
        size_t chunk = XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(prod);
        if (chunk > space)
            chunk = space;
        if (chunk > len)
            chunk = len;
        memcpy(xs_ring->req + MASK_XENSTORE_IDX(prod), bytes, chunk);
        __sync_synchronize();
        xs_ring->req_prod = prod + (XENSTORE_RING_IDX)chunk;
        xenevtchn_notify(xce, xs_port);
        bytes += chunk;
        len -= chunk;
    }
}

static void ring_read(void *data, size_t len, long deadline)
{
    char *bytes = data;
    while (len > 0) {
        XENSTORE_RING_IDX cons = xs_ring->rsp_cons, prod = xs_ring->rsp_prod;
        __sync_synchronize();
        size_t avail = prod - cons;
        if (avail == 0 || avail > XENSTORE_RING_SIZE) {
            if (avail > XENSTORE_RING_SIZE)
                fail("bad response ring indices cons=%u prod=%u", cons, prod);
            wait_event(deadline, "a xenstore response");
            continue;
        }
        size_t chunk = XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(cons);
        if (chunk > avail)
            chunk = avail;
        if (chunk > len)
            chunk = len;
        memcpy(bytes, xs_ring->rsp + MASK_XENSTORE_IDX(cons), chunk);
        __sync_synchronize();
        xs_ring->rsp_cons = cons + (XENSTORE_RING_IDX)chunk;
        xenevtchn_notify(xce, xs_port);
        bytes += chunk;
        len -= chunk;
    }
}

/* Sends one request; returns the reply type and copies the payload (NUL-terminated) to out. */
static uint32_t xs_request(uint32_t type, const char *a, const char *b, char *out, size_t out_size)
{
    long deadline = now_ms() + TIMEOUT_MS;
    size_t alen = strlen(a) + 1, blen = b != NULL ? strlen(b) : 0;
    struct xsd_sockmsg msg = { .type = type, .req_id = next_req_id++, .tx_id = 0, .len = (uint32_t)(alen + blen) };
    ring_write(&msg, sizeof(msg), deadline);
    ring_write(a, alen, deadline);
    if (blen > 0)
        ring_write(b, blen, deadline);
    struct xsd_sockmsg reply;
    for (;;) {
        ring_read(&reply, sizeof(reply), deadline);
        if (reply.len > XENSTORE_PAYLOAD_MAX)
            fail("reply length %u > XENSTORE_PAYLOAD_MAX", reply.len);
        char payload[XENSTORE_PAYLOAD_MAX + 1];
        ring_read(payload, reply.len, deadline);
        payload[reply.len] = '\0';
        if (reply.type == XS_WATCH_EVENT)
            continue;
        if (reply.req_id != msg.req_id)
            fail("reply req_id %u, expected %u", reply.req_id, msg.req_id);
        snprintf(out, out_size, "%s", payload);
        return reply.type;
    }
}

/* ---- dom0 toolstack side over the real libxenstore ---- */

static struct xs_handle *dom0;

static void dom0_write(const char *path, const char *value)
{
    if (!xs_write(dom0, XBT_NULL, path, value, strlen(value)))
        fail("dom0 write %s", path);
}

static void write_marker(const char *extra)
{
    char path[4096], text[512];
    snprintf(path, sizeof(path), "%s/domains", root);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/domains/%u", root, domid);
    snprintf(text, sizeof(text), "name=guest-%u\n%s", domid, extra);
    FILE *f = fopen(path, "w");
    if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0)
        fail("write marker %s", path);
}

/* What libxl does for a new domain: its home directory, owned by it, and its name. */
static void create_domain(evtchn_port_t console_port)
{
    char path[256], value[64], extra[128];
    snprintf(extra, sizeof(extra), "xs-port=%u\n", xs_port);
    if (console_port != 0)
        snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), "console-port=%u\n", console_port);
    write_marker(extra);
    snprintf(path, sizeof(path), "/local/domain/%u", domid);
    if (!xs_mkdir(dom0, XBT_NULL, path))
        fail("dom0 mkdir %s", path);
    struct xs_permissions perms[] = { { .id = domid, .perms = XS_PERM_NONE } };
    if (!xs_set_permissions(dom0, XBT_NULL, path, perms, 1))
        fail("dom0 set_permissions %s", path);
    snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
    snprintf(value, sizeof(value), "guest-%u", domid);
    dom0_write(path, value);
    /* A dom0-only node: the default permission "n0" gives other domains nothing. */
    dom0_write("/tool/gak-secret", "dom0 only");
}

static void check_xenstore_as_guest(void)
{
    char reply[XENSTORE_PAYLOAD_MAX + 1], path[256], expected[64];

    snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
    snprintf(expected, sizeof(expected), "guest-%u", domid);
    uint32_t type = xs_request(XS_READ, path, NULL, reply, sizeof(reply));
    if (type != XS_READ || strcmp(reply, expected) != 0)
        fail("guest READ %s: type %u payload '%s'", path, type, reply);
    printf("ok guest read %s = %s\n", path, reply);

    type = xs_request(XS_WRITE, "data/greeting", "hello from the ring", reply, sizeof(reply));
    if (type != XS_WRITE)
        fail("guest relative WRITE data/greeting: type %u payload '%s'", type, reply);
    snprintf(path, sizeof(path), "/local/domain/%u/data/greeting", domid);
    unsigned len;
    char *seen = xs_read(dom0, XBT_NULL, path, &len);
    if (seen == NULL || strcmp(seen, "hello from the ring") != 0)
        fail("dom0 read back %s", path);
    free(seen);
    printf("ok guest relative write data/greeting visible to dom0 at %s\n", path);

    type = xs_request(XS_WRITE, "/tool/gak-secret", "forged", reply, sizeof(reply));
    if (type != XS_ERROR || strcmp(reply, "EACCES") != 0)
        fail("guest WRITE /tool/gak-secret: type %u payload '%s', expected EACCES", type, reply);
    printf("ok guest write /tool/gak-secret = %s\n", reply);

    type = xs_request(XS_READ, "/tool/gak-secret", NULL, reply, sizeof(reply));
    if (type != XS_ERROR || strcmp(reply, "EACCES") != 0)
        fail("guest READ /tool/gak-secret: type %u payload '%s', expected EACCES", type, reply);
    printf("ok guest read /tool/gak-secret = %s\n", reply);
}

/* Waits for a watch event on token, bounded; the dom0 handle's fd is pollable. */
static void wait_watch(const char *token, const char *what)
{
    long deadline = now_ms() + TIMEOUT_MS;
    for (;;) {
        long left = deadline - now_ms();
        struct pollfd pfd = { .fd = xs_fileno(dom0), .events = POLLIN };
        if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
            fail("timed out waiting for %s", what);
        unsigned num;
        char **event = xs_read_watch(dom0, &num);
        if (event == NULL)
            fail("xs_read_watch");
        int match = strcmp(event[XS_WATCH_TOKEN], token) == 0;
        free(event);
        if (match)
            return;
    }
}

/* with_release_call: dom0 also sends XS_RELEASE; without, only the vanished marker (seen by the
 * daemon through VIRQ_DOM_EXC) tells xenstored the domain is gone. */
static void release_domain(int with_release_call)
{
    if (!xs_watch(dom0, "@releaseDomain", "gak-release"))
        fail("dom0 watch @releaseDomain");
    wait_watch("gak-release", "the initial @releaseDomain event");
    char path[4096];
    snprintf(path, sizeof(path), "%s/domains/%u", root, domid);
    if (unlink(path) == -1)
        fail("remove marker %s", path);
    /* xenstored may already have noticed (VIRQ_DOM_EXC); then release finds nothing: fine. */
    if (with_release_call)
        xs_release_domain(dom0, domid);
    wait_watch("gak-release", "@releaseDomain after the marker was removed");
    if (xs_is_domain_introduced(dom0, domid))
        fail("domain %u still introduced after release", domid);
    printf("ok @releaseDomain fired%s and domain %u is no longer introduced\n",
           with_release_call ? "" : " without XS_RELEASE", domid);
}

static struct xencons_interface *cons;
static evtchn_port_t cons_port;

static void check_console(const char *text)
{
    int port = (int)cons_port;
    char dir[128], path[192], value[64];
    snprintf(dir, sizeof(dir), "/local/domain/%u/console", domid);
    /* What libxl writes for the primary console (libxl__build_post / console device). */
    snprintf(path, sizeof(path), "%s/ring-ref", dir);
    dom0_write(path, "0");
    snprintf(path, sizeof(path), "%s/port", dir);
    snprintf(value, sizeof(value), "%d", port);
    dom0_write(path, value);
    snprintf(path, sizeof(path), "%s/type", dir);
    dom0_write(path, "xenconsoled");
    snprintf(path, sizeof(path), "%s/limit", dir);
    dom0_write(path, "1048576");
    snprintf(path, sizeof(path), "%s/output", dir);
    dom0_write(path, "pty");

    snprintf(path, sizeof(path), "%s/tty", dir);
    if (!xs_watch(dom0, path, "gak-tty"))
        fail("dom0 watch %s", path);
    char *tty = NULL;
    long deadline = now_ms() + TIMEOUT_MS;
    unsigned len;
    while ((tty = xs_read(dom0, XBT_NULL, path, &len)) == NULL || len == 0) {
        free(tty);
        if (now_ms() > deadline)
            fail("xenconsoled never wrote %s", path);
        wait_watch("gak-tty", "xenconsoled's tty node");
    }
    printf("ok xenconsoled serves console of domain %u on %s\n", domid, tty);

    int pty = open(tty, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (pty == -1)
        fail("open %s", tty);
    /* Guest output: copy into out[], publish out_prod, notify (XEN-FACTS §1 writer order). */
    size_t n = strlen(text);
    XENCONS_RING_IDX prod = cons->out_prod;
    for (size_t i = 0; i < n; i++)
        cons->out[MASK_XENCONS_IDX(prod + i, cons->out)] = text[i];
    __sync_synchronize();
    cons->out_prod = prod + (XENCONS_RING_IDX)n;
    xenevtchn_notify(xce, (evtchn_port_t)port);

    char got[2048];
    size_t have = 0;
    deadline = now_ms() + TIMEOUT_MS;
    while (have < n) {
        long left = deadline - now_ms();
        struct pollfd pfd = { .fd = pty, .events = POLLIN };
        if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
            fail("timed out reading %s (got %zu of %zu bytes)", tty, have, n);
        ssize_t r = read(pty, got + have, sizeof(got) - 1 - have);
        if (r <= 0)
            fail("read %s", tty);
        have += (size_t)r;
    }
    got[have] = '\0';
    if (strcmp(got, text) != 0)
        fail("pty gave '%s', expected '%s'", got, text);
    printf("ok console bytes arrived on the pty: %s\n", got);

    /* Guest input: what dom0 types on the pty lands in the in ring, announced by an event. */
    const char *typed = "typed on the pty";
    size_t typed_len = strlen(typed);
    if (write(pty, typed, typed_len) != (ssize_t)typed_len)
        fail("write %s", tty);
    deadline = now_ms() + TIMEOUT_MS;
    for (;;) {
        XENCONS_RING_IDX in_cons = cons->in_cons, in_prod = cons->in_prod;
        __sync_synchronize();
        if (in_prod - in_cons > sizeof(cons->in))
            fail("xenconsoled left bad in ring indices cons=%u prod=%u", in_cons, in_prod);
        if (in_prod - in_cons >= typed_len)
            break;
        wait_event(deadline, "console input from xenconsoled");
    }
    char in[sizeof(cons->in) + 1];
    XENCONS_RING_IDX in_cons = cons->in_cons;
    size_t in_len = cons->in_prod - in_cons;
    for (size_t i = 0; i < in_len; i++)
        in[i] = cons->in[MASK_XENCONS_IDX(in_cons + i, cons->in)];
    in[in_len] = '\0';
    __sync_synchronize();
    cons->in_cons = in_cons + (XENCONS_RING_IDX)in_len;
    if (strcmp(in, typed) != 0)
        fail("in ring holds '%s', expected '%s'", in, typed);
    printf("ok pty input arrived in the console in ring: %s\n", in);
    free(tty);
    close(pty);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 3 || (strcmp(argv[2], "console") == 0 && argc < 4)) {
        fprintf(stderr, "usage: %s <domid> xenstore|xenstore-vanish | <domid> console <text>\n", argv[0]);
        return 2;
    }
    root = getenv("GAK_LOOPBACK_DIR");
    if (root == NULL || getenv("XENSTORED_PATH") == NULL) {
        fprintf(stderr, "GAK_LOOPBACK_DIR and XENSTORED_PATH must be set\n");
        return 2;
    }
    domid = (unsigned)strtoul(argv[1], NULL, 10);
    int console = strcmp(argv[2], "console") == 0;

    /* From here on the evtchn stand-in acts as this domain. */
    char domid_text[16];
    snprintf(domid_text, sizeof(domid_text), "%u", domid);
    setenv("GAK_LOOPBACK_DOMID", domid_text, 1);
    xce = xenevtchn_open(NULL, 0);
    if (xce == NULL)
        fail("xenevtchn_open");
    xs_ring = grant_page(REF_XENSTORE);
    int port = xenevtchn_bind_unbound_port(xce, 0);
    if (port == -1)
        fail("bind_unbound_port for xenstored");
    xs_port = (evtchn_port_t)port;

    if (console) {
        cons = grant_page(REF_CONSOLE);
        port = xenevtchn_bind_unbound_port(xce, 0);
        if (port == -1)
            fail("bind_unbound_port for the console");
        cons_port = (evtchn_port_t)port;
    }

    dom0 = xs_open(0);
    if (dom0 == NULL)
        fail("xs_open dom0 socket");
    create_domain(cons_port);
    if (!xs_introduce_domain(dom0, domid, 0, xs_port))
        fail("xs_introduce_domain %u port %u", domid, xs_port);
    printf("ok introduced domain %u with xenstore port %u\n", domid, xs_port);

    if (console) {
        check_console(argv[3]);
    } else {
        check_xenstore_as_guest();
        release_domain(strcmp(argv[2], "xenstore-vanish") != 0);
    }
    xs_close(dom0);
    xenevtchn_close(xce);
    return 0;
}
