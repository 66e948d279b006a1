package org.apsysfs.zcrypt;

import org.apsysfs.bus.ApBus;
import org.apsysfs.bus.ApQueue;
import org.apsysfs.hardware.ApMode;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.sysfs.Attribute;
import org.apsysfs.sysfs.AttributeGroup;

/** zcrypt's view of a queue bound to cex4queue ({@code struct zcrypt_queue}). */
final class ZcryptQueue {
    /** {@code zcrypt_queue_attr_group}. */
    static final AttributeGroup<ApQueue> ZCRYPT_QUEUE_ATTRS = AttributeGroup.of(
            Attribute.rw("online", ZcryptQueue::onlineShow, ZcryptQueue::onlineStore),
            Attribute.ro("load", q -> ZcryptCard.zq(q).load + "\n"));
    /** {@code cca_queue_attr_grp}. */
    static final AttributeGroup<ApQueue> CCA_QUEUE_ATTRS = AttributeGroup.of(
            Attribute.ro("mkvps", ZcryptQueue::mkvpsShow));
    /** {@code ep11_queue_attr_grp}. */
    static final AttributeGroup<ApQueue> EP11_QUEUE_ATTRS = AttributeGroup.of(
            Attribute.ro("mkvps", ZcryptQueue::mkvpsShow),
            Attribute.ro("op_modes", q -> ZcryptCard.opModes(ZcryptCard.ep11(q.card()))));

    volatile boolean online = true;
    volatile int load;

    private static String onlineShow(ApQueue q) {
        return (q.config() && !q.chkstop() && ZcryptCard.zq(q).online ? 1 : 0) + "\n";
    }

    /**
     * Queue {@code online}: 0 or 1, else EINVAL; 1 while the queue or card is deconfigured or
     * check-stopped → ENODEV; 1 while the card is offline → EINVAL. Sends {@code ONLINE=}.
     */
    private static void onlineStore(ApQueue q, String buf) {
        int v = ApBus.scanInt("zcrypt: " + q.name() + ": online", buf, false);
        if (v < 0 || v > 1) {
            throw KernelException.of(Errno.EINVAL, "zcrypt: %s: online: %d is not 0 or 1", q.name(), v);
        }
        if (v == 1 && (!q.config() || !q.card().config() || q.chkstop() || q.card().chkstop())) {
            throw KernelException.of(Errno.ENODEV, "zcrypt: %s: online: queue or card deconfigured or check-stopped", q.name());
        }
        ZcryptCard zc = ZcryptCard.zc(q.card());
        if (v == 1 && (zc == null || !zc.online)) {
            throw KernelException.of(Errno.EINVAL, "zcrypt: %s: online: card %s is offline", q.name(), q.card().name());
        }
        ZcryptCard.zq(q).online = v == 1;
        q.uevent("change", "ONLINE=" + v);
    }

    /** {@code mkvps}: one "REGISTER: state value" line per register, as cca/ep11_mkvps_show print. */
    private static String mkvpsShow(ApQueue q) {
        StringBuilder sb = new StringBuilder();
        q.apBus().hardware().mkvps(q.apqn()).forEach((k, v) -> sb.append(k).append(": ").append(v).append('\n'));
        return sb.toString();
    }

    static AttributeGroup<ApQueue> modeGroup(ApQueue q) {
        return q.mode() == ApMode.CCA ? CCA_QUEUE_ATTRS : q.mode() == ApMode.EP11 ? EP11_QUEUE_ATTRS : null;
    }
}
