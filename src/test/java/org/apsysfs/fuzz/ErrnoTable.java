package org.apsysfs.fuzz;

import static org.apsysfs.kernel.Errno.E2BIG;
import static org.apsysfs.kernel.Errno.EADDRINUSE;
import static org.apsysfs.kernel.Errno.EADDRNOTAVAIL;
import static org.apsysfs.kernel.Errno.EAGAIN;
import static org.apsysfs.kernel.Errno.EBUSY;
import static org.apsysfs.kernel.Errno.EEXIST;
import static org.apsysfs.kernel.Errno.EFBIG;
import static org.apsysfs.kernel.Errno.EINVAL;
import static org.apsysfs.kernel.Errno.EIO;
import static org.apsysfs.kernel.Errno.ENODEV;
import static org.apsysfs.kernel.Errno.ENOENT;
import static org.apsysfs.kernel.Errno.ENOSPC;
import static org.apsysfs.kernel.Errno.ENOMEM;
import static org.apsysfs.kernel.Errno.ENXIO;
import static org.apsysfs.kernel.Errno.EOPNOTSUPP;
import static org.apsysfs.kernel.Errno.EPERM;
import static org.apsysfs.kernel.Errno.ERANGE;
import static org.apsysfs.kernel.Errno.EUSERS;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apsysfs.kernel.Errno;

/**
 * The errnos a store may fail with, per writable file (each store function of the kernel, the driver core for the
 * standard files, and the simulator's own control files). A write failing with anything else
 * is a finding. {@link #kind} folds instance names (cards, queues, UUIDs, guests) so the table
 * and the fuzzer's statistics work per kind of file.
 */
final class ErrnoTable {
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    /** kind (see {@link #kind}) → allowed errnos; first matching regex wins. */
    private static final Map<Pattern, Set<Errno>> RULES = new LinkedHashMap<>();

    private static void rule(String regex, Errno... allowed) {
        RULES.put(Pattern.compile(regex), allowed.length == 0 ? EnumSet.noneOf(Errno.class) : EnumSet.of(allowed[0], allowed));
    }

