/*
 * Test-only check of the stand-in libxengnttab/libxenevtchn against docs/loopback.md, as two
 * domains in one process (each handle takes "my" domid from GAK_LOOPBACK_DOMID when opened):
 * grants shared by domain 3 and mapped by dom0, an interdomain event channel between them.
 * Prints one "ok ..." line per property; "FAIL ..." and exit 1 on the first violation.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xenevtchn.h>
#include <xengnttab.h>

static const char *root;

static void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(int ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf(ok ? "ok " : "FAIL ");
    vprintf(fmt, ap);
    if (!ok)
        printf(" (errno %d: %s)", errno, strerror(errno));
    printf("\n");
    va_end(ap);
    if (!ok)
        exit(1);
}

static void act_as(unsigned domid)
{
    char text[16];
    snprintf(text, sizeof(text), "%u", domid);
    setenv("GAK_LOOPBACK_DOMID", text, 1);
}

static int file_exists(const char *fmt, unsigned a, unsigned b, const char *suffix)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/", root);
    snprintf(path + strlen(path), sizeof(path) - strlen(path), fmt, a, b, suffix);
    return access(path, F_OK) == 0;
}

static int readable(int fd, int timeout_ms)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    return poll(&pfd, 1, timeout_ms) == 1;
}

static void grants(void)
{
    act_as(3);
    xengntshr_handle *shr = xengntshr_open(NULL, 0);
    check(shr != NULL, "domain 3 opens xengntshr");
    uint32_t refs[2];
    unsigned char *shared = xengntshr_share_pages(shr, 0, 2, refs, 1);
    check(shared != NULL && refs[0] >= 8 && refs[1] >= 8 && refs[0] != refs[1],
          "domain 3 shares 2 pages as refs %u and %u (from 8 up)", refs[0], refs[1]);
    check(file_exists("grants/%u/%u%s", 3, refs[0], "") && file_exists("grants/%u/%u%s", 3, refs[1], ""),
          "the shared pages are files R/grants/3/<ref>");
    shared[0] = 0xAB;
    shared[4096 + 4095] = 0xCD;

    act_as(0);
    xengnttab_handle *tab = xengnttab_open(NULL, 0);
    check(tab != NULL, "dom0 opens xengnttab");
    unsigned char *mapped = xengnttab_map_domain_grant_refs(tab, 2, 3, refs, PROT_READ | PROT_WRITE);
    check(mapped != NULL && mapped[0] == 0xAB && mapped[4096 + 4095] == 0xCD, "dom0 maps both refs and sees domain 3's bytes");
    mapped[1] = 0xEF;
    check(shared[1] == 0xEF, "dom0's writes are visible to domain 3 (MAP_SHARED)");
    errno = 0;
    check(xengnttab_map_grant_ref(tab, 3, 7, PROT_READ) == NULL && errno == EINVAL,
          "mapping a ref domain 3 never granted fails with EINVAL");
    check(xengnttab_unmap(tab, mapped, 2) == 0, "dom0 unmaps");
    xengnttab_close(tab);

    check(xengntshr_unshare(shr, shared, 2) == 0 && !file_exists("grants/%u/%u%s", 3, refs[0], ""),
          "unsharing removes the grant files");
    xengntshr_close(shr);
}

static void event_channels(void)
{
    act_as(3);
    xenevtchn_handle *guest = xenevtchn_open(NULL, 0);
    check(guest != NULL, "domain 3 opens xenevtchn");
    int guest_port = xenevtchn_bind_unbound_port(guest, 0);
    check(guest_port >= 1 && file_exists("evtchn/%u/%u%s", 3, (unsigned)guest_port, ".unbound"),
          "domain 3 allocates unbound port %d for dom0 (FIFO + .unbound)", guest_port);

    act_as(9);
    xenevtchn_handle *stranger = xenevtchn_open(NULL, 0);
    errno = 0;
    check(xenevtchn_bind_interdomain(stranger, 3, (evtchn_port_t)guest_port) == -1 && errno == EINVAL,
          "domain 9 cannot bind a port offered to dom0 (EINVAL)");
    xenevtchn_close(stranger);

    act_as(0);
    xenevtchn_handle *host = xenevtchn_open(NULL, 0);
    int host_port = xenevtchn_bind_interdomain(host, 3, (evtchn_port_t)guest_port);
    check(host_port >= 1 && file_exists("evtchn/%u/%u%s", 0, (unsigned)host_port, ".peer")
              && file_exists("evtchn/%u/%u%s", 3, (unsigned)guest_port, ".peer"),
          "dom0 binds it as its port %d; both ends have .peer", host_port);

    check(!readable(xenevtchn_fd(guest), 0), "domain 3's fd is not readable before a notify");
    check(xenevtchn_notify(host, (evtchn_port_t)host_port) == 0 && xenevtchn_notify(host, (evtchn_port_t)host_port) == 0,
          "dom0 notifies twice");
    check(readable(xenevtchn_fd(guest), 1000), "domain 3's fd becomes readable (poll)");
    check(xenevtchn_pending(guest) == guest_port && xenevtchn_unmask(guest, (evtchn_port_t)guest_port) == 0,
          "pending returns domain 3's port");
    check(!readable(xenevtchn_fd(guest), 0), "the two notifications coalesced into one event");

    check(xenevtchn_notify(guest, (evtchn_port_t)guest_port) == 0 && readable(xenevtchn_fd(host), 1000)
              && xenevtchn_pending(host) == host_port,
          "notifications flow back to dom0's port");

    check(xenevtchn_unbind(guest, (evtchn_port_t)guest_port) == 0
              && !file_exists("evtchn/%u/%u%s", 3, (unsigned)guest_port, "")
              && !file_exists("evtchn/%u/%u%s", 3, (unsigned)guest_port, ".peer"),
          "unbinding removes the port's FIFO and .peer");
    check(xenevtchn_notify(host, (evtchn_port_t)host_port) == 0, "notifying a port nobody binds is dropped, not an error");
    xenevtchn_close(guest);
    xenevtchn_close(host);
    check(!file_exists("evtchn/%u/%u%s", 0, (unsigned)host_port, ""), "closing a handle unbinds its ports");
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    root = getenv("GAK_LOOPBACK_DIR");
    if (root == NULL) {
        fprintf(stderr, "GAK_LOOPBACK_DIR must be set\n");
        return 2;
    }
    grants();
    event_channels();
    return 0;
}
