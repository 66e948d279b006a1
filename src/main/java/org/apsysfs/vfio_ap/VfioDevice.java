package org.apsysfs.vfio_ap;

import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.kvm.Kvm;
import org.apsysfs.locking.Guard;

/**
 * The VFIO device of an mdev as a VMM uses it: open (with the KVM it belongs to), close, and
 * the device request the kernel sends while someone wants to remove an open device.
 * {@code open}/{@code close} are {@code vfio_ap_mdev_open_device}/{@code close_device}.
 */
public final class VfioDevice {
    /** How long the remover waits between device requests (the kernel's 10 s). */
    static volatile long requestIntervalMillis = 10_000;

    private final MatrixMdev m;
    /** Guarded by this. */
    private Kvm openKvm;
    /** Guarded by this. */
    private boolean open;
    /** The VMM registered a request eventfd (QEMU does). Guarded by this. */
    private boolean reqTrigger;
    /** Guarded by this: requests relayed during the current removal. */
    private int requests;

    VfioDevice(MatrixMdev m) {
        this.m = m;
    }

    public synchronized boolean isOpen() {
        return open;
    }

    public synchronized Kvm openKvm() {
        return openKvm;
    }

    public synchronized int requestsSent() {
        return requests;
    }

    /**
     * Opens the device for a VMM running {@code kvm} ({@code vfio_ap_mdev_open_device}): with a
     * CRYCB, installs the PQAP hook and attaches the guest, loading the shadow APCB.
     *
     * @throws KernelException EBUSY if already open; EPERM if another vfio_ap mdev is attached to
     *     the guest (the hook stays installed, as upstream leaves it)
     */
    public void open(Kvm kvm, boolean withRequestEventfd) {
        synchronized (this) {
            if (open) {
                throw KernelException.of(Errno.EBUSY, "%sopen: the device is already open", m.prefix());
            }
            open = true;
            openKvm = kvm;
            reqTrigger = withRequestEventfd;
            requests = 0;
        }
        try {
            m.matrixDev.queueDriver.ops().setKvm(m, kvm);
        } catch (KernelException e) {
            synchronized (this) {
                open = false;
                openKvm = null;
            }
            throw e;
        }
    }

    /** Closes the device ({@code vfio_ap_mdev_close_device}): detaches the guest, resets queues. */
    public void close() {
        synchronized (this) {
            if (!open) {
                throw KernelException.of(Errno.EBADF, "%sclose: the device is not open", m.prefix());
            }
        }
        m.matrixDev.queueDriver.ops().unsetKvm(m);
        synchronized (this) {
            open = false;
            openKvm = null;
            notifyAll();
        }
    }

    /**
     * {@code VFIO_DEVICE_RESET}: resets every linked queue (mdevs_lock).
     *
     * @throws KernelException EBADF if not open; EIO if a queue's reset did not end NORMAL
     */
    public void reset() {
        synchronized (this) {
            if (!open) {
                throw KernelException.of(Errno.EBADF, "%sreset: the device is not open", m.prefix());
            }
        }
        boolean ok;
        try (Guard g = m.matrixDev.mdevsLock.lock()) {
            ok = m.matrixDev.queueDriver.ops().matrixOps().resetAllQueues(m);
        }
        if (!ok) {
            throw KernelException.of(Errno.EIO, "%sVFIO_DEVICE_RESET: a queue's reset did not end with response code 0", m.prefix());
        }
    }

    /**
     * {@code vfio_unregister_group_dev}'s wait: while the device is open, send a device request
     * ({@code vfio_ap_mdev_request}: clear the guest's masks, signal the VMM) and wait; repeat
     * every interval. Holds no lock while waiting.
     */
    void waitForRelease() {
        int count = 0;
        while (true) {
            synchronized (this) {
                if (!open) {
                    return;
                }
            }
            request(count++);
            synchronized (this) {
                long deadline = System.currentTimeMillis() + requestIntervalMillis;
                while (open) {
                    long left = deadline - System.currentTimeMillis();
                    if (left <= 0) {
                        break;
                    }
                    try {
                        wait(left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (!open) {
                    return;
                }
            }
        }
    }

    private void request(int count) {
        MatrixDev md = m.matrixDev;
        try (Guard g = md.updateLocksForMdev(m)) {
            if (m.kvm != null) {
                m.kvm.clearMasks();
                m.kvm.signalCfgChanged();
            }
            boolean trigger;
            synchronized (this) {
                trigger = reqTrigger;
                requests = count + 1;
            }
            if (trigger) {
                if (count % 10 == 0) {
                    md.kernel.log().notice("%sRelaying device request to user (#%d)", m.prefix(), count);
                }
            } else if (count == 0) {
                md.kernel.log().notice("%sNo device request registered, blocked until released by user", m.prefix());
            }
        }
    }
}
