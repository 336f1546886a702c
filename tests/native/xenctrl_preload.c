/*
 * Test-only LD_PRELOAD library standing in for the hypervisor under Debian's real xenstored,
 * oxenstored and xenconsoled on the loopback convention (docs/loopback.md):
 * - the libxenctrl calls those daemons make (xc_interface_open/close, xc_domain_getinfo,
 *   xc_domain_getinfolist, xc_evtchn_status, xc_map_foreign_range, xc_readconsolering) and
 *   libxenforeignmemory's open/close (xenconsoled's fallback mapper, refused here), answered from the
 *   R/domains/<domid> marker files and R/evtchn;
 * - opens of /proc/xen/xsd_port and /proc/xen/xsd_kva go to R/xenstored/ (created on demand:
 *   xsd_port names an unbound dom0 port offered to dom0, xsd_kva is a zeroed page);
 * - setrlimit(RLIMIT_NOFILE) is clamped to the hard limit (oxenstored asks for more than an
 *   unprivileged container grants and gives up otherwise).
 * Use together with the stand-in libxenevtchn.so.1 / libxengnttab.so.1 on LD_LIBRARY_PATH.
 */
#define _GNU_SOURCE
#include "loopback.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>

/* Any non-NULL token: nobody looks inside an xc_interface. */
static int gak_xc_token;

xc_interface *xc_interface_open(xentoollog_logger *logger, xentoollog_logger *dombuild_logger, unsigned open_flags)
{
    (void)logger;
    (void)dombuild_logger;
    (void)open_flags;
    return (xc_interface *)&gak_xc_token;
}

int xc_interface_close(xc_interface *xch)
{
    (void)xch;
    return 0;
}

/*
 * Fills ids[] with the existing domains >= first (dom0, the host running the test, always
 * exists; others while their marker R/domains/<domid> does), ascending, at most max; returns the count.
 * Domain ids are < DOMID_FIRST_RESERVED (0x7FF0), so a sieve over that range is exact.
 * The static buffers are fine: the daemons are single-threaded where they ask.
 */
static int list_domains(uint32_t first, unsigned int max, uint32_t *ids)
{
    static unsigned char present[DOMID_FIRST_RESERVED];
    memset(present, 0, sizeof(present));
    present[0] = 1;
    char dir_path[4096];
    if (gak_path(dir_path, sizeof(dir_path), "domains") == 0) {
        DIR *dir = opendir(dir_path);
        struct dirent *entry;
        while (dir != NULL && (entry = readdir(dir)) != NULL) {
            char *end;
            unsigned long id = strtoul(entry->d_name, &end, 10);
            if (*end == '\0' && end != entry->d_name && id < DOMID_FIRST_RESERVED)
                present[id] = 1;
        }
        if (dir != NULL)
            closedir(dir);
    }
    unsigned int n = 0;
    for (uint32_t id = first; id < DOMID_FIRST_RESERVED && n < max; id++)
        if (present[id])
            ids[n++] = id;
    return (int)n;
}

int xc_domain_getinfo(xc_interface *xch, uint32_t first_domid, unsigned int max_doms, xc_dominfo_t *info)
{
    (void)xch;
    static uint32_t ids[DOMID_FIRST_RESERVED];
    int n = list_domains(first_domid, max_doms, ids);
    for (int i = 0; i < n; i++) {
        memset(&info[i], 0, sizeof(info[i]));
        info[i].domid = ids[i];
        info[i].running = 1;
        info[i].nr_online_vcpus = 1;
        info[i].xenstore = ids[i] == 0;
    }
    return n;
}

int xc_domain_getinfolist(xc_interface *xch, uint32_t first_domain, unsigned int max_domains, xc_domaininfo_t *info)
{
    (void)xch;
    static uint32_t ids[DOMID_FIRST_RESERVED];
    int n = list_domains(first_domain, max_domains, ids);
    for (int i = 0; i < n; i++) {
        memset(&info[i], 0, sizeof(info[i]));
        info[i].domain = (domid_t)ids[i];
        info[i].flags = XEN_DOMINF_running;
        info[i].nr_online_vcpus = 1;
    }
    return n;
}

/* xenconsoled asks whether its console port is still bound: answer from R/evtchn/<me>/<port>.peer. */
int xc_evtchn_status(xc_interface *xch, xc_evtchn_status_t *status)
{
    (void)xch;
    uint32_t domid = status->dom == DOMID_SELF ? gak_my_domid() : status->dom;
    char path[4096], text[64];
    unsigned remote_dom, remote_port;
    if (gak_path(path, sizeof(path), "evtchn/%u/%u.peer", domid, status->port) == 0
        && gak_read_file(path, text, sizeof(text)) > 0 && sscanf(text, "%u %u", &remote_dom, &remote_port) == 2) {
        status->status = EVTCHNSTAT_interdomain;
        status->u.interdomain.dom = (domid_t)remote_dom;
        status->u.interdomain.port = remote_port;
        return 0;
    }
    if (gak_path(path, sizeof(path), "evtchn/%u/%u.unbound", domid, status->port) == 0
        && gak_read_file(path, text, sizeof(text)) > 0) {
        status->status = EVTCHNSTAT_unbound;
        status->u.unbound.dom = (domid_t)strtoul(text, NULL, 10);
        return 0;
    }
    status->status = EVTCHNSTAT_closed;
    return 0;
}

