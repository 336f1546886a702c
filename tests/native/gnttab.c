/*
 * Test-only libxengnttab.so.1 on the loopback convention (docs/loopback.md):
 * grant <ref> of domain D is the 4096-byte file R/grants/D/<ref>, mapped MAP_SHARED by both ends.
 * The granting side (xengntshr_*) allocates refs from GNTTAB_NR_RESERVED_ENTRIES (8) up by
 * exclusive create.
 */
#define _GNU_SOURCE
#include "loopback.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xengnttab.h>

/* GNTTAB_NR_RESERVED_ENTRIES: refs 0 (console) .. 7 are reserved. */
#define GAK_FIRST_FREE_REF 8u
/* Bound on refs one domain may grant on the loopback (Xen's default max_grant_frames * 512). */
#define GAK_MAX_REFS 32768u

/* A region shared through xengntshr_*: its refs are ungranted (files removed) on unshare. */
struct shared_region {
    void *addr;
    uint32_t count;
    uint32_t *refs;
    struct shared_region *next;
};

struct xengntdev_handle {
    uint32_t domid;
    struct shared_region *shared;
};

static struct xengntdev_handle *open_handle(void)
{
    if (gak_root() == NULL)
        return NULL;
    struct xengntdev_handle *h = calloc(1, sizeof(*h));
    if (h != NULL)
        h->domid = gak_my_domid();
    return h;
}

xengnttab_handle *xengnttab_open(struct xentoollog_logger *logger, unsigned open_flags)
{
    (void)logger;
    (void)open_flags;
    return open_handle();
}

int xengnttab_close(xengnttab_handle *h)
{
    free(h);
    return 0;
}

/* No device behind the handle; callers only use it to poll for dmabuf events. */
int xengnttab_fd(xengnttab_handle *h)
{
    (void)h;
    errno = ENOSYS;
    return -1;
}

int xengnttab_set_max_grants(xengnttab_handle *h, uint32_t nr_grants)
{
    (void)h;
    (void)nr_grants;
    return 0;
}

/* Reserves count pages of address space, then maps each grant file over its slot. */
static void *map_refs(uint32_t count, const uint32_t *domids, uint32_t domid, const uint32_t *refs, int prot)
{
    if (count == 0) {
        errno = EINVAL;
        return NULL;
    }
    size_t len = (size_t)count * GAK_PAGE_SIZE;
    char *base = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return NULL;
    for (uint32_t i = 0; i < count; i++) {
        char path[4096];
        uint32_t d = domids != NULL ? domids[i] : domid;
        int fd = -1;
        if (gak_path(path, sizeof(path), "grants/%u/%u", d, refs[i]) == 0)
            fd = open(path, (prot & PROT_WRITE) ? O_RDWR | O_CLOEXEC : O_RDONLY | O_CLOEXEC);
        void *page = fd == -1 ? MAP_FAILED
            : mmap(base + (size_t)i * GAK_PAGE_SIZE, GAK_PAGE_SIZE, prot, MAP_SHARED | MAP_FIXED, fd, 0);
        int saved = errno;
        if (fd != -1)
            close(fd);
        if (page == MAP_FAILED) {
            munmap(base, len);
            /* The gntdev ioctl fails with EINVAL for a ref that is not granted. */
            errno = saved == ENOENT ? EINVAL : saved;
            return NULL;
        }
    }
    return base;
}

void *xengnttab_map_grant_ref(xengnttab_handle *h, uint32_t domid, uint32_t ref, int prot)
{
    (void)h;
    return map_refs(1, NULL, domid, &ref, prot);
}

void *xengnttab_map_grant_refs(xengnttab_handle *h, uint32_t count, uint32_t *domids, uint32_t *refs, int prot)
{
    (void)h;
    return map_refs(count, domids, 0, refs, prot);
}

void *xengnttab_map_domain_grant_refs(xengnttab_handle *h, uint32_t count, uint32_t domid, uint32_t *refs, int prot)
{
    (void)h;
    return map_refs(count, NULL, domid, refs, prot);
}

/* The unmap notification is not modelled: loopback peers learn of teardown via xenstore. */
void *xengnttab_map_grant_ref_notify(xengnttab_handle *h, uint32_t domid, uint32_t ref, int prot,
                                     uint32_t notify_offset, evtchn_port_t notify_port)
{
    (void)h;
    (void)notify_offset;
    (void)notify_port;
    return map_refs(1, NULL, domid, &ref, prot);
}

int xengnttab_unmap(xengnttab_handle *h, void *start_address, uint32_t count)
{
    (void)h;
    return munmap(start_address, (size_t)count * GAK_PAGE_SIZE);
}

int xengnttab_grant_copy(xengnttab_handle *h, uint32_t count, xengnttab_grant_copy_segment_t *segs)
{
    (void)h;
    (void)count;
    (void)segs;
    errno = ENOSYS;
    return -1;
}

int xengnttab_dmabuf_exp_from_refs(xengnttab_handle *h, uint32_t domid, uint32_t flags, uint32_t count,
                                   const uint32_t *refs, uint32_t *dmabuf_fd)
{
    (void)h; (void)domid; (void)flags; (void)count; (void)refs; (void)dmabuf_fd;
    errno = ENOSYS;
    return -1;
}

