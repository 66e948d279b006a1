package org.apsysfs.debugfs;

import org.apsysfs.Kernel;
import org.apsysfs.base.Devtmpfs;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.kernel.Kstrtox;
import org.apsysfs.sysfs.Attribute;
import org.apsysfs.sysfs.AttributeGroup;

/**
 * {@code /sys/kernel/debug/apsysfs/devtmpfs}: where the simulated kernel's device nodes
 * ({@code /dev/z90crypt}, the zcrypt nodes made through {@code class/zcrypt/create}) appear.
 * {@code scripts/apsysfs shell} writes the PID of its first process (as the daemon sees it):
 * from then on the shell's private {@code /dev} holds every node, made and removed before the
 * store that adds or deletes the device returns, as devtmpfs does (see {@link Devtmpfs}).
 *
 * <pre>
 * PID     attach /proc/PID/root/dev (a tmpfs in another mount namespace)
 * -PID    detach it
 * (read)  the attached PIDs, one a line
 * </pre>
 */
public final class DevtmpfsFiles {
    private final Devtmpfs devtmpfs;

    static final AttributeGroup<DevtmpfsFiles> ATTRS = AttributeGroup.of(
            Attribute.rw("devtmpfs", f -> f.devtmpfs.describe(), DevtmpfsFiles::store));

    public DevtmpfsFiles(Kernel kernel) {
        this.devtmpfs = Devtmpfs.of(kernel);
        kernel.controlDir().addGroup(ATTRS, this);
    }

    private void store(String buf) {
        String s = Kstrtox.cString(buf).strip();
        boolean detach = s.startsWith("-");
        String num = detach ? s.substring(1) : s;
        int pid;
        try {
            pid = Integer.parseInt(num);
        } catch (NumberFormatException e) {
            throw KernelException.of(Errno.EINVAL, "devtmpfs: '%s' is not PID or -PID", s);
        }
        if (pid <= 0) {
            throw KernelException.of(Errno.EINVAL, "devtmpfs: '%s' is not PID or -PID", s);
        }
        if (detach) {
            devtmpfs.detach(pid);
        } else {
            devtmpfs.attach(pid);
        }
    }
}
