package org.apsysfs.mdev;

import java.util.UUID;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.kernel.Uuids;
import org.apsysfs.sysfs.Attribute;
import org.apsysfs.sysfs.AttributeGroup;
import org.apsysfs.sysfs.KernfsDir;

/**
 * An mdev type ({@code struct mdev_type}):
 * {@code <parent>/mdev_supported_types/<driver>-<sysfs_name>/} with {@code create},
 * {@code device_api}, {@code name}, {@code available_instances} and {@code devices/}.
 */
public final class MdevType {
    /** {@code mdev_types_core_attrs} (no {@code description}: vfio_ap provides none). */
    static final AttributeGroup<MdevType> TYPE_ATTRS = AttributeGroup.of(
            Attribute.wo("create", MdevType::createStore),
            Attribute.ro("device_api", t -> t.parent.driver().deviceApi() + "\n"),
            Attribute.ro("name", t -> t.prettyName + "\n"),
            Attribute.ro("available_instances", t -> t.parent.availableInstances() + "\n"));

    private final MdevParent parent;
    private final String sysfsName;
    private final String prettyName;
    private KernfsDir dir;
    private KernfsDir devicesDir;

    MdevType(MdevParent parent, String sysfsName, String prettyName) {
        this.parent = parent;
        this.sysfsName = sysfsName;
        this.prettyName = prettyName;
    }

    void add(KernfsDir typesDir) {
        dir = typesDir.mkdir(parent.driverName() + "-" + sysfsName);
        dir.addGroup(TYPE_ATTRS, this);
        devicesDir = dir.mkdir("devices");
        if (typesDir.permanent()) {
            dir.markPermanent();
            devicesDir.markPermanent();
        }
    }

    public MdevParent parent() {
        return parent;
    }

    /** The type's short name, e.g. {@code passthrough}. */
    public String sysfsName() {
        return sysfsName;
    }

    public KernfsDir dir() {
        return dir;
    }

    KernfsDir devicesDir() {
        return devicesDir;
    }

    /**
     * {@code create}: exactly 36 or 37 bytes (EINVAL), the first 36 a UUID in 8-4-4-4-12 hex
     * form (EINVAL; the 37th byte is not looked at), not already used (EEXIST), an instance
     * left (EUSERS); the probe's errno otherwise.
     */
    private void createStore(String buf) {
        int count = buf.length();
        if (count < Uuids.STRING_LEN || count > Uuids.STRING_LEN + 1) {
            throw KernelException.of(Errno.EINVAL,
                    "mdev: create: %d bytes written; a UUID is 36 characters (37 with a newline)", count);
        }
        UUID uuid = parseUuid(buf);
        if (uuid == null) {
            throw KernelException.of(Errno.EINVAL, "mdev: create: '%s' is not a UUID (8-4-4-4-12 hex digits)",
                    org.apsysfs.kernel.Printable.of(buf.substring(0, Uuids.STRING_LEN)));
        }
        parent.core().create(this, uuid);
    }

    /** {@code guid_parse}: the first 36 characters, dashes at 8, 13, 18, 23, hex elsewhere. */
    static UUID parseUuid(String buf) {
        return Uuids.isValid(buf) ? UUID.fromString(buf.substring(0, Uuids.STRING_LEN)) : null;
    }
}
