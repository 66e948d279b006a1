package org.apsysfs.testing;

import java.util.UUID;
import org.apsysfs.Daemon;
import org.apsysfs.kernel.Clock;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.ManualClock;
import org.apsysfs.kvm.Kvm;
import org.apsysfs.sysfs.InProcessClient;
import org.apsysfs.sysfs.Kernfs;
import org.apsysfs.sysfs.SysfsPaths;
import org.apsysfs.vfio_ap.MatrixMdev;

/**
 * An in-process simulated system for vfio_ap/KVM tests: reads and writes its sysfs files as
 * root (one open + one store, like {@code echo}), with short names for the usual places.
 * Paths are below /sys ("bus/ap/apmask"); {@link SysfsPaths} names the well-known ones.
 */
public final class Sim {
    public final Daemon d;
    public final Kernfs fs;
    /** The one in-process client all reads and writes go through. */
    public final InProcessClient client;
    /** The manual clock, or null for another clock. */
    public final ManualClock clock;
    /** The clock's sleeps cost no real time (a manual or test clock). */
    private final boolean virtualTime;

    private Sim(Daemon d, ManualClock clock, boolean virtualTime) {
        this.d = d;
        this.fs = d.kernel().sysfs();
        this.client = new InProcessClient(fs);
        this.clock = clock;
        this.virtualTime = virtualTime;
    }

    private Sim(Daemon d, ManualClock clock) {
        this(d, clock, clock != null);
    }

    /** The default machine on a test's own virtual clock, with adapters 4, 5, 6 given to vfio_ap. */
    public static Sim vfio(Clock virtualClock) {
        Sim s = new Sim(Daemon.create("default", virtualClock), null, true);
        s.ok("/bus/ap/apmask", "-4,-5,-6\n");
        s.settle();
        return s;
    }

    /** The default machine on a manual clock (simulated waits take no time). */
    public static Sim manual() {
        ManualClock c = new ManualClock();
        return new Sim(Daemon.create("default", c), c);
    }

    /** A system the test booted (on the real clock unless it says otherwise). */
    public static Sim of(Daemon d) {
        Clock c = d.kernel().clock();
        return new Sim(d, c instanceof ManualClock m ? m : null);
    }

    /** Nanoseconds on the system's clock. */
    public long now() {
        return d.kernel().clock().nanoTime();
    }

    /**
     * The default machine with adapters 4, 5 and 6 given to vfio_ap ({@code apmask -4,-5,-6}):
     * their queues x domains 4, 5, 0x47, 0x54 are bound to vfio_ap; adapter 0x0b stays with zcrypt.
     */
    public static Sim vfio() {
        Sim s = manual();
        s.ok("/bus/ap/apmask", "-4,-5,-6\n");
        s.settle();
        return s;
    }

    /**
     * Lets a second of simulated time pass, so that resets the AP bus started without waiting
     * (the zeroize when a queue leaves zcrypt) complete.
     */
    public void settle() {
        if (clock != null) {
            clock.advanceMillis(1000);
        } else if (virtualTime) {
            d.kernel().clock().sleepMillis(1000);
        }
    }

    public String read(String path) {
        if (!client.exists(path)) {
            throw new AssertionError("no " + path);
        }
        return client.read(path);
    }

    /** One store (open, write, close); null on success, else the errno. */
    public Errno write(String path, String value) {
        return client.tryWrite(path, value);
    }

    /** A store that must succeed. */
    public void ok(String path, String value) {
        Errno e = write(path, value);
        if (e != null) {
            throw new AssertionError("echo '" + value.strip() + "' > " + path + " failed with " + e);
        }
    }

    /** A store that must fail with {@code errno}. */
    public void fails(String path, String value, Errno errno) {
        Errno e = write(path, value);
        if (e != errno) {
            throw new AssertionError("echo '" + value.strip() + "' > " + path + ": expected " + errno + ", got "
                    + (e == null ? "success" : e));
        }
    }

    public String createMdev() {
        String u = UUID.randomUUID().toString();
        ok(SysfsPaths.MDEV_CREATE, u + "\n");
        return u;
    }

    public String mdevPath(String uuid) {
        return SysfsPaths.MATRIX + uuid;
    }

    public void mdevWrite(String uuid, String file, String value) {
        ok(mdevPath(uuid) + "/" + file, value + "\n");
    }

    public String mdevRead(String uuid, String file) {
        return read(mdevPath(uuid) + "/" + file);
    }

    public MatrixMdev mdev(String uuid) {
        return d.vfioAp().mdev(uuid);
    }

    /** Creates guest {@code name} ({@code options}: nocrycb, nogisa, protected, mem=BYTES). */
    public Kvm guest(String name, String... options) {
        ok(SysfsPaths.GUESTS + "create", name + (options.length == 0 ? "" : " " + String.join(" ", options)) + "\n");
        return d.guests().get(name);
    }

    public String guestPath(String name, String file) {
        return SysfsPaths.guest(name) + file;
    }

    public String guestRead(String name, String file) {
        return read(guestPath(name, file));
    }

    public Errno guestWrite(String name, String file, String value) {
        return write(guestPath(name, file), value + "\n");
    }

    public void attach(String guest, String uuid) {
        ok(guestPath(guest, "attach"), uuid + "\n");
    }

    public void detach(String guest, String uuid) {
        ok(guestPath(guest, "detach"), uuid + "\n");
    }

    /** The guest's PQAP; returns what {@code pqap} reads afterwards. */
    public String pqap(String guest, String instruction) {
        ok(guestPath(guest, "pqap"), instruction + "\n");
        return guestRead(guest, "pqap");
    }

    public String queueStatus(String apqn) {
        return read(queuePath(apqn) + "/status");
    }

    /** "05.0047" -> devices/ap/card05/05.0047. */
    public static String queuePath(String apqn) {
        String q = SysfsPaths.queue(apqn);
        return q.substring(0, q.length() - 1);
    }

    public String hazards() {
        return read(SysfsPaths.DEBUG + "hazards");
    }

    public String dmesg() {
        return d.kernel().log().text();
    }

    /** An mdev with adapters x domains assigned (ids as hex without 0x, e.g. "5", "47"). */
    public String mdevWith(String[] adapters, String[] domains) {
        String u = createMdev();
        for (String a : adapters) {
            mdevWrite(u, "assign_adapter", "0x" + a);
        }
        for (String q : domains) {
            mdevWrite(u, "assign_domain", "0x" + q);
        }
        return u;
    }
}