    static {
        // bus/ap (ap_bus.c: apmask_store, aqmask_store, ap_domain_store, ...); ERESTARTSYS only on a signal, which the fuzzer never sends
        rule("/bus/ap/(apmask|aqmask)", EINVAL, EBUSY);
        rule("/bus/ap/ap_domain", EINVAL);
        rule("/bus/ap/config_time", EINVAL);
        rule("/bus/ap/poll_thread", EINVAL);
        rule("/bus/ap/poll_timeout", EINVAL, ERANGE);
        rule("/bus/ap/scans");
        // driver core: drivers_autoprobe looks at buf[0] only and never fails; drivers_probe is
        // ENODEV for an unknown name, EINVAL if the re-probe fails; uevent is kobject_synth_uevent
        rule("/bus/[^/]+/drivers_autoprobe");
        rule("/bus/[^/]+/drivers_probe", ENODEV, EINVAL);
        rule(".*/uevent", EINVAL, ENOMEM);
        // bind: ENODEV no device / no match / reservation, EBUSY already bound, probe errnos
        rule("/bus/[^/]+/drivers/[^/]+/bind", ENODEV, EBUSY, ENXIO, EINVAL, ENOMEM);
        rule("/bus/[^/]+/drivers/[^/]+/unbind", ENODEV);
        // devices/ap (ap_card.c config_store, zcrypt_card.c/zcrypt_queue.c online_store)
        rule("/devices/ap/cardXX/config", EINVAL, EIO, EOPNOTSUPP);
        rule("/devices/ap/cardXX(/XX.YYYY)?/online", EINVAL, ENODEV);
        rule("/devices/ap/cardXX(/XX.YYYY)?/request_count");
        rule("/devices/ap/cardXX/XX.YYYY/reset");
        rule("/devices/ap/cardXX/XX.YYYY/driver_override", EINVAL, ENOMEM);
        // runtime PM files of every device: control is "auto"/"on"; autosuspend_delay_ms is
        // EIO while the device does not use autosuspend (none here), else kstrtol → EINVAL
        rule(".*/power/control", EINVAL);
        rule(".*/power/autosuspend_delay_ms", EIO, EINVAL);
        // mdev type and mdev devices (mdev_sysfs.c create_store/remove_store, vfio_ap_ops.c assign_*_store)
        rule("/devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create", EINVAL, EEXIST, EUSERS, ENODEV, ENOMEM);
        rule("/devices/vfio_ap/matrix/UUID/remove", EINVAL, ENODEV, EAGAIN);
        rule("/devices/vfio_ap/matrix/UUID/assign_(adapter|domain)", EINVAL, ERANGE, ENODEV, EADDRNOTAVAIL, EADDRINUSE);
        rule("/devices/vfio_ap/matrix/UUID/(unassign_(adapter|domain)|(un)?assign_control_domain)", EINVAL, ERANGE, ENODEV);
        rule("/devices/vfio_ap/matrix/UUID/ap_config", EINVAL, ENODEV, EADDRNOTAVAIL, EADDRINUSE, ENOMEM);
        // zcrypt multiple device nodes (zcrypt_api.c zcdn_create/zcdn_destroy, *mask_store with
        // ap_parse_mask_str); "." and ".." are the simulation's EINVAL
        rule("/class/zcrypt/create", EEXIST, ENOSPC, EINVAL);
        rule("/class/zcrypt/destroy", ENOENT);
        rule("/devices/virtual/zcrypt/[^/]+/(ioctlmask|apmask|aqmask|admask)", EINVAL);
        // the simulator's control files (docs/control-files.md, debugfs/*.java)
        rule("/kernel/debug/apsysfs/faults", EINVAL);
        // a JSON document collected over writes: not JSON / not a usable state, or too long
        rule("/kernel/debug/apsysfs/state", EINVAL, EFBIG, ENOMEM);
        rule("/kernel/debug/apsysfs/whole_matrix", EINVAL);
        rule("/kernel/debug/apsysfs/guests/create", EINVAL, EEXIST);
        rule("/kernel/debug/apsysfs/guests/destroy", ENODEV, EBUSY, EINVAL);
        // attach = the VFIO open: no mdev, guest busy, another mdev has the KVM (EPERM), no KVM
        rule("/kernel/debug/apsysfs/guests/NAME/attach", ENODEV, EBUSY, EPERM, EINVAL);
        rule("/kernel/debug/apsysfs/guests/NAME/detach", ENODEV);
        rule("/kernel/debug/apsysfs/guests/NAME/reset", ENODEV, EIO);
        rule("/kernel/debug/apsysfs/guests/NAME/pqap", EINVAL, EOPNOTSUPP);
        rule("/kernel/debug/apsysfs/host/.*", EINVAL, ENODEV, EBUSY, EEXIST, E2BIG);
    }

    private ErrnoTable() {
    }

    /**
     * The kind of a file: its path with card names as {@code cardXX}, queue names as
     * {@code XX.YYYY}, mdev UUIDs as {@code UUID} and guest names as {@code NAME}.
     */
    static String kind(String path) {
        String k = path.replaceAll("/card[0-9a-f]{2}(?=/|$)", "/cardXX")
                .replaceAll("/[0-9a-f]{2}\\.[0-9a-f]{4}(?=/|$)", "/XX.YYYY");
        k = UUID.matcher(k).replaceAll("UUID");
        return k.replaceAll("^/kernel/debug/apsysfs/guests/(?!create$|destroy$)[^/]+/", "/kernel/debug/apsysfs/guests/NAME/");
    }

    /** The errnos a write to {@code path} may fail with; null if the file is not in the table. */
    static Set<Errno> allowed(String path) {
        String k = kind(path);
        for (var r : RULES.entrySet()) {
            if (r.getKey().matcher(k).matches()) {
                return r.getValue();
            }
        }
        return null;
    }
}
