package org.apsysfs;

import org.apsysfs.kernel.Clock;

/**
 * One simulated system as the daemon serves it: the kernel booted on a machine with its
 * subsystems. Tests make one in-process; {@code apsysfs run} makes one per mount.
 */
public final class Daemon {
    private final Kernel kernel;
    private final String machineName;

    private Daemon(Kernel kernel, String machineName) {
        this.kernel = kernel;
        this.machineName = machineName;
    }

    /**
     * Boots a system on the named built-in machine or a machine file.
     *
     * @throws IllegalArgumentException with a message naming the problem if the machine is bad
     */
    public static Daemon create(String machine) {
        return create(machine, Clock.system());
    }

    public static Daemon create(String machine, Clock clock) {
        Kernel k = new Kernel(clock);
        return new Daemon(k, machine);
    }

    public Kernel kernel() {
        return kernel;
    }

    public String machineName() {
        return machineName;
    }
}
