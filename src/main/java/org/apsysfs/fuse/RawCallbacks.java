package org.apsysfs.fuse;

import jnr.ffi.annotations.Delegate;

/**
 * libfuse 2 callback signatures with every pointer (paths included) passed as a plain
 * address, for the requests that come most often (a lookup per path component, ls -l's
 * readlink and getxattr per entry, open/read/write/release per attribute access). jnr-fuse's
 * own signatures take {@code String} paths, which jnr decodes through a {@code
 * CharsetDecoder} per request (about half of what the daemon allocated during an ls -l of
 * 65,792 links), and {@code Pointer} objects. {@link SysfsFuse} decodes a path only when it
 * needs it and reads and writes the structs at {@link RawLayout}'s offsets.
 *
 * <p>Internal to {@code org.apsysfs.fuse}; public only because jnr-ffi generates the native
 * stubs in a class loader of its own. Addresses are 64-bit ({@link RawLayout#OK} checks).
 */
public final class RawCallbacks {
    private RawCallbacks() {
    }

    /** {@code int (*getattr)(const char *path, struct stat *stbuf)} */
    public interface GetAttr {
        @Delegate
        int getattr(long path, long stat);
    }

    /** {@code int (*readlink)(const char *path, char *buf, size_t size)} */
    public interface Readlink {
        @Delegate
        int readlink(long path, long buf, long size);
    }

    /** {@code int (*getxattr)(const char *path, const char *name, char *value, size_t size)} */
    public interface GetXattr {
        @Delegate
        int getxattr(long path, long name, long value, long size);
    }

    /** {@code int (*truncate)(const char *path, off_t size)} (every {@code echo x > attr}) */
    public interface Truncate {
        @Delegate
        int truncate(long path, long size);
    }

    /** {@code open} and {@code opendir}: {@code int (*)(const char *path, struct fuse_file_info *fi)} */
    public interface Open {
        @Delegate
        int open(long path, long fi);
    }

    /** {@code release}: {@code int (*)(const char *path, struct fuse_file_info *fi)} */
    public interface Release {
        @Delegate
        int release(long path, long fi);
    }

    /**
     * {@code read} and {@code write}: {@code int (*)(const char *path, char *buf, size_t size,
     * off_t offset, struct fuse_file_info *fi)}
     */
    public interface ReadWrite {
        @Delegate
        int io(long path, long buf, long size, long offset, long fi);
    }
}
