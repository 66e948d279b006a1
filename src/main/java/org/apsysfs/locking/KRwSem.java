package org.apsysfs.locking;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/** A kernel read-write semaphore ({@code struct rw_semaphore}) of a named class. */
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
        return take(lock.readLock());
    }

    /** {@code down_write}. */
    public Guard write() {
        return take(lock.writeLock());
    }

    private Guard take(Lock l) {
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
        return () -> {
            Lockdep.get().release(this);
            l.unlock();
        };
    }
}