/*
 * oxenstored maps a domain's xenstore ring by frame number (XS_INTRODUCE's mfn). Frame numbers
 * mean nothing on the loopback, and that ring is the only foreign page the daemons map this
 * way: serve the domain's xenstore grant R/grants/<dom>/1 (GNTTAB_RESERVED_XENSTORE).
 */
void *xc_map_foreign_range(xc_interface *xch, uint32_t dom, int size, int prot, unsigned long mfn)
{
    (void)xch;
    (void)mfn;
    char path[4096];
    if (size != GAK_PAGE_SIZE || gak_path(path, sizeof(path), "grants/%u/1", dom) == -1) {
        errno = EINVAL;
        return NULL;
    }
    int fd = open(path, (prot & PROT_WRITE) ? O_RDWR | O_CLOEXEC : O_RDONLY | O_CLOEXEC);
    if (fd == -1)
        return NULL;
    void *page = mmap(NULL, GAK_PAGE_SIZE, prot, MAP_SHARED, fd, 0);
    close(fd);
    return page == MAP_FAILED ? NULL : page;
}

/*
 * xenconsoled opens libxenforeignmemory at start-up only as a fallback for consoles it cannot
 * map through the grant table; on the loopback every console page is a grant, so mapping by
 * frame number is refused.
 */
static int gak_xfm_token;

xenforeignmemory_handle *xenforeignmemory_open(struct xentoollog_logger *logger, unsigned open_flags)
{
    (void)logger;
    (void)open_flags;
    return (xenforeignmemory_handle *)&gak_xfm_token;
}

int xenforeignmemory_close(xenforeignmemory_handle *fmem)
{
    (void)fmem;
    return 0;
}

void *xenforeignmemory_map(xenforeignmemory_handle *fmem, uint32_t dom, int prot, size_t pages,
                           const xen_pfn_t arr[], int err[])
{
    (void)fmem; (void)dom; (void)prot; (void)pages; (void)arr; (void)err;
    errno = EINVAL;
    return NULL;
}

int xenforeignmemory_unmap(xenforeignmemory_handle *fmem, void *addr, size_t pages)
{
    (void)fmem;
    return munmap(addr, pages * GAK_PAGE_SIZE);
}

/* There is no hypervisor console ring on the loopback. */
int xc_readconsolering(xc_interface *xch, char *buffer, unsigned int *pnr_chars, int clear, int incremental,
                       uint32_t *pindex)
{
    (void)xch; (void)buffer; (void)clear; (void)incremental; (void)pindex;
    *pnr_chars = 0;
    return 0;
}

int setrlimit(__rlimit_resource_t resource, const struct rlimit *rlim)
{
    static int (*real_setrlimit)(__rlimit_resource_t, const struct rlimit *);
    if (real_setrlimit == NULL)
        real_setrlimit = (int (*)(__rlimit_resource_t, const struct rlimit *))dlsym(RTLD_NEXT, "setrlimit");
    struct rlimit clamped = *rlim;
    struct rlimit hard;
    if (resource == RLIMIT_NOFILE && getrlimit(RLIMIT_NOFILE, &hard) == 0) {
        if (clamped.rlim_max > hard.rlim_max)
            clamped.rlim_max = hard.rlim_max;
        if (clamped.rlim_cur > clamped.rlim_max)
            clamped.rlim_cur = clamped.rlim_max;
    }
    return real_setrlimit(resource, &clamped);
}

/*
 * /proc/xen/xsd_port: the event channel dom0's kernel would offer xenstored. Here an unbound
 * dom0 port for dom0 (a FIFO nobody reads: notifications to it are dropped, as nothing runs
 * a dom0 kernel xenbus), allocated once per root and recorded in R/xenstored/xsd_port.
 */
static int ensure_xsd_port(const char *path)
{
    if (access(path, F_OK) == 0)
        return 0;
    xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
    if (xce == NULL)
        return -1;
    /* Unbinding on close would remove the port; keep its files by leaking the handle's fds on
     * purpose: this process (xenstored) lives exactly as long as the port must. */
    xenevtchn_port_or_error_t port = xenevtchn_bind_unbound_port(xce, 0);
    if (port == -1)
        return -1;
    /* No newline, as Linux prints it: oxenstored's int_of_string rejects one. */
    char text[32];
    snprintf(text, sizeof(text), "%d", port);
    return gak_write_file_atomic(path, text);
}

/* /proc/xen/xsd_kva: dom0's own xenstore ring page; zeroed, unused by anything but xenstored. */
static int ensure_xsd_kva(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd == -1)
        return -1;
    int rc = ftruncate(fd, GAK_PAGE_SIZE);
    close(fd);
    return rc;
}

/* oxenstored's run directory is compiled in (Paths.xen_run_stored): its socket and db files. */
static const char *const run_dirs[] = { "/var/run/xenstored", "/run/xenstored" };

