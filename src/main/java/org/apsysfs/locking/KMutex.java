package org.apsysfs.locking;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.AbstractQueuedSynchronizer;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;

/**
 * A kernel mutex ({@code struct mutex}) of a named {@link LockClass}. Every acquisition is
 * reported to the {@link Lockdep} validator; a wait longer than the hung-task timeout is
 * reported too (and the wait goes on, as in the kernel).
 *
 * <p>The mutex is its own synchronizer (a reentrant one, like {@code ReentrantLock}: state =
 * hold count) and its own {@link Guard}, so a device lock is one object: a machine has 65,792
 * of them.
 */
public final class KMutex extends AbstractQueuedSynchronizer implements Guard {
    private static final long serialVersionUID = 1L;

    private final LockClass cls;
    /** The instance name, or with {@link #owner} its prefix: "prefix(owner)". */
    private final String instanceName;
    private final transient Object owner;

    public KMutex(LockClass cls) {
        this(cls, cls.name());
    }

    /** A mutex with an instance name for reports (e.g. "device_lock(05.0004)"). */
    public KMutex(LockClass cls, String instanceName) {
        this.cls = cls;
        this.instanceName = instanceName;
        this.owner = null;
    }

    /**
     * A mutex named {@code prefix(owner)} in reports (e.g. "device_lock(05.0004)"); the name
     * is made only when a report needs it.
     */
    public KMutex(LockClass cls, String prefix, Object owner) {
        this.cls = cls;
        this.instanceName = prefix;
        this.owner = owner;
    }

    public LockClass lockClass() {
        return cls;
    }

    public String instanceName() {
        return owner == null ? instanceName : instanceName + "(" + owner + ")";
    }

    @Override
    public String toString() {
        return instanceName();
    }

    /** {@code mutex_lock}. */
    public Guard lock() {
        return lockNested(0);
    }

    /** {@code mutex_lock_nested}: a nesting subclass lets two locks of one class nest. */
    public Guard lockNested(int subclass) {
        Lockdep.get().acquire(cls, subclass, this, this);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (tryAcquireNanos(1, TimeUnit.MILLISECONDS.toNanos(Lockdep.get().hungTaskMillis()))) {
                        break;
                    }
                    Lockdep.get().hungTask(this);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return this;
    }

    /**
     * {@code mutex_lock_interruptible}: fails with ERESTARTSYS if the caller is interrupted
     * (the simulator's "signal pending") while waiting.
     */
    public Guard lockInterruptible() {
        Lockdep.get().acquire(cls, 0, this, this);
        try {
            while (!tryAcquireNanos(1, TimeUnit.MILLISECONDS.toNanos(Lockdep.get().hungTaskMillis()))) {
                Lockdep.get().hungTask(this);
            }
        } catch (InterruptedException e) {
            Lockdep.get().release(this);
            Thread.currentThread().interrupt();
            throw KernelException.bare(Errno.ERESTARTSYS);
        }
        return this;
    }

    /** Releases the mutex (the {@link Guard} that {@link #lock()} returns is the mutex itself). */
    @Override
    public void close() {
        Lockdep.get().release(this);
        release(1);
    }

    /** {@code lockdep_assert_held}. */
    public boolean isHeldByCurrentThread() {
        return getExclusiveOwnerThread() == Thread.currentThread();
    }

    public boolean isLocked() {
        return getState() != 0;
    }

    // ------------------------------------------------------------------ synchronizer

    @Override
    protected boolean tryAcquire(int n) {
        Thread t = Thread.currentThread();
        int c = getState();
        if (c == 0) {
            if (compareAndSetState(0, n)) {
                setExclusiveOwnerThread(t);
                return true;
            }
        } else if (getExclusiveOwnerThread() == t) {
            setState(c + n);
            return true;
        }
        return false;
    }

    @Override
    protected boolean tryRelease(int n) {
        if (getExclusiveOwnerThread() != Thread.currentThread()) {
            throw new IllegalMonitorStateException();
        }
        int c = getState() - n;
        if (c == 0) {
            setExclusiveOwnerThread(null);
        }
        setState(c);
        return c == 0;
    }

    @Override
    protected boolean isHeldExclusively() {
        return getExclusiveOwnerThread() == Thread.currentThread();
    }
}
