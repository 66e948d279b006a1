/*
 * cfs: the C baseline for scripts/bench. A minimal libfuse 2 file system that serves
 *   --ro PATH 0444  read returns VALUE (default "0x" + 64 hex digits + "\n", like bus/ap/apmask)
 *   --rw PATH 0644  a write stores (at most one page, offset ignored, as sysfs); read returns it
 *   (default: --ro /attr --rw /store; every prefix of a file's path is a directory, so the
 *   baseline can serve its files at the same depth as the daemon's, which matters with
 *   entry_timeout=0: every path component is one LOOKUP request)
 *   --dir PATH (default /dir) with --entries N symbolic links named like bus/ap/devices: queues "XX.YYYY" ->
 *             "../../../devices/ap/cardXX/XX.YYYY" (the first 65,536), then "cardXX" (up to 256 more)
 * Mount it with the daemon's options: -o direct_io,entry_timeout=0,attr_timeout=0,negative_timeout=0
 * (multi-threaded unless -s). Usage: cfs MNT -f [-s] [-o opts] [--value STR] [--ro P]... [--rw P]... [--dir P] [--entries N]
 * Every getattr reports size 4096 like sysfs; open enforces EACCES like the daemon.
 */
#define FUSE_USE_VERSION 26
#include <fuse.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXFILES 16
struct file {
    const char *path;
    int writable;
    pthread_mutex_t lock;
    size_t len;
    char buf[4096];
};
static struct file files[MAXFILES];
static int nfiles;
static const char *dir_path = "/dir";
static size_t dir_len;
static long nentries;
static time_t start_time;
static char default_value[4096] = "0x0000000000000000000000000000000000000000000000000000000000000000\n";

static struct file *find_file(const char *path)
{
    for (int i = 0; i < nfiles; i++)
        if (strcmp(files[i].path, path) == 0)
            return &files[i];
    return NULL;
}

/* true if path is "/" or a proper prefix (at a '/') of a file's or the listing directory's path */
static int is_dir(const char *path)
{
    size_t n = strlen(path);
    if (strcmp(path, "/") == 0 || strcmp(path, dir_path) == 0)
        return 1;
    for (int i = 0; i <= nfiles; i++) {
        const char *p = i < nfiles ? files[i].path : dir_path;
        if (strncmp(p, path, n) == 0 && p[n] == '/')
            return 1;
    }
    return 0;
}

/* the entry of the listing directory that path names, or NULL */
static const char *dir_entry(const char *path)
{
    if (strncmp(path, dir_path, dir_len) == 0 && path[dir_len] == '/')
        return path + dir_len + 1;
    return NULL;
}

/* entries 0..65535 are queues "XX.YYYY" (adapter*256+domain), 65536.. are "cardXX" */
static long entry_index(const char *name)
{
    unsigned a, d;
    char tail;
    long i;
    if (strlen(name) == 7 && sscanf(name, "%2x.%4x%c", &a, &d, &tail) == 2 && a < 256 && d < 256)
        i = (long)a * 256 + d;
    else if (strlen(name) == 6 && sscanf(name, "card%2x%c", &a, &tail) == 1 && a < 256)
        i = 65536 + a;
    else
        return -1;
    return i < nentries ? i : -1;
}

static void entry_name(long i, char *buf, size_t size)
{
    if (i < 65536)
        snprintf(buf, size, "%02x.%04x", (unsigned)(i / 256), (unsigned)(i % 256));
    else
        snprintf(buf, size, "card%02x", (unsigned)(i - 65536));
}

static int c_getattr(const char *path, struct stat *st)
{
    memset(st, 0, sizeof(*st));
    st->st_atime = st->st_mtime = st->st_ctime = start_time;
    st->st_blksize = 4096;
    struct file *f = find_file(path);
    const char *e;
    if (f) {
        st->st_mode = S_IFREG | (f->writable ? 0644 : 0444);
        st->st_nlink = 1;
        st->st_size = 4096;
        return 0;
    }
    if (is_dir(path)) {
        st->st_mode = S_IFDIR | 0755;
        st->st_nlink = 2;
        return 0;
    }
    if ((e = dir_entry(path)) && entry_index(e) >= 0) {
        st->st_mode = S_IFLNK | 0777;
        st->st_nlink = 1;
        return 0;
    }
    return -ENOENT;
}

static int c_readlink(const char *path, char *buf, size_t size)
{
    const char *e = dir_entry(path);
    long i = e ? entry_index(e) : -1;
    if (i < 0)
        return find_file(path) || is_dir(path) ? -EINVAL : -ENOENT;
    if (i < 65536)
        snprintf(buf, size, "../../../devices/ap/card%02lx/%s", i / 256, e);
    else
        snprintf(buf, size, "../../../devices/ap/%s", e);
    return 0;
}

