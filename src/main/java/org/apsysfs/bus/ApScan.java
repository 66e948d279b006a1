package org.apsysfs.bus;

import static org.apsysfs.bus.ApBus.AP_DEVICE_TYPE_CEX4;
import static org.apsysfs.bus.ApBus.AP_DEVICE_TYPE_CEX8;

import org.apsysfs.Kernel;
import org.apsysfs.hardware.ApMask;
import org.apsysfs.hardware.ApMode;
import org.apsysfs.hardware.ApRc;
import org.apsysfs.hardware.Apqn;
import org.apsysfs.hardware.QactResult;
import org.apsysfs.hardware.Qci;
import org.apsysfs.hardware.TapqInfo;
import org.apsysfs.hardware.TapqResult;
import org.apsysfs.locking.Guard;

/**
 * The AP bus scan ({@code ap_scan_bus}, {@code ap_scan_adapter}, {@code ap_scan_domains} in
 * ap_bus.c): turns the host AP configuration (QCI, TAPQ) into card and queue devices of
 * {@link ApBus}, under its {@code ap_scan_bus_mutex}. The bus keeps the state (QCI of the last
 * scan, the cards, the default domain); this class only walks it.
 */
final class ApScan {
    private final Kernel kernel;
    private final ApBus bus;

    ApScan(Kernel kernel, ApBus bus) {
        this.kernel = kernel;
        this.bus = bus;
    }

    /** {@code ap_scan_bus} (ap_bus.c). */
    void scanBus() {
        try (Guard g = bus.scanMutex().lock()) {
            Qci old = bus.qci;
            Qci now = bus.fetchQci();
            boolean changed = !now.equals(old);
            if (changed) {
                if (now.hasFlags() && (!now.apm().andNot(old.apm()).isEmpty()
                        || !now.aqm().andNot(old.aqm()).isEmpty())) {
                    // new adapters or domains mean new devices to bind: re-arm the completion
                    bus.bindingsComplete = false;
                }
                for (ApDriver d : bus.apDrivers()) {
                    d.onConfigChanged(now, old);
                }
            }
            bus.qci = now;
            selectDomain();
            for (int id = 0; id <= bus.maxAdapterId; id++) {
                scanAdapter(id);
            }
            if (changed) {
                for (ApDriver d : bus.apDrivers()) {
                    d.onScanComplete(now, old);
                }
            }
            if (bus.scanCount.incrementAndGet() == 1) {
                bus.root.uevent("change", "INITSCAN=done");
            }
        }
        bus.checkBindingsComplete();
    }

    private void selectDomain() {
        if (bus.domainIndex >= 0) {
            return;
        }
        ApMask perms;
        ApMask apperms;
        try (Guard g = bus.attrMutex().lock()) {
            perms = bus.aqmask;
            apperms = bus.apmask;
        }
        for (int dom = 0; dom <= bus.maxDomainId; dom++) {
            if (!usageDomain(dom) || !perms.test(dom)) {
                continue;
            }
            for (int card = 0; card <= bus.maxAdapterId; card++) {
                if (!adapterConfigured(card) || !apperms.test(card)) {
                    continue;
                }
                if (bus.hw.tapq(Apqn.of(card, dom), true).rc() == ApRc.NORMAL) {
                    bus.domainIndex = dom;
                    return;
                }
            }
        }
    }

    private boolean usageDomain(int dom) {
        return !bus.qci.hasFlags() || bus.qci.aqm().test(dom);
    }

    private boolean adapterConfigured(int id) {
        return !bus.qci.hasFlags() || bus.qci.apm().test(id);
    }

    /** {@code ap_queue_info}: TAPQ answered with hardware information. */
    private static boolean infoAvailable(TapqResult r) {
        if (r.info() == null || r.info().value() == 0) {
            return false;
        }
        return switch (r.rc()) {
            case NORMAL, RESET_IN_PROGRESS, DECONFIGURED, CHECKSTOPPED, BUSY -> true;
            default -> r.status().async();
        };
    }

