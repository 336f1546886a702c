/*
 * Test-only stand-ins for Xen's userspace libraries on the GuestAgentKit loopback convention
 * (docs/loopback.md). Shared helpers: where the loopback root is and who "I" am.
 * Everything here is internal to each stand-in (hidden visibility).
 */
#ifndef GAK_LOOPBACK_H
#define GAK_LOOPBACK_H

#include <stddef.h>
#include <stdint.h>

#define GAK_HIDDEN __attribute__((visibility("hidden")))

/* One grant is one page file of this size (XC_PAGE_SIZE). */
#define GAK_PAGE_SIZE 4096

/* Root directory R: $GAK_LOOPBACK_DIR. NULL (errno ENOENT) when unset. */
GAK_HIDDEN const char *gak_root(void);

/* "My" domain id: $GAK_LOOPBACK_DOMID, default 0. */
GAK_HIDDEN uint32_t gak_my_domid(void);

/* snprintf R/<fmt...> into buf; returns 0, or -1 with errno ENAMETOOLONG/ENOENT. */
GAK_HIDDEN int gak_path(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* mkdir -p of R/<rel>. */
GAK_HIDDEN int gak_mkdirs(const char *abs_path);

/* Writes text to path atomically (temp file + rename) so readers never see a partial file. */
GAK_HIDDEN int gak_write_file_atomic(const char *path, const char *text);

/* Reads up to size-1 bytes of a small text file, NUL-terminated; returns length or -1. */
GAK_HIDDEN int gak_read_file(const char *path, char *buf, size_t size);

#endif
