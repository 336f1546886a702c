/*
 * Test-only libxenevtchn.so.1 on the loopback convention (docs/loopback.md):
 * a port of domain D is the FIFO R/evtchn/D/<port>; one byte in it = event pending.
 *
 * A handle is an epoll fd over the FIFOs of the ports bound on it, so xenevtchn_fd() is
 * pollable exactly like /dev/xen/evtchn: readable while some bound port is pending.
 * VIRQ_DOM_EXC is an inotify watch on R/domains, so domains appearing or vanishing wake
 * xenstored/xenconsoled the way the hypervisor's "domain exception" virq does.
 */
#define _GNU_SOURCE
#include "loopback.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xenevtchn.h>
#include <xen/xen.h>

/* Xen's 2-level ABI limit per domain (EVTCHN_2L_NR_CHANNELS on 64-bit). */
#define GAK_MAX_PORTS 4096

struct bound_port {
    evtchn_port_t port;
    int fd;         /* FIFO (O_RDWR: never EOF) or inotify fd for VIRQ_DOM_EXC */
    int is_virq;    /* no FIFO file of ours to remove on unbind */
    struct bound_port *next;
};

struct xenevtchn_handle {
    int epfd;
    uint32_t domid;
    struct bound_port *ports;
};

static int port_path(char *buf, size_t size, uint32_t domid, evtchn_port_t port, const char *suffix)
{
    return gak_path(buf, size, "evtchn/%u/%u%s", domid, port, suffix);
}

xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger, unsigned open_flags)
{
    (void)logger;
    if (gak_root() == NULL)
        return NULL;
    xenevtchn_handle *h = calloc(1, sizeof(*h));
    if (h == NULL)
        return NULL;
    h->epfd = epoll_create1((open_flags & XENEVTCHN_NO_CLOEXEC) ? 0 : EPOLL_CLOEXEC);
    if (h->epfd == -1) {
        free(h);
        return NULL;
    }
    h->domid = gak_my_domid();
    return h;
}

/* Only used by xenstored's live update; the fd must be one of ours (an epoll fd). */
xenevtchn_handle *xenevtchn_fdopen(struct xentoollog_logger *logger, int fd, unsigned open_flags)
{
    (void)logger;
    if (open_flags != 0) {
        errno = EINVAL;
        return NULL;
    }
    xenevtchn_handle *h = calloc(1, sizeof(*h));
    if (h == NULL)
        return NULL;
    h->epfd = fd;
    h->domid = gak_my_domid();
    return h;
}

static void release_port(xenevtchn_handle *h, struct bound_port *p)
{
    epoll_ctl(h->epfd, EPOLL_CTL_DEL, p->fd, NULL);
    close(p->fd);
    if (!p->is_virq) {
        char path[4096];
        if (port_path(path, sizeof(path), h->domid, p->port, "") == 0)
            unlink(path);
        if (port_path(path, sizeof(path), h->domid, p->port, ".peer") == 0)
            unlink(path);
        if (port_path(path, sizeof(path), h->domid, p->port, ".unbound") == 0)
            unlink(path);
    }
    free(p);
}

int xenevtchn_close(xenevtchn_handle *h)
{
    if (h == NULL)
        return 0;
    while (h->ports != NULL) {
        struct bound_port *p = h->ports;
        h->ports = p->next;
        release_port(h, p);
    }
    close(h->epfd);
    free(h);
    return 0;
}

int xenevtchn_fd(xenevtchn_handle *h)
{
    return h->epfd;
}

static int track(xenevtchn_handle *h, evtchn_port_t port, int fd, int is_virq)
{
    struct bound_port *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return -1;
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = port };
    if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, fd, &ev) == -1) {
        free(p);
        return -1;
    }
    p->port = port;
    p->fd = fd;
    p->is_virq = is_virq;
    p->next = h->ports;
    h->ports = p;
    return 0;
}

/* Allocates the lowest free port of my domain by mkfifo (EEXIST = taken) and binds it here. */
static xenevtchn_port_or_error_t alloc_port(xenevtchn_handle *h)
{
    char dir[4096], path[4096];
    if (gak_path(dir, sizeof(dir), "evtchn/%u", h->domid) == -1 || gak_mkdirs(dir) == -1)
        return -1;
    for (evtchn_port_t port = 1; port < GAK_MAX_PORTS; port++) {
        if (port_path(path, sizeof(path), h->domid, port, "") == -1)
            return -1;
        if (mkfifo(path, 0600) == -1) {
            if (errno == EEXIST)
                continue;
            return -1;
        }
        int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (fd == -1 || track(h, port, fd, 0) == -1) {
            int saved = errno;
            if (fd != -1)
                close(fd);
            unlink(path);
            errno = saved;
            return -1;
        }
        return (xenevtchn_port_or_error_t)port;
    }
    errno = ENOSPC;
    return -1;
}