    /** {@code ap_scan_adapter} (ap_bus.c). */
    private void scanAdapter(int ap) {
        ApCard card = bus.cards.get(ap);
        if (!adapterConfigured(ap)) {
            if (card != null) {
                removeCard(card);
            }
            return;
        }
        TapqResult first = null;
        int firstDom = -1;
        for (int dom = 0; dom <= bus.maxDomainId; dom++) {
            if (!usageDomain(dom)) {
                continue;
            }
            TapqResult r = bus.hw.tapq(Apqn.of(ap, dom), true);
            if (infoAvailable(r)) {
                first = r;
                firstDom = dom;
                break;
            }
        }
        if (first == null) {
            if (card != null) {
                removeCard(card);
            }
            return;
        }
        TapqInfo info = first.info();
        int rawType = info.apType();
        if (rawType == 0) {
            // "no valid type (0) info": an unusable adapter
            if (card != null) {
                removeCard(card);
            }
            return;
        }
        boolean decfg = first.rc() == ApRc.DECONFIGURED;
        boolean chkstop = first.rc() == ApRc.CHECKSTOPPED;
        if (card != null && (card.rawType() != rawType || card.info().cardFunctions() != info.cardFunctions())) {
            removeCard(card);
            card = null;
        }
        if (card == null) {
            // ap_scan_adapter (ap_bus.c): only a new card asks for its compatible type, on the
            // APQN of the first domain that answered TAPQ; an existing card keeps its type
            int comp = compatibleType(Apqn.of(ap, firstDom), rawType, info.mode());
            if (comp == 0) {
                return;
            }
            card = new ApCard(kernel, bus, ap, rawType, comp, info, !decfg, chkstop);
            bus.cards.set(ap, card);
            card.add(null);
        } else {
            card.updateState(!decfg, chkstop);
        }
        scanDomains(card);
    }

    /**
     * {@code ap_get_compatible_type} (ap_bus.c): below CEX4 unsupported (0), up to CEX8 the raw
     * type itself, above that what PQAP(QACT) on {@code apqn} maps it to (CEX4..CEX8), or 0
     * without the QACT facility or with no mapping.
     */
    private int compatibleType(int apqn, int rawType, ApMode mode) {
        if (rawType < AP_DEVICE_TYPE_CEX4) {
            return 0;
        }
        if (rawType <= AP_DEVICE_TYPE_CEX8) {
            return rawType;
        }
        if (!bus.qci.qact()) {
            return 0;
        }
        QactResult r = bus.hw.qact(apqn, mode, AP_DEVICE_TYPE_CEX8);
        int cat = r.rc() == ApRc.NORMAL ? r.compatibleType() : 0;
        return cat >= AP_DEVICE_TYPE_CEX4 && cat <= AP_DEVICE_TYPE_CEX8 ? cat : 0;
    }

    /** {@code ap_scan_domains} (ap_bus.c). */
    private void scanDomains(ApCard card) {
        for (int dom = 0; dom <= bus.maxDomainId; dom++) {
            ApQueue q = card.queue(dom);
            if (!usageDomain(dom)) {
                if (q != null) {
                    removeQueue(q);
                }
                continue;
            }
            TapqResult r = bus.hw.tapq(Apqn.of(card.id(), dom), true);
            if (!infoAvailable(r)) {
                if (q != null) {
                    removeQueue(q);
                }
                continue;
            }
            boolean decfg = r.rc() == ApRc.DECONFIGURED;
            boolean chkstop = r.rc() == ApRc.CHECKSTOPPED;
            if (q != null) {
                q.updateState(!decfg, chkstop);
            } else {
                q = new ApQueue(kernel, bus, card, dom, !decfg, chkstop);
                card.addQueue(q);
                q.add(card.dir());
                if (!decfg && !chkstop) {
                    // ap_scan_domains (ap_bus.c, since v6.7): "nudge the queue's state machine"
                    // of every new usable queue, whatever driver it bound to (vfio_ap too)
                    q.initHostState();
                }
            }
        }
    }

    private void removeQueue(ApQueue q) {
        q.del();
        q.card().removeQueue(q);
    }

    private void removeCard(ApCard card) {
        for (ApQueue q : card.queues()) {
            removeQueue(q);
        }
        card.del();
        bus.cards.compareAndSet(card.id(), card, null);
    }
}
