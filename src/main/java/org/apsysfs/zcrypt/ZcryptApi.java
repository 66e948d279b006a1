package org.apsysfs.zcrypt;

import java.util.ArrayList;
import java.util.List;
import org.apsysfs.Kernel;
import org.apsysfs.base.Device;
import org.apsysfs.base.DeviceClass;
import org.apsysfs.base.Misc;
import org.apsysfs.bus.ApMaskParser;
import org.apsysfs.hardware.ApMask;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.kernel.Kstrtox;
import org.apsysfs.locking.Guard;
import org.apsysfs.locking.KMutex;
import org.apsysfs.locking.LockClass;
import org.apsysfs.sysfs.Attribute;
import org.apsysfs.sysfs.AttributeGroup;

/**
 * The zcrypt device driver interface, {@code drivers/s390/crypto/zcrypt_api.c}: the misc device
 * {@code z90crypt} ({@code zcrypt_misc_device}) and the multiple device nodes extension
 * ({@code zcdn_*}): the class {@code zcrypt} with its {@code create} and {@code destroy} files,
 * and one class device per additional node in {@code /sys/devices/virtual/zcrypt/NAME} with the
 * node's permission masks {@code ioctlmask}, {@code apmask}, {@code aqmask}, {@code admask}
 * ({@code struct ap_perms}).
 *
 * <p>Locking: {@code ap_perms_mutex} ({@link #AP_PERMS_MUTEX}) guards the node list and every
 * node's masks; it is held across {@code device_register}/{@code device_unregister} (as
 * {@code zcdn_create}/{@code zcdn_destroy} do) and takes no other lock of this simulation but
 * the sysfs tree lock.
 */
public final class ZcryptApi {
    /** {@code ap_perms_mutex} (ap_bus.c), taken by every zcdn store and show. */
    public static final LockClass AP_PERMS_MUTEX = LockClass.of("ap_perms_mutex");
    /** {@code ZCRYPT_NAME}: the class name and the prefix of automatic node names. */
    public static final String ZCRYPT_NAME = "zcrypt";
    /** {@code ZCDN_MAX_NAME}: the name buffer of create/destroy (31 characters and the NUL). */
    public static final int ZCDN_MAX_NAME = 32;
    /** {@code ZCRYPT_MAX_MINOR_NODES} (uapi asm/zcrypt.h): the minors of the zcrypt chrdev region. */
    public static final int ZCRYPT_MAX_MINOR_NODES = 256;
    /**
     * The major of the zcrypt chrdev region. {@code alloc_chrdev_region} hands out dynamic majors
     * from 254 downwards ({@code find_dynamic_major}, fs/char_dev.c); in the simulated system
     * zcrypt is the first driver to ask for one.
     */
    public static final int ZCRYPT_MAJOR = 254;

    /** The class files ({@code class_attr_zcdn_create}, {@code class_attr_zcdn_destroy}: 0600, no show). */
    static final AttributeGroup<ZcryptApi> CLASS_ATTRS = AttributeGroup.of(
            Attribute.of("create", 0600, z -> noShow(), ZcryptApi::createStore),
            Attribute.of("destroy", 0600, z -> noShow(), ZcryptApi::destroyStore));

    /** {@code zcdn_dev_attrs}: the node's masks, {@code DEVICE_ATTR_RW}. */
    static final AttributeGroup<Zcdn> ZCDN_ATTRS = AttributeGroup.of(
            Attribute.rw("ioctlmask", z -> z.api.maskShow(z, 0), (z, b) -> z.api.maskStore(z, 0, b)),
            Attribute.rw("apmask", z -> z.api.maskShow(z, 1), (z, b) -> z.api.maskStore(z, 1, b)),
            Attribute.rw("aqmask", z -> z.api.maskShow(z, 2), (z, b) -> z.api.maskStore(z, 2, b)),
            Attribute.rw("admask", z -> z.api.maskShow(z, 3), (z, b) -> z.api.maskStore(z, 3, b)));

    private final Kernel kernel;
    private final DeviceClass zcryptClass;
    private final KMutex apPermsMutex = new KMutex(AP_PERMS_MUTEX);
    /** The registered nodes; guarded by ap_perms_mutex. */
    private final List<Zcdn> nodes = new ArrayList<>();
    private final Device z90crypt;

    /** A zcdn device ({@code struct zcdn_device}): a class device with its {@code ap_perms}. */
    static final class Zcdn extends Device {
        final ZcryptApi api;
        /** ioctlm, apm, aqm, adm; guarded by ap_perms_mutex. A new node permits nothing (kzalloc). */
        final ApMask[] perms = {ApMask.empty(), ApMask.empty(), ApMask.empty(), ApMask.empty()};

        Zcdn(ZcryptApi api, String name, int minor) {
            super(api.kernel, name, null, null);
            this.api = api;
            setClass(api.zcryptClass, ZCRYPT_MAJOR, minor);
        }

        @Override
        protected List<AttributeGroup<?>> typeGroups() {
            return List.of(ZCDN_ATTRS);
        }
    }

