package org.apsysfs.locking;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A kernel read-write semaphore ({@code struct rw_semaphore}) of a named class. Like the
 * kernel's, a waiting writer holds up new readers (a non-fair {@link ReentrantReadWriteLock}
 * queues them behind it), so a reader that waits for something a later reader must do
 * deadlocks: the validator sees every acquisition of either side.
 */
public final class KRwSem {
    private final LockClass cls;
    private final String instanceName;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    public KRwSem(LockClass cls, String instanceName) {
        this.cls = cls;
        this.instanceName = instanceName;
    }

    public LockClass lockClass() {
        return cls;
    }

    /** {@code down_read}. */
    public Guard read() {
        take(lock.readLock());
        return () -> release(lock.readLock());
    }

    /** {@code down_write}. */
    public Guard write() {
        take(lock.writeLock());
        return () -> release(lock.writeLock());
    }

    /**
     * {@code down_read} without a guard (for hot paths), unless this thread holds the write
     * side: then the read needs no lock and nothing is taken.
     *
     * @return whether it was taken, for {@link #readUnlock}
     */
    public boolean readUnlessWriter() {
        if (lock.isWriteLockedByCurrentThread()) {
            return false;
        }
        take(lock.readLock());
        return true;
    }

    /** {@code up_read} after {@link #readUnlessWriter}. */
    public void readUnlock(boolean taken) {
        if (taken) {
            release(lock.readLock());
        }
    }

    /**
     * {@code down_write} without a guard, unless this thread holds it already (a batch of
     * changes): then nothing is taken.
     *
     * @return whether it was taken, for {@link #writeUnlock}
     */
    public boolean writeUnlessHeld() {
        if (lock.isWriteLockedByCurrentThread()) {
            return false;
        }
        take(lock.writeLock());
        return true;
    }

    /** {@code up_write} after {@link #writeUnlessHeld}. */
    public void writeUnlock(boolean taken) {
        if (taken) {
            release(lock.writeLock());
        }
    }

    public boolean isWriteHeldByCurrentThread() {
        return lock.isWriteLockedByCurrentThread();
    }

    private void take(Lock l) {
        Lockdep.get().acquire(cls, 0, this, instanceName);
        boolean interrupted = false;
        while (true) {
            try {
                if (l.tryLock(Lockdep.get().hungTaskMillis(), TimeUnit.MILLISECONDS)) {
                    break;
                }
                Lockdep.get().hungTask(instanceName);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void release(Lock l) {
        Lockdep.get().release(this);
        l.unlock();
    }
}