xenevtchn_port_or_error_t xenevtchn_bind_unbound_port(xenevtchn_handle *h, uint32_t domid)
{
    xenevtchn_port_or_error_t port = alloc_port(h);
    if (port == -1)
        return -1;
    char path[4096], text[32];
    snprintf(text, sizeof(text), "%u\n", domid);
    if (port_path(path, sizeof(path), h->domid, (evtchn_port_t)port, ".unbound") == -1
        || gak_write_file_atomic(path, text) == -1) {
        int saved = errno;
        xenevtchn_unbind(h, (evtchn_port_t)port);
        errno = saved;
        return -1;
    }
    return port;
}

xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *h, uint32_t domid,
                                                     evtchn_port_t remote_port)
{
    /* Xen's evtchn_bind_interdomain: the remote port must be unbound and offered to me. */
    char path[4096], text[64];
    if (port_path(path, sizeof(path), domid, remote_port, ".unbound") == -1)
        return -1;
    if (gak_read_file(path, text, sizeof(text)) == -1 || strtoul(text, NULL, 10) != h->domid) {
        errno = EINVAL;
        return -1;
    }
    xenevtchn_port_or_error_t port = alloc_port(h);
    if (port == -1)
        return -1;
    /* First the remote's .peer, then mine (docs/loopback.md). */
    snprintf(text, sizeof(text), "%u %d\n", h->domid, port);
    if (port_path(path, sizeof(path), domid, remote_port, ".peer") == -1 || gak_write_file_atomic(path, text) == -1)
        goto fail;
    snprintf(text, sizeof(text), "%u %u\n", domid, remote_port);
    if (port_path(path, sizeof(path), h->domid, (evtchn_port_t)port, ".peer") == -1
        || gak_write_file_atomic(path, text) == -1)
        goto fail;
    return port;
fail:;
    int saved = errno;
    xenevtchn_unbind(h, (evtchn_port_t)port);
    errno = saved;
    return -1;
}

xenevtchn_port_or_error_t xenevtchn_bind_virq(xenevtchn_handle *h, unsigned int virq)
{
    /* A virq port takes a number from my domain's port space like any other. */
    xenevtchn_port_or_error_t port = alloc_port(h);
    if (port == -1 || virq != VIRQ_DOM_EXC)
        return port; /* other virqs (VIRQ_CON_RING...) never fire on the loopback */
    char dir[4096];
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd == -1 || gak_path(dir, sizeof(dir), "domains") == -1 || gak_mkdirs(dir) == -1
        || inotify_add_watch(fd, dir, IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE) == -1
        || track(h, (evtchn_port_t)port, fd, 1) == -1) {
        int saved = errno;
        if (fd != -1)
            close(fd);
        xenevtchn_unbind(h, (evtchn_port_t)port);
        errno = saved;
        return -1;
    }
    return port;
}

int xenevtchn_notify(xenevtchn_handle *h, evtchn_port_t port)
{
    char path[4096], text[64];
    if (port_path(path, sizeof(path), h->domid, port, ".peer") == -1)
        return -1;
    if (gak_read_file(path, text, sizeof(text)) == -1) {
        errno = EINVAL; /* not an interdomain port */
        return -1;
    }
    unsigned remote_domid, remote_port;
    if (sscanf(text, "%u %u", &remote_domid, &remote_port) != 2) {
        errno = EINVAL;
        return -1;
    }
    if (port_path(path, sizeof(path), remote_domid, remote_port, "") == -1)
        return -1;
    int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd == -1)
        return 0; /* ENXIO/ENOENT: nobody bound there; Xen drops it too */
    char one = 1;
    if (write(fd, &one, 1) == -1 && errno != EAGAIN) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    close(fd);
    return 0;
}

int xenevtchn_unbind(xenevtchn_handle *h, evtchn_port_t port)
{
    int found = 0;
    struct bound_port **pp = &h->ports;
    while (*pp != NULL) {
        struct bound_port *p = *pp;
        if (p->port != port) {
            pp = &p->next;
            continue;
        }
        *pp = p->next;
        release_port(h, p);
        found = 1;
    }
    if (!found) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

/* Blocks (like a read of /dev/xen/evtchn) until a bound port is pending, drains it, returns it. */
xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *h)
{
    struct epoll_event ev;
    int n;
    do
        n = epoll_wait(h->epfd, &ev, 1, -1);
    while (n == -1 && errno == EINTR);
    if (n != 1)
        return -1;
    evtchn_port_t port = ev.data.u32;
    for (struct bound_port *p = h->ports; p != NULL; p = p->next) {
        if (p->port != port)
            continue;
        char drain[512];
        while (read(p->fd, drain, sizeof(drain)) > 0)
            ;
    }
    return (xenevtchn_port_or_error_t)port;
}

/* Draining in pending() already re-armed the port; events that came since wait in the FIFO. */
int xenevtchn_unmask(xenevtchn_handle *h, evtchn_port_t port)
{
    (void)h;
    (void)port;
    return 0;
}

int xenevtchn_restrict(xenevtchn_handle *h, domid_t domid)
{
    (void)h;
    (void)domid;
    return 0;
}
