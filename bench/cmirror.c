/*
 * cmirror: the C baseline of scripts/bench's whole-tree workloads. A minimal libfuse 2 file
 * system that serves a copy of the tree (a directory, e.g. on tmpfs) read-only: getattr is
 * lstat (regular files report st_size 4096, as sysfs and the daemon do), readlink, readdir,
 * open/read/release of the copied bytes. Mount it with the options the daemon used before it
 * cached entries (-o direct_io,entry_timeout=0,attr_timeout=0,negative_timeout=0): a C file
 * system serving a tree that changes under it without invalidating the kernel's caches has to.
 * Usage: cmirror SRC MNT -f [-s] [-o opts]
 */
#define FUSE_USE_VERSION 26
#include <fuse.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *src;
/* callbacks served (getattr answers both LOOKUP and GETATTR), printed to stderr at unmount */
static unsigned long n_getattr, n_readlink, n_readdir, n_open, n_read, n_release;
#define COUNT(n) __atomic_add_fetch(&(n), 1, __ATOMIC_RELAXED)

static void real(char *out, const char *path)
{
    snprintf(out, PATH_MAX, "%s%s", src, path);
}

static int m_getattr(const char *path, struct stat *st)
{
    COUNT(n_getattr);
    char p[PATH_MAX];
    real(p, path);
    if (lstat(p, st) < 0)
        return -errno;
    if (S_ISREG(st->st_mode))
        st->st_size = 4096;
    return 0;
}

static int m_readlink(const char *path, char *buf, size_t size)
{
    COUNT(n_readlink);
    char p[PATH_MAX];
    real(p, path);
    ssize_t n = readlink(p, buf, size - 1);
    if (n < 0)
        return -errno;
    buf[n] = 0;
    return 0;
}

static int m_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off, struct fuse_file_info *fi)
{
    COUNT(n_readdir);
    (void)off;
    (void)fi;
    char p[PATH_MAX];
    real(p, path);
    DIR *d = opendir(p);
    if (!d)
        return -errno;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (fill(buf, e->d_name, NULL, 0))
            break;
    closedir(d);
    return 0;
}

static int m_open(const char *path, struct fuse_file_info *fi)
{
    COUNT(n_open);
    char p[PATH_MAX];
    real(p, path);
    if ((fi->flags & O_ACCMODE) != O_RDONLY)
        return -EACCES;
    int fd = open(p, O_RDONLY);
    if (fd < 0)
        return -errno;
    fi->fh = (uint64_t)fd;
    return 0;
}

static int m_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
    COUNT(n_read);
    (void)path;
    ssize_t n = pread((int)fi->fh, buf, size, off);
    return n < 0 ? -errno : (int)n;
}

static int m_release(const char *path, struct fuse_file_info *fi)
{
    COUNT(n_release);
    (void)path;
    close((int)fi->fh);
    return 0;
}

static void m_destroy(void *data)
{
    (void)data;
    fprintf(stderr, "cmirror: requests served: getattr=%lu readlink=%lu readdir=%lu open=%lu read=%lu release=%lu\n",
            n_getattr, n_readlink, n_readdir, n_open, n_read, n_release);
}

static struct fuse_operations ops = {
    .destroy = m_destroy,
    .getattr = m_getattr,
    .readlink = m_readlink,
    .readdir = m_readdir,
    .open = m_open,
    .read = m_read,
    .release = m_release,
};

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: cmirror SRC MNT [fuse options]\n");
        return 2;
    }
    src = argv[1];
    argv[1] = argv[0];
    return fuse_main(argc - 1, argv + 1, &ops, NULL);
}