static int c_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off, struct fuse_file_info *fi)
{
    (void)off;
    (void)fi;
    size_t n = strlen(path);
    if (!is_dir(path))
        return find_file(path) ? -ENOTDIR : -ENOENT;
    fill(buf, ".", NULL, 0);
    fill(buf, "..", NULL, 0);
    if (strcmp(path, dir_path) == 0) {
        char name[32];
        for (long i = 0; i < nentries; i++) {
            entry_name(i, name, sizeof(name));
            if (fill(buf, name, NULL, 0))
                break;
        }
        return 0;
    }
    /* the next component of every path below this one, once each */
    char seen[MAXFILES + 1][256];
    int nseen = 0;
    for (int i = 0; i <= nfiles; i++) {
        const char *p = i < nfiles ? files[i].path : dir_path;
        const char *rest = strcmp(path, "/") == 0 ? p + 1 : (strncmp(p, path, n) == 0 && p[n] == '/' ? p + n + 1 : NULL);
        if (!rest)
            continue;
        size_t k = strcspn(rest, "/");
        snprintf(seen[nseen], sizeof(seen[nseen]), "%.*s", (int)k, rest);
        int dup = 0;
        for (int j = 0; j < nseen; j++)
            dup |= strcmp(seen[j], seen[nseen]) == 0;
        if (!dup)
            fill(buf, seen[nseen++], NULL, 0);
    }
    return 0;
}

static int c_open(const char *path, struct fuse_file_info *fi)
{
    struct file *f = find_file(path);
    if (!f)
        return is_dir(path) ? -EISDIR : -ENOENT;
    if ((fi->flags & O_ACCMODE) != O_RDONLY && !f->writable)
        return -EACCES;
    fi->fh = (uint64_t)(f - files);
    return 0;
}

static int c_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
    (void)path;
    struct file *f = &files[fi->fh];
    char tmp[4096];
    size_t len;
    pthread_mutex_lock(&f->lock);
    memcpy(tmp, f->buf, f->len);
    len = f->len;
    pthread_mutex_unlock(&f->lock);
    if ((size_t)off >= len)
        return 0;
    if (size > len - off)
        size = len - off;
    memcpy(buf, tmp + off, size);
    return (int)size;
}

static int c_write(const char *path, const char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
    (void)path;
    (void)off;
    struct file *f = &files[fi->fh];
    if (!f->writable)
        return -EBADF;
    if (size > sizeof(f->buf))
        size = sizeof(f->buf);
    pthread_mutex_lock(&f->lock);
    memcpy(f->buf, buf, size);
    f->len = size;
    pthread_mutex_unlock(&f->lock);
    return (int)size;
}

static int c_truncate(const char *path, off_t size)
{
    (void)size;
    struct file *f = find_file(path);
    if (!f)
        return is_dir(path) ? -EISDIR : -ENOENT;
    return 0;
}

static int c_release(const char *path, struct fuse_file_info *fi)
{
    (void)path;
    (void)fi;
    return 0;
}

static struct fuse_operations ops = {
    .getattr = c_getattr,
    .readlink = c_readlink,
    .readdir = c_readdir,
    .open = c_open,
    .read = c_read,
    .write = c_write,
    .truncate = c_truncate,
    .release = c_release,
};

static void add_file(const char *path, int writable)
{
    if (nfiles == MAXFILES || path[0] != '/') {
        fprintf(stderr, "cfs: bad or too many files (%s)\n", path);
        exit(2);
    }
    struct file *f = &files[nfiles++];
    f->path = path;
    f->writable = writable;
    pthread_mutex_init(&f->lock, NULL);
    f->len = strlen(default_value);
    memcpy(f->buf, default_value, f->len);
}

int main(int argc, char **argv)
{
    /* pull our own options out (--value first, it sets the content of the files that follow),
       pass the rest to fuse_main */
    char **fargv = calloc(argc + 1, sizeof(char *));
    int fargc = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--entries") == 0 && i + 1 < argc)
            nentries = atol(argv[++i]);
        else if (strcmp(argv[i], "--value") == 0 && i + 1 < argc)
            snprintf(default_value, sizeof(default_value), "%s\n", argv[++i]);
        else if (strcmp(argv[i], "--ro") == 0 && i + 1 < argc)
            add_file(argv[++i], 0);
        else if (strcmp(argv[i], "--rw") == 0 && i + 1 < argc)
            add_file(argv[++i], 1);
        else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
            dir_path = argv[++i];
        else
            fargv[fargc++] = argv[i];
    }
    if (nfiles == 0) {
        add_file("/attr", 0);
        add_file("/store", 1);
    }
    dir_len = strlen(dir_path);
    if (nentries > 65536 + 256)
        nentries = 65536 + 256;
    start_time = time(NULL);
    return fuse_main(fargc, fargv, &ops, NULL);
}
