package org.apsysfs.vfio_ap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apsysfs.Daemon;
import org.apsysfs.hardware.ApMask;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.ManualClock;
import org.apsysfs.sysfs.Kernfs;
import org.apsysfs.sysfs.InProcessClient;
import org.apsysfs.sysfs.KernfsOpenFile;
import org.apsysfs.sysfs.SysfsClient;
import org.apsysfs.sysfs.SysfsPaths;

/**
 * A booted system driven in-process through its sysfs (no FUSE): reads and writes go through
 * kernfs open/read/write exactly as the FUSE layer calls them, so errno and content are what a
 * mounted tree gives, only faster.
 */
final class InProc {
    final Daemon d;
    final Kernfs fs;
    final ManualClock clock;
    /** The one in-process client all reads and writes go through. */
    final InProcessClient client;

    InProc(String machine) {
        this.clock = new ManualClock();
        this.d = Daemon.create(machine, clock);
        this.fs = d.kernel().sysfs();
        this.client = new InProcessClient(fs);
    }

    static InProc defaultMachine() {
        return new InProc("default");
    }

    /** The content of an attribute (the whole of it, as cat reads it). */
    String read(String path) {
        assertThat(client.exists(path)).as("%s exists", path).isTrue();
        return client.read(path);
    }

    boolean exists(String path) {
        return client.exists(path);
    }

    /** Writes like {@code printf VALUE > path}; null on success, else the errno. */
    Errno write(String path, String value) {
        assertThat(client.exists(path)).as("%s exists", path).isTrue();
        SysfsClient.Write w = client.write(path, value);
        if (w.ok()) {
            assertThat(w.written()).isEqualTo(Math.min(value.length(), KernfsOpenFile.PAGE_SIZE));
        }
        return w.errno();
    }

    void ok(String path, String value) {
        assertThat(write(path, value)).as("writing '%s' to %s", value, path).isNull();
    }

    void fails(String path, String value, Errno errno) {
        assertThat(write(path, value)).as("writing '%s' to %s", value, path).isEqualTo(errno);
    }

    /** Creates an mdev with a fresh UUID and returns the UUID. */
    String create() {
        String u = UUID.randomUUID().toString();
        ok(SysfsPaths.MDEV_CREATE, u + "\n");
        return u;
    }

    String mdev(String uuid) {
        return SysfsPaths.mdev(uuid);
    }

    MatrixMdev m(String uuid) {
        return d.vfioAp().mdev(uuid);
    }

    /** Frees every APQN of the given adapters for vfio_ap (clears them in apmask). */
    void freeAdapters(int... apids) {
        StringBuilder sb = new StringBuilder();
        for (int a : apids) {
            sb.append(sb.length() == 0 ? "" : ",").append('-').append(a);
        }
        ok("/bus/ap/apmask", sb + "\n");
    }

    List<String> log() {
        return d.kernel().log().lines();
    }

    long logCount(String regex) {
        Pattern p = Pattern.compile(regex);
        return log().stream().filter(l -> p.matcher(l).find()).count();
    }

    /** The three masks of an mdev's ap_config, for comparing states. */
    String state(String uuid) {
        String p = mdev(uuid);
        return read(p + "matrix") + "|" + read(p + "guest_matrix") + "|" + read(p + "ap_config") + "|"
                + read(p + "control_domains");
    }

    static String mask(int... ids) {
        ApMask m = ApMask.empty();
        for (int i : ids) {
            m = m.with(i);
        }
        return m.format();
    }

    static String apConfig(String apm, String aqm, String adm) {
        return apm + "," + aqm + "," + adm + "\n";
    }
}
