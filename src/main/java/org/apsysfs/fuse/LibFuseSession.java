package org.apsysfs.fuse;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.IgnoreError;
import jnr.ffi.annotations.In;
import jnr.ffi.types.intptr_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.u_int64_t;
import jnr.ffi.types.size_t;
import ru.serce.jnrfuse.struct.FuseOperations;

/**
 * The part of libfuse 2.9's API that {@code fuse_main_real} is made of: mount and set up
 * ({@code fuse_setup}), then receive and process requests on the session's channel, then
 * unmount and destroy ({@code fuse_teardown}). {@link FuseLoop} drives it so that every
 * request is received and processed on a Java thread. Public only because jnr-ffi implements
 * it in a class loader of its own.
 *
 * <p>All pointers are opaque libfuse handles ({@code struct fuse *}, {@code struct
 * fuse_session *}, {@code struct fuse_chan *}) or plain memory.
 */
public interface LibFuseSession {
    /**
     * {@code struct fuse *fuse_setup(int argc, char *argv[], const struct fuse_operations *op,
     * size_t op_size, char **mountpoint, int *multithreaded, void *user_data)} (FUSE_2.6):
     * parses the command line, mounts, creates the file system; NULL on failure.
     */
    @IgnoreError
    Pointer fuse_setup(int argc, String[] argv, FuseOperations op, @size_t long opSize,
            Pointer mountpointOut, Pointer multithreadedOut, Pointer userData);

    /** {@code void fuse_teardown(struct fuse *fuse, char *mountpoint)}: unmounts, destroys, frees mountpoint. */
    @IgnoreError
    void fuse_teardown(Pointer fuse, Pointer mountpoint);

    /** {@code struct fuse_session *fuse_get_session(struct fuse *f)} */
    @IgnoreError
    Pointer fuse_get_session(Pointer fuse);

    /** {@code struct fuse_chan *fuse_session_next_chan(struct fuse_session *se, struct fuse_chan *ch)} */
    @IgnoreError
    Pointer fuse_session_next_chan(Pointer se, Pointer ch);

    /** {@code int fuse_chan_fd(struct fuse_chan *ch)} */
    @IgnoreError
    int fuse_chan_fd(Pointer ch);

    /** {@code size_t fuse_chan_bufsize(struct fuse_chan *ch)} */
    @IgnoreError
    @size_t long fuse_chan_bufsize(Pointer ch);

    /**
     * {@code int fuse_chan_recv(struct fuse_chan **ch, char *buf, size_t size)}: one request
     * from /dev/fuse; its length, 0 when the session has ended (unmounted), -errno on error
     * (-EINTR: retry).
     */
    @IgnoreError
    int fuse_chan_recv(Pointer chp, Pointer buf, @size_t long size);

    /**
     * {@code void fuse_session_process(struct fuse_session *se, const char *buf, size_t len,
     * struct fuse_chan *ch)}: runs the request's callback and sends the reply.
     */
    @IgnoreError
    void fuse_session_process(Pointer se, Pointer buf, @size_t long len, Pointer ch);

    /** {@code void fuse_session_exit(struct fuse_session *se)} */
    @IgnoreError
    void fuse_session_exit(Pointer se);

    /**
     * {@code struct fuse_context *fuse_get_context(void)} (FUSE_2.8): the calling request's
     * uid, gid and pid; valid inside a callback. Its address (0 outside a request).
     */
    @IgnoreError
    @intptr_t long fuse_get_context();

    /**
     * {@code int fuse_lowlevel_notify_inval_entry(struct fuse_chan *ch, fuse_ino_t parent,
     * const char *name, size_t namelen)} (FUSE_2.8): the kernel forgets the dentry
     * {@code name} in directory {@code parent} (and everything below it); 0, or -errno
     * (-ENOENT if it had none).
     */
    @IgnoreError
    int fuse_lowlevel_notify_inval_entry(Pointer ch, @u_int64_t long parent, @In byte[] name, @size_t long namelen);

    /**
     * {@code int fuse_lowlevel_notify_inval_inode(struct fuse_chan *ch, fuse_ino_t ino,
     * off_t off, off_t len)} (FUSE_2.8): the kernel forgets the inode's attributes (and, for
     * {@code off >= 0}, its cached pages); 0, or -errno.
     */
    @IgnoreError
    int fuse_lowlevel_notify_inval_inode(Pointer ch, @u_int64_t long ino, @off_t long off, @off_t long len);

    /** {@code int fuse_session_exited(struct fuse_session *se)} */
    @IgnoreError
    int fuse_session_exited(Pointer se);
}
