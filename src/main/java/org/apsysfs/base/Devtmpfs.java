package org.apsysfs.base;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import org.apsysfs.Kernel;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;

/**
 * {@code drivers/base/devtmpfs.c}: every device with a device number gets a node below
 * {@code /dev} when it is added ({@code devtmpfs_create_node} from {@code device_add}, which
 * waits until the node exists) and loses it when it is deleted ({@code devtmpfs_delete_node}):
 * a character node, mode 0600, owner root, named by {@code device_get_devnode} (parent
 * directories made as needed and removed again when empty).
 *
 * <p>The simulated kernel has no /dev of its own: it keeps the nodes in every attached
 * directory, the private {@code /dev} of a {@code scripts/apsysfs shell} (a tmpfs in the
 * shell's mount namespace, reached through {@code /proc/PID/root/dev} of a process inside it
 * and held open by descriptor, so a reused PID can never redirect it). A target is refused
 * unless it is a tmpfs directory in another mount namespace than the daemon's and not the
 * daemon's own {@code /dev}; the host's {@code /dev} is never touched. A target whose process
 * has gone is dropped. Making nodes needs {@code CAP_MKNOD} (a daemon run as root).
 */
public final class Devtmpfs {
    private static final Map<Kernel, Devtmpfs> INSTANCES = new WeakHashMap<>();
    private static final long TMPFS_MAGIC = 0x01021994L;
    private static final int O_RDONLY = 0;
    private static final int O_DIRECTORY = 0200000;
    private static final int O_CLOEXEC = 02000000;
    private static final int S_IFCHR = 0020000;
    private static final int AT_REMOVEDIR = 0x200;

    private final Kernel kernel;
    /** devnode name to {major, minor}, in creation order; guarded by this. */
    private final Map<String, int[]> nodes = new LinkedHashMap<>();
    /** Attached directories (of every kernel this process serves: a reboot keeps them); guarded by the class. */
    private static final List<Target> TARGETS = new ArrayList<>();

    /** One attached /dev: the directory's descriptor and the process that shows it. */
    private record Target(int pid, String startTime, int fd, String mountDev) {
    }

    /** The C library calls this needs. */
    public interface Native {
        @SaveError
        int open(String path, int flags);

        @SaveError
        int close(int fd);

        @SaveError
        int fstatfs(int fd, @Out Pointer buf);

        @SaveError
        int mknodat(int dirfd, String path, int mode, long dev);

        @SaveError
        int mkdirat(int dirfd, String path, int mode);

        @SaveError
        int unlinkat(int dirfd, String path, int flags);

        @SaveError
        int fstatat(int dirfd, String path, @Out Pointer buf, int flags);
    }

    private static final class Holder {
        static final Native LIBC = LibraryLoader.create(Native.class).failImmediately().load("c");
    }

    private Devtmpfs(Kernel kernel) {
        this.kernel = kernel;
    }

    /** The devtmpfs of {@code kernel}. */
    public static synchronized Devtmpfs of(Kernel kernel) {
        return INSTANCES.computeIfAbsent(kernel, Devtmpfs::new);
    }

    /** {@code devtmpfs_create_node}. */
    void createNode(String devnode, int major, int minor) {
        synchronized (Devtmpfs.class) {
            nodes.put(devnode, new int[] {major, minor});
            for (Target t : live()) {
                mknod(t, devnode, major, minor);
            }
        }
    }

    /** {@code devtmpfs_delete_node}. */
    void deleteNode(String devnode) {
        synchronized (Devtmpfs.class) {
            nodes.remove(devnode);
            for (Target t : live()) {
                unlink(t, devnode);
            }
        }
    }

    /** The attached targets as "PID" lines. */
    public String describe() {
      synchronized (Devtmpfs.class) {
        StringBuilder sb = new StringBuilder();
        for (Target t : live()) {
            sb.append(t.pid()).append('\n');
        }
        return sb.toString();
      }
    }

