package org.apsysfs.zcrypt;

import org.apsysfs.bus.ApCard;
import org.apsysfs.bus.ApBus;
import org.apsysfs.bus.ApQueue;
import org.apsysfs.hardware.AdapterInfo;
import org.apsysfs.hardware.AdapterSpec;
import org.apsysfs.hardware.ApMode;
import org.apsysfs.hardware.ApModel;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.sysfs.Attribute;
import org.apsysfs.sysfs.AttributeGroup;

/** zcrypt's view of a card bound to cex4card ({@code struct zcrypt_card}). */
final class ZcryptCard {
    /** {@code zcrypt_card_attr_group}. */
    static final AttributeGroup<ApCard> ZCRYPT_CARD_ATTRS = AttributeGroup.of(
            Attribute.ro("type", c -> zc(c).typeString + "\n"),
            Attribute.rw("online", ZcryptCard::onlineShow, ZcryptCard::onlineStore),
            Attribute.ro("load", c -> zc(c).load + "\n"));
    /** {@code cca_card_attr_grp}. */
    static final AttributeGroup<ApCard> CCA_CARD_ATTRS = AttributeGroup.of(
            Attribute.ro("serialnr", ZcryptCard::serialShow));
    /** {@code ep11_card_attr_grp}. */
    static final AttributeGroup<ApCard> EP11_CARD_ATTRS = AttributeGroup.of(
            Attribute.ro("API_ordinalnr", c -> {
                AdapterSpec.Ep11Info i = ep11(c);
                return i == null || i.apiOrdinal() == 0 ? "\n" : Integer.toUnsignedString(i.apiOrdinal()) + "\n";
            }),
            Attribute.ro("FW_version", c -> {
                AdapterSpec.Ep11Info i = ep11(c);
                return i == null || (i.fwMajor() == 0 && i.fwMinor() == 0) ? "\n" : i.fwMajor() + "." + i.fwMinor() + "\n";
            }),
            Attribute.ro("serialnr", ZcryptCard::ep11SerialShow),
            Attribute.ro("op_modes", c -> opModes(ep11(c))));

    final String typeString;
    volatile boolean online = true;
    volatile int load;

    ZcryptCard(ApCard card) {
        this.typeString = ApModel.typeName(card.deviceType(), card.mode());
    }

    static ZcryptCard zc(ApCard c) {
        return (ZcryptCard) c.drvdata();
    }

    static ZcryptQueue zq(ApQueue q) {
        Object d = q.drvdata();
        return d instanceof ZcryptQueue z ? z : null;
    }

    private static String onlineShow(ApCard c) {
        return (c.config() && !c.chkstop() && zc(c).online ? 1 : 0) + "\n";
    }

    /**
     * Card {@code online}: 0 or 1 ({@code %d}), else EINVAL; 1 while deconfigured or
     * check-stopped → ENODEV. Forces every queue of the card to the same state; sends
     * {@code ONLINE=} for the card and for each queue that changed.
     */
    private static void onlineStore(ApCard c, String buf) {
        int v = ApBus.scanInt("zcrypt: " + c.name() + ": online", buf, false);
        if (v < 0 || v > 1) {
            throw KernelException.of(Errno.EINVAL, "zcrypt: %s: online: %d is not 0 or 1", c.name(), v);
        }
        if (v == 1 && (!c.config() || c.chkstop())) {
            throw KernelException.of(Errno.ENODEV, "zcrypt: %s: online: card is %s", c.name(),
                    !c.config() ? "deconfigured" : "check-stopped");
        }
        zc(c).online = v == 1;
        c.uevent("change", "ONLINE=" + v);
        for (ApQueue q : c.queues()) {
            ZcryptQueue z = zq(q);
            if (z != null && z.online != (v == 1)) {
                z.online = v == 1;
                q.uevent("change", "ONLINE=" + v);
            }
        }
    }

    /**
     * CCA {@code serialnr} ({@code cca_serialnr_show}): a CCA query CPRB to the card's queue of
     * the default domain ({@code ap_domain}); empty when there is no default domain or the
     * request cannot be sent to that queue ({@link #cprbTarget}).
     */
    private static String serialShow(ApCard c) {
        int dom = c.apBus().domainIndexValue();
        ApQueue q = dom >= 0 ? c.queue(dom) : null;
        if (q == null || !cprbTarget(q)) {
            return "\n";
        }
        AdapterInfo a = c.apBus().hardware().adapter(c.id());
        return (a == null ? "" : a.spec().serial()) + "\n";
    }

    /**
     * Whether zcrypt would send a CPRB to queue {@code q} (the queue selection of
     * {@code _zcrypt_send_cprb} and {@code _zcrypt_send_ep11_cprb} in zcrypt_api.c): the card is
     * bound to cex4card, online, configured and not check-stopped; the queue is bound to
     * cex4queue, online and {@code ap_queue_usable}; and the adapter answers (configured, not
     * check-stopped). The CCA/EP11 information files print their "unknown" form otherwise.
     */
    static boolean cprbTarget(ApQueue q) {
        ApCard c = q.card();
        ZcryptQueue z = zq(q);
        if (z == null || !z.online || !(c.drvdata() instanceof ZcryptCard zc) || !zc.online) {
            return false;
        }
        if (!c.config() || c.chkstop() || !q.usable()) {
            return false;
        }
        AdapterInfo a = c.apBus().hardware().adapter(c.id());
        return a != null && a.configured() && !a.checkstopped();
    }

    /** EP11 {@code serialnr}: {@code %16.16s} of the card's serial, "\n" when unknown. */
    private static String ep11SerialShow(ApCard c) {
        AdapterInfo a = c.apBus().hardware().adapter(c.id());
        if (a == null || ep11(c) == null || a.spec().serial().isEmpty()) {
            return "\n";
        }
        return String.format("%16.16s", a.spec().serial()) + "\n";
    }

    /**
     * The EP11 card information, or null when it cannot be queried: {@code ep11_get_card_info}
     * sends its CPRB to any domain of the card (AUTOSEL_DOM), so some queue of the card must be
     * a {@link #cprbTarget}.
     */
    static AdapterSpec.Ep11Info ep11(ApCard c) {
        boolean reachable = c.queues().stream().anyMatch(ZcryptCard::cprbTarget);
        AdapterInfo a = c.apBus().hardware().adapter(c.id());
        return a == null || !reachable ? null : a.spec().ep11();
    }

    /** EP11 {@code op_modes}: the mode names separated by blanks, newline-terminated. */
    static String opModes(AdapterSpec.Ep11Info i) {
        if (i == null || i.opModes().isEmpty()) {
            return "\n";
        }
        return String.join(" ", i.opModes()) + "\n";
    }

    static boolean isCca(ApCard c) {
        return c.mode() == ApMode.CCA;
    }
}