int xengnttab_dmabuf_exp_wait_released(xengnttab_handle *h, uint32_t fd, uint32_t wait_to_ms)
{
    (void)h; (void)fd; (void)wait_to_ms;
    errno = ENOSYS;
    return -1;
}

int xengnttab_dmabuf_imp_to_refs(xengnttab_handle *h, uint32_t domid, uint32_t fd, uint32_t count, uint32_t *refs)
{
    (void)h; (void)domid; (void)fd; (void)count; (void)refs;
    errno = ENOSYS;
    return -1;
}

int xengnttab_dmabuf_imp_release(xengnttab_handle *h, uint32_t fd)
{
    (void)h; (void)fd;
    errno = ENOSYS;
    return -1;
}

/* ---- granting side ---- */

xengntshr_handle *xengntshr_open(struct xentoollog_logger *logger, unsigned open_flags)
{
    (void)logger;
    (void)open_flags;
    return open_handle();
}

int xengntshr_fd(xengntshr_handle *h)
{
    (void)h;
    errno = ENOSYS;
    return -1;
}

static void remove_grant(uint32_t domid, uint32_t ref)
{
    char path[4096];
    if (gak_path(path, sizeof(path), "grants/%u/%u", domid, ref) == 0)
        unlink(path);
}

/* Creates the lowest free zeroed page file R/grants/<me>/<ref>, ref >= 8; returns an open fd. */
static int grant_new_page(uint32_t domid, uint32_t *ref)
{
    char dir[4096], path[4096];
    if (gak_path(dir, sizeof(dir), "grants/%u", domid) == -1 || gak_mkdirs(dir) == -1)
        return -1;
    for (uint32_t r = GAK_FIRST_FREE_REF; r < GAK_MAX_REFS; r++) {
        if (gak_path(path, sizeof(path), "grants/%u/%u", domid, r) == -1)
            return -1;
        int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd == -1) {
            if (errno == EEXIST)
                continue;
            return -1;
        }
        if (ftruncate(fd, GAK_PAGE_SIZE) == -1) {
            int saved = errno;
            close(fd);
            unlink(path);
            errno = saved;
            return -1;
        }
        *ref = r;
        return fd;
    }
    errno = ENOSPC;
    return -1;
}

void *xengntshr_share_pages(xengntshr_handle *h, uint32_t domid, int count, uint32_t *refs, int writable)
{
    (void)domid; /* any domain may map a loopback grant; the file mode is the only guard */
    (void)writable;
    if (count <= 0) {
        errno = EINVAL;
        return NULL;
    }
    struct shared_region *region = calloc(1, sizeof(*region));
    uint32_t *own_refs = calloc((size_t)count, sizeof(uint32_t));
    size_t len = (size_t)count * GAK_PAGE_SIZE;
    char *base = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int made = 0;
    if (region == NULL || own_refs == NULL || base == MAP_FAILED)
        goto fail;
    for (; made < count; made++) {
        int fd = grant_new_page(h->domid, &own_refs[made]);
        if (fd == -1)
            goto fail;
        void *page = mmap(base + (size_t)made * GAK_PAGE_SIZE, GAK_PAGE_SIZE, PROT_READ | PROT_WRITE,
                          MAP_SHARED | MAP_FIXED, fd, 0);
        close(fd);
        if (page == MAP_FAILED) {
            made++; /* the file exists: remove it below */
            goto fail;
        }
    }
    memcpy(refs, own_refs, (size_t)count * sizeof(uint32_t));
    region->addr = base;
    region->count = (uint32_t)count;
    region->refs = own_refs;
    region->next = h->shared;
    h->shared = region;
    return base;
fail:;
    int saved = errno;
    for (int i = 0; i < made; i++)
        remove_grant(h->domid, own_refs[i]);
    if (base != MAP_FAILED)
        munmap(base, len);
    free(own_refs);
    free(region);
    errno = saved;
    return NULL;
}

void *xengntshr_share_page_notify(xengntshr_handle *h, uint32_t domid, uint32_t *ref, int writable,
                                  uint32_t notify_offset, evtchn_port_t notify_port)
{
    (void)notify_offset;
    (void)notify_port;
    return xengntshr_share_pages(h, domid, 1, ref, writable);
}

int xengntshr_unshare(xengntshr_handle *h, void *start_address, uint32_t count)
{
    for (struct shared_region **pp = &h->shared; *pp != NULL; pp = &(*pp)->next) {
        struct shared_region *region = *pp;
        if (region->addr != start_address)
            continue;
        for (uint32_t i = 0; i < region->count; i++)
            remove_grant(h->domid, region->refs[i]);
        *pp = region->next;
        munmap(region->addr, (size_t)region->count * GAK_PAGE_SIZE);
        free(region->refs);
        free(region);
        return 0;
    }
    return munmap(start_address, (size_t)count * GAK_PAGE_SIZE);
}

int xengntshr_close(xengntshr_handle *h)
{
    while (h != NULL && h->shared != NULL)
        xengntshr_unshare(h, h->shared->addr, h->shared->count);
    free(h);
    return 0;
}