    /**
     * Attaches {@code /proc/PID/root/dev} and makes every current node in it.
     *
     * @throws KernelException ESRCH if there is no such process, EINVAL if its /dev is not a
     *         private tmpfs, EPERM if nodes cannot be made (no CAP_MKNOD), EEXIST if attached
     */
    public void attach(int pid) {
      synchronized (Devtmpfs.class) {
        String start = startTime(pid);
        if (start == null) {
            throw KernelException.of(Errno.ENOENT, "devtmpfs: no process %d", pid);
        }
        for (Target t : live()) {
            if (t.pid() == pid) {
                throw KernelException.of(Errno.EEXIST, "devtmpfs: /dev of process %d is attached already", pid);
            }
        }
        try {
            Path self = Path.of("/proc/self/ns/mnt");
            Path other = Path.of("/proc/" + pid + "/ns/mnt");
            if (Files.readSymbolicLink(self).equals(Files.readSymbolicLink(other))) {
                throw KernelException.of(Errno.EINVAL, "devtmpfs: process %d shares the daemon's mount namespace", pid);
            }
        } catch (IOException e) {
            throw KernelException.of(Errno.ENOENT, "devtmpfs: cannot see the mount namespace of process %d: %s", pid, e);
        }
        java.util.Set<String> served = kernel.sysfs().servedDevices();
        String mountDev = org.apsysfs.kernel.Mountinfo.of(Integer.toString(pid)).stream()
                .filter(m -> m.mountPoint().equals("/sys") && served.contains(m.dev()))
                .map(org.apsysfs.kernel.Mountinfo.Mount::dev).reduce((a, b) -> b).orElse(null);
        if (mountDev == null) {
            throw KernelException.of(Errno.EINVAL, "devtmpfs: process %d does not have this tree at /sys", pid);
        }
        Native c = Holder.LIBC;
        int fd = c.open("/proc/" + pid + "/root/dev", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
            int e = errno();
            throw KernelException.of(e == 1 || e == 13 ? Errno.EPERM : Errno.ENOENT,
                    "devtmpfs: cannot open /dev of process %d: errno %d", pid, e);
        }
        boolean ok = false;
        try {
            Runtime rt = Runtime.getRuntime(c);
            Pointer sfs = jnr.ffi.Memory.allocateDirect(rt, 128);
            if (c.fstatfs(fd, sfs) != 0 || sfs.getLong(0) != TMPFS_MAGIC) {
                throw KernelException.of(Errno.EINVAL, "devtmpfs: /dev of process %d is not a tmpfs", pid);
            }
            Pointer st = jnr.ffi.Memory.allocateDirect(rt, 256);
            if (c.fstatat(fd, "", st, 0x1000 /* AT_EMPTY_PATH */) != 0) {
                throw KernelException.of(Errno.EINVAL, "devtmpfs: cannot stat /dev of process %d", pid);
            }
            long dev = st.getLong(0);
            Object own = Files.getAttribute(Path.of("/dev"), "unix:dev");
            if (own instanceof Long l && l == dev) {
                throw KernelException.of(Errno.EINVAL, "devtmpfs: /dev of process %d is the daemon's own /dev", pid);
            }
            Target t = new Target(pid, start, fd, mountDev);
            for (Map.Entry<String, int[]> n : nodes.entrySet()) {
                int rc = mknod(t, n.getKey(), n.getValue()[0], n.getValue()[1]);
                if (rc == 1 /* EPERM */) {
                    throw KernelException.of(Errno.EPERM, "devtmpfs: cannot make nodes in /dev of process %d", pid);
                }
            }
            TARGETS.add(t);
            ok = true;
        } catch (IOException e) {
            throw KernelException.of(Errno.EIO, "devtmpfs: %s", e);
        } finally {
            if (!ok) {
                c.close(fd);
            }
        }
      }
    }

    /** Detaches the /dev of {@code pid} (its nodes stay). */
    public void detach(int pid) {
      synchronized (Devtmpfs.class) {
        for (Target t : List.copyOf(TARGETS)) {
            if (t.pid() == pid) {
                drop(t);
                return;
            }
        }
        throw KernelException.of(Errno.ENOENT, "devtmpfs: /dev of process %d is not attached", pid);
      }
    }

    /** The targets whose process still lives and that show this kernel's tree. */
    private List<Target> live() {
        for (Target t : List.copyOf(TARGETS)) {
            if (!t.startTime().equals(startTime(t.pid()))) {
                drop(t);
            }
        }
        java.util.Set<String> served = kernel.sysfs().servedDevices();
        return TARGETS.stream().filter(t -> served.contains(t.mountDev())).toList();
    }

    private void drop(Target t) {
        TARGETS.remove(t);
        Holder.LIBC.close(t.fd());
    }

    /** Field 22 of /proc/PID/stat (the start time), or null if there is no such process. */
    private static String startTime(int pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return f[19];
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** mknod, making parent directories; 0 or the errno. */
    private int mknod(Target t, String devnode, int major, int minor) {
        Native c = Holder.LIBC;
        int slash = devnode.indexOf('/');
        while (slash > 0) {
            c.mkdirat(t.fd(), devnode.substring(0, slash), 0755);
            slash = devnode.indexOf('/', slash + 1);
        }
        if (c.mknodat(t.fd(), devnode, S_IFCHR | 0600, makedev(major, minor)) != 0) {
            int e = errno();
            if (e != 17 /* EEXIST */) {
                kernel.log().warn("devtmpfs: cannot create /dev/%s in the /dev of process %d: errno %d", devnode, t.pid(), e);
            }
            return e;
        }
        return 0;
    }

    private void unlink(Target t, String devnode) {
        Native c = Holder.LIBC;
        c.unlinkat(t.fd(), devnode, 0);
        // delete_path: empty parent directories go too
        int slash = devnode.lastIndexOf('/');
        while (slash > 0) {
            String parent = devnode.substring(0, slash);
            if (c.unlinkat(t.fd(), parent, AT_REMOVEDIR) != 0) {
                break;
            }
            slash = parent.lastIndexOf('/');
        }
    }

    /** glibc's {@code makedev}. */
    static long makedev(long major, long minor) {
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8) | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
    }

    private static int errno() {
        return LastError.getLastError(Runtime.getRuntime(Holder.LIBC));
    }
}
