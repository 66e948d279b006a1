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
            Attribute.ro("op_modes", ZcryptQueue::ep11OpModesShow));

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

    /**
     * {@code mkvps} ({@code cca_mkvps_show}, {@code ep11_mkvps_show} in zcrypt_cex4.c): one
     * "REGISTER: state value" line per register from a query CPRB to this APQN; when the
     * request cannot be sent (queue or card offline, deconfigured, check-stopped: see
     * {@link ZcryptCard#cprbTarget}) the query info stays zeroed and every register reads
     * {@code - -}.
     */
    private static String mkvpsShow(ApQueue q) {
        boolean known = ZcryptCard.cprbTarget(q);
        StringBuilder sb = new StringBuilder();
        q.apBus().hardware().mkvps(q.apqn())
                .forEach((k, v) -> sb.append(k).append(": ").append(known ? v : "- -").append('\n'));
        return sb.toString();
    }

    /**
     * EP11 queue {@code op_modes} ({@code ep11_queue_op_modes_show}): the domain's operation
     * modes from {@code ep11_get_domain_info} on this APQN (only while the queue is online);
     * just a newline when they cannot be queried.
     */
    private static String ep11OpModesShow(ApQueue q) {
        org.apsysfs.hardware.AdapterInfo a = q.apBus().hardware().adapter(q.apid());
        return ZcryptCard.opModes(ZcryptCard.cprbTarget(q) && a != null ? a.spec().ep11() : null);
    }

    static AttributeGroup<ApQueue> modeGroup(ApQueue q) {
        return q.mode() == ApMode.CCA ? CCA_QUEUE_ATTRS : q.mode() == ApMode.EP11 ? EP11_QUEUE_ATTRS : null;
    }
}
