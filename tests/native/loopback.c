/* Shared helpers of the test-only loopback stand-ins; see loopback.h and docs/loopback.md. */
#define _GNU_SOURCE
#include "loopback.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *gak_root(void)
{
    const char *root = getenv("GAK_LOOPBACK_DIR");
    if (root == NULL || root[0] == '\0') {
        errno = ENOENT;
        return NULL;
    }
    return root;
}

uint32_t gak_my_domid(void)
{
    const char *text = getenv("GAK_LOOPBACK_DOMID");
    if (text == NULL || text[0] == '\0')
        return 0;
    return (uint32_t)strtoul(text, NULL, 10);
}

int gak_path(char *buf, size_t size, const char *fmt, ...)
{
    const char *root = gak_root();
    if (root == NULL)
        return -1;
    int n = snprintf(buf, size, "%s/", root);
    if (n < 0 || (size_t)n >= size) {
        errno = ENAMETOOLONG;
        return -1;
    }
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(buf + n, size - (size_t)n, fmt, ap);
    va_end(ap);
    if (m < 0 || (size_t)m >= size - (size_t)n) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

int gak_mkdirs(const char *abs_path)
{
    char tmp[4096];
    if (strlen(abs_path) >= sizeof(tmp)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(tmp, abs_path);
    for (char *p = tmp + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0755) == -1 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(tmp, 0755) == -1 && errno != EEXIST)
        return -1;
    return 0;
}

int gak_write_file_atomic(const char *path, const char *text)
{
    char tmp[4200];
    if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd == -1)
        return -1;
    size_t len = strlen(text);
    ssize_t done = write(fd, text, len);
    int saved = errno;
    close(fd);
    if (done != (ssize_t)len) {
        unlink(tmp);
        errno = done == -1 ? saved : EIO;
        return -1;
    }
    if (rename(tmp, path) == -1) {
        saved = errno;
        unlink(tmp);
        errno = saved;
        return -1;
    }
    return 0;
}

int gak_read_file(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1)
        return -1;
    ssize_t n = read(fd, buf, size - 1);
    int saved = errno;
    close(fd);
    if (n < 0) {
        errno = saved;
        return -1;
    }
    buf[n] = '\0';
    return (int)n;
}