    private ZcryptApi(Kernel kernel) {
        this.kernel = kernel;
        // zcdn_init: class_create(ZCRYPT_NAME), the chrdev region, the class files
        this.zcryptClass = new DeviceClass(kernel, ZCRYPT_NAME);
        zcryptClass.dir().addGroup(CLASS_ATTRS, this);
        // misc_register(&zcrypt_misc_device): /dev/z90crypt
        this.z90crypt = Misc.of(kernel).registerDynamic(kernel, "z90crypt");
    }

    /** {@code zcrypt_api_init}: the zcdn class and the z90crypt misc device. */
    public static ZcryptApi init(Kernel kernel) {
        return new ZcryptApi(kernel);
    }

    /** The z90crypt misc device. */
    public Device z90crypt() {
        return z90crypt;
    }

    /** The names of the additional nodes, in creation order. */
    public List<String> nodeNames() {
        try (Guard g = apPermsMutex.lock()) {
            return nodes.stream().map(Device::name).toList();
        }
    }

    private static String noShow() {
        // class_attr_show (drivers/base/class.c): no show callback gives EIO
        throw KernelException.bare(Errno.EIO);
    }

    /**
     * What create and destroy do with the written bytes: {@code strscpy(name, skip_spaces(buf),
     * ZCDN_MAX_NAME)} (at most 31 characters, up to a NUL) and {@code strim}.
     */
    static String nameArg(String buf) {
        String s = Kstrtox.cString(buf);
        int i = 0;
        while (i < s.length() && isSpace(s.charAt(i))) {
            i++;
        }
        s = s.substring(i);
        if (s.length() > ZCDN_MAX_NAME - 1) {
            s = s.substring(0, ZCDN_MAX_NAME - 1);
        }
        int e = s.length();
        while (e > 0 && isSpace(s.charAt(e - 1))) {
            e--;
        }
        return s.substring(0, e);
    }

    /** {@code isspace} of the kernel's ctype (lib/ctype.c) for the ASCII range and 0xa0. */
    private static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0;
    }

    private Zcdn byName(String name) {
        for (Zcdn z : nodes) {
            if (z.name().equals(name)) {
                return z;
            }
        }
        return null;
    }

    private boolean minorUsed(int minor) {
        for (Zcdn z : nodes) {
            if (z.minor() == minor) {
                return true;
            }
        }
        return false;
    }

    /** {@code zcdn_create_store} and {@code zcdn_create}. */
    private void createStore(String buf) {
        String name = nameArg(buf);
        try (Guard g = apPermsMutex.lockInterruptible()) {
            // check if a device node with this name already exists (find_zcdndev_by_name)
            if (!name.isEmpty() && byName(name) != null) {
                throw KernelException.bare(Errno.EEXIST);
            }
            int minor = 0;
            while (minor < ZCRYPT_MAX_MINOR_NODES && minorUsed(minor)) {
                minor++;
            }
            if (minor == ZCRYPT_MAX_MINOR_NODES) {
                throw KernelException.bare(Errno.ENOSPC);
            }
            // dev_set_name: kobject_set_name_vargs turns every '/' into '!'
            String devName = name.isEmpty() ? ZCRYPT_NAME + "_" + minor : name.replace('/', '!');
            checkRegisterable(devName);
            Zcdn z = new Zcdn(this, devName, minor);
            z.add(zcryptClass.acquireVirtualDir());
            nodes.add(z);
        }
    }

    /**
     * What {@code device_register} of a node called {@code devName} would refuse: a name taken in
     * {@code /sys/devices/virtual/zcrypt} or in {@code /sys/class/zcrypt} (where the class files
     * {@code create} and {@code destroy} are), both EEXIST with the sysfs warning.
     */
    private void checkRegisterable(String devName) {
        if (devName.equals(".") || devName.equals("..")) {
            // no directory entry of that name can be served (the VFS resolves them itself)
            throw KernelException.of(Errno.EINVAL, "zcrypt: zcdn_create: a node cannot be named '%s'", devName);
        }
        if (byName(devName) != null) {
            throw KernelException.of(Errno.EEXIST, "sysfs: cannot create duplicate filename '/devices/virtual/zcrypt/%s'",
                    devName);
        }
        if (zcryptClass.dir().child(devName) != null) {
            throw KernelException.of(Errno.EEXIST, "sysfs: cannot create duplicate filename '/class/zcrypt/%s'", devName);
        }
    }

    /** {@code zcdn_destroy_store} and {@code zcdn_destroy}. */
    private void destroyStore(String buf) {
        String name = nameArg(buf);
        try (Guard g = apPermsMutex.lockInterruptible()) {
            Zcdn z = byName(name);
            if (z == null) {
                throw KernelException.bare(Errno.ENOENT);
            }
            nodes.remove(z);
            z.del();
            zcryptClass.releaseVirtualDir();
        }
    }

    /** {@code ioctlmask_show} etc.: "0x" and the 256 bits as four {@code %016lx} words. */
    private String maskShow(Zcdn z, int which) {
        try (Guard g = apPermsMutex.lockInterruptible()) {
            return z.perms[which].format() + "\n";
        }
    }

    /** {@code ioctlmask_store} etc.: {@code ap_parse_mask_str} with AP_IOCTLS/AP_DEVICES/AP_DOMAINS (all 256). */
    private void maskStore(Zcdn z, int which, String buf) {
        try (Guard g = apPermsMutex.lockInterruptible()) {
            z.perms[which] = ApMaskParser.parse(buf, z.perms[which]);
        }
    }
}