/*
 * Maps /proc/xen/xsd_{port,kva} (created on demand) and oxenstored's fixed run directory into
 * R/xenstored/; other paths pass through unchanged.
 */
static const char *redirect(const char *path, char *buf, size_t size)
{
    if (path == NULL || gak_root() == NULL)
        return path;
    for (size_t i = 0; i < sizeof(run_dirs) / sizeof(run_dirs[0]); i++) {
        size_t len = strlen(run_dirs[i]);
        if (strncmp(path, run_dirs[i], len) == 0 && (path[len] == '/' || path[len] == '\0'))
            return gak_path(buf, size, "xenstored%s", path + len) == 0 ? buf : path;
    }
    const char *name;
    if (strcmp(path, "/proc/xen/xsd_port") == 0)
        name = "xsd_port";
    else if (strcmp(path, "/proc/xen/xsd_kva") == 0)
        name = "xsd_kva";
    else
        return path;
    char dir[4096];
    if (gak_path(dir, sizeof(dir), "xenstored") == -1 || gak_mkdirs(dir) == -1
        || gak_path(buf, size, "xenstored/%s", name) == -1)
        return path;
    int rc = name[4] == 'p' ? ensure_xsd_port(buf) : ensure_xsd_kva(buf);
    return rc == 0 ? buf : path;
}

#define GAK_OPEN_WRAPPER(fn)                                                        \
    int fn(const char *path, int flags, ...)                                        \
    {                                                                               \
        static int (*real)(const char *, int, ...);                                 \
        if (real == NULL)                                                           \
            real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, #fn);          \
        mode_t mode = 0;                                                            \
        if (flags & (O_CREAT | __O_TMPFILE)) {                                      \
            va_list ap;                                                             \
            va_start(ap, flags);                                                    \
            mode = va_arg(ap, mode_t);                                              \
            va_end(ap);                                                             \
        }                                                                           \
        char buf[4096];                                                             \
        return real(redirect(path, buf, sizeof(buf)), flags, mode);                 \
    }

GAK_OPEN_WRAPPER(open)
GAK_OPEN_WRAPPER(open64)

#define GAK_OPENAT_WRAPPER(fn)                                                      \
    int fn(int dirfd, const char *path, int flags, ...)                             \
    {                                                                               \
        static int (*real)(int, const char *, int, ...);                            \
        if (real == NULL)                                                           \
            real = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, #fn);     \
        mode_t mode = 0;                                                            \
        if (flags & (O_CREAT | __O_TMPFILE)) {                                      \
            va_list ap;                                                             \
            va_start(ap, flags);                                                    \
            mode = va_arg(ap, mode_t);                                              \
            va_end(ap);                                                             \
        }                                                                           \
        char buf[4096];                                                             \
        return real(dirfd, redirect(path, buf, sizeof(buf)), flags, mode);          \
    }

GAK_OPENAT_WRAPPER(openat)
GAK_OPENAT_WRAPPER(openat64)

#define GAK_FOPEN_WRAPPER(fn)                                                       \
    FILE *fn(const char *path, const char *mode)                                    \
    {                                                                               \
        static FILE *(*real)(const char *, const char *);                           \
        if (real == NULL)                                                           \
            real = (FILE * (*)(const char *, const char *)) dlsym(RTLD_NEXT, #fn);  \
        char buf[4096];                                                             \
        return real(redirect(path, buf, sizeof(buf)), mode);                        \
    }

GAK_FOPEN_WRAPPER(fopen)
GAK_FOPEN_WRAPPER(fopen64)

int unlink(const char *path)
{
    static int (*real)(const char *);
    if (real == NULL)
        real = (int (*)(const char *))dlsym(RTLD_NEXT, "unlink");
    char buf[4096];
    return real(redirect(path, buf, sizeof(buf)));
}

int mkdir(const char *path, mode_t mode)
{
    static int (*real)(const char *, mode_t);
    if (real == NULL)
        real = (int (*)(const char *, mode_t))dlsym(RTLD_NEXT, "mkdir");
    char buf[4096];
    return real(redirect(path, buf, sizeof(buf)), mode);
}

/* oxenstored binds its socket at the compiled-in /var/run/xenstored/socket. */
int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
    static int (*real)(int, const struct sockaddr *, socklen_t);
    if (real == NULL)
        real = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "bind");
    if (addr == NULL || addr->sa_family != AF_UNIX || len <= offsetof(struct sockaddr_un, sun_path))
        return real(fd, addr, len);
    struct sockaddr_un original;
    memset(&original, 0, sizeof(original));
    memcpy(&original, addr, len < sizeof(original) ? len : sizeof(original) - 1);
    char buf[4096];
    const char *target = redirect(original.sun_path, buf, sizeof(buf));
    if (target == original.sun_path)
        return real(fd, addr, len);
    struct sockaddr_un moved = { .sun_family = AF_UNIX };
    if (strlen(target) >= sizeof(moved.sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(moved.sun_path, target);
    return real(fd, (const struct sockaddr *)&moved, (socklen_t)sizeof(moved));
}
