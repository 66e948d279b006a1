package org.apsysfs.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.kernel.KernelLog;
import org.apsysfs.kernel.ManualClock;
import org.apsysfs.sysfs.Attribute;
import org.apsysfs.sysfs.AttributeGroup;
import org.apsysfs.sysfs.Kernfs;
import org.apsysfs.sysfs.KernfsDir;

/**
 * A small tree with test attributes for the file-system tests:
 *
 * <pre>
 * /devices/test/          the test object (TestTree itself)
 *     counter   0444  "count=N\n", N = number of show calls so far
 *     value     0644  shows {@link #value}; every store is recorded in {@link #stores}
 *     wo        0200  write-only; stores recorded in {@link #woStores}
 *     ro        0444  "read-only\n"
 *     big       0444  {@link #BIG}: 10,000 bytes ("line 0000\n" ... "line 0999\n")
 *     secret    0400  root-only readable
 *     boom      0644  show and store throw IllegalStateException (a simulator bug)
 *     busy      0644  store fails with EBUSY (and logs why)
 *     power/              a named group
 *         control 0644
 *     subdir/             a plain subdirectory
 * /bus/test/devices/test0 -> ../../../devices/test
 * /class/test/test0       -> ../../devices/test
 * /devices/dyn/           empty; tests add and remove children
 * </pre>
 */
public final class TestTree {
    /** The content of {@code big}: longer than a page. */
    public static final String BIG;

    static {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            b.append(String.format("line %04d%n", i));
        }
        BIG = b.toString();
    }

    public final ManualClock clock = new ManualClock();
    public final KernelLog log = new KernelLog(clock);
    public final Kernfs fs = new Kernfs(clock, log);
    public final AtomicInteger counterShows = new AtomicInteger();
    public final AtomicInteger valueShows = new AtomicInteger();
    public final List<String> stores = new CopyOnWriteArrayList<>();
    public final List<String> woStores = new CopyOnWriteArrayList<>();
    public volatile String value = "initial\n";
    public volatile String control = "auto\n";

    public final KernfsDir devices;
    public final KernfsDir test;
    public final KernfsDir dyn;

    public static final AttributeGroup<TestTree> ATTRS = AttributeGroup.of(
            Attribute.ro("counter", t -> "count=" + t.counterShows.incrementAndGet() + "\n"),
            Attribute.rw("value", t -> {
                t.valueShows.incrementAndGet();
                return t.value;
            }, (t, buf) -> {
                t.stores.add(buf);
                t.value = buf;
            }),
            Attribute.wo("wo", (t, buf) -> t.woStores.add(buf)),
            Attribute.ro("ro", t -> "read-only\n"),
            Attribute.ro("big", t -> BIG),
            Attribute.of("secret", 0400, t -> "s3cr3t\n", null),
            Attribute.rw("boom", t -> {
                throw new IllegalStateException("show blew up");
            }, (t, buf) -> {
                throw new IllegalStateException("store blew up");
            }),
            Attribute.rw("busy", t -> "0\n", (t, buf) -> {
                throw KernelException.of(Errno.EBUSY, "test: busy refuses '%s'", buf.strip());
            }));

    public static final AttributeGroup<TestTree> POWER = AttributeGroup.named("power",
            Attribute.rw("control", t -> t.control, (t, buf) -> t.control = buf));

    public TestTree() {
        KernfsDir root = fs.root();
        devices = root.mkdir("devices");
        test = devices.mkdir("test");
        test.addGroup(ATTRS, this);
        test.addGroup(POWER, this);
        test.mkdir("subdir");
        dyn = devices.mkdir("dyn");
        KernfsDir bus = root.mkdir("bus").mkdir("test");
        bus.mkdir("devices").symlink("test0", test);
        root.mkdir("class").mkdir("test").symlink("test0", test);
    }

    /** The tree's root, for {@code @SysfsTree} methods. */
    public Kernfs kernfs() {
        return fs;
    }
}
