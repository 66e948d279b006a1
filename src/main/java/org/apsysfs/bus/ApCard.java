package org.apsysfs.bus;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.AtomicLong;
import org.apsysfs.Kernel;
import org.apsysfs.base.Device;
import org.apsysfs.hardware.ApMode;
import org.apsysfs.hardware.TapqInfo;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.sysfs.Attribute;
import org.apsysfs.sysfs.AttributeGroup;

/**
 * An AP card device, {@code /sys/devices/ap/cardXX} ({@code struct ap_card}).
 *
 * <p>Locking: {@link #config} and {@link #chkstop} change under {@code ap_scan_bus_mutex}
 * (scans) or in the config store; the queue map is concurrent.
 */
public final class ApCard extends ApDevice {
    /** {@code ap_card_dev_attrs}. */
    static final AttributeGroup<ApCard> CARD_ATTRS = AttributeGroup.of(
            Attribute.ro("hwtype", c -> c.hwtype + "\n"),
            Attribute.ro("raw_hwtype", c -> c.rawType + "\n"),
            // depth_show (ap_card.c) prints hwinfo.qd + 1 since v6.19 and 6.12.y ("s390/ap: Fix
            // wrong APQN fill calculation"): the number of requests the queue holds
            Attribute.ro("depth", c -> (c.info.qd() + 1) + "\n"),
            Attribute.ro("ap_functions", c -> String.format("0x%08X\n", c.info.cardFunctions())),
            Attribute.rw("request_count", c -> c.totalRequestCount.get() + "\n", ApCard::requestCountStore),
            Attribute.ro("requestq_count", c -> c.queues().stream().mapToInt(ApQueue::requestqCount).sum() + "\n"),
            Attribute.ro("pendingq_count", c -> c.queues().stream().mapToInt(ApQueue::pendingqCount).sum() + "\n"),
            Attribute.ro("modalias", c -> String.format("ap:t%02X\n", c.hwtype)),
            Attribute.rw("config", c -> (c.config ? 1 : 0) + "\n", ApCard::configStore),
            Attribute.ro("chkstop", c -> (c.chkstop ? 1 : 0) + "\n"),
            Attribute.ro("max_msg_size", c -> c.maxMsgSize() + "\n"));

    private final int id;
    private final int rawType;
    private final int hwtype;
    private final TapqInfo info;
    volatile boolean config;
    volatile boolean chkstop;
    final AtomicLong totalRequestCount = new AtomicLong();
    /** The queues by domain. */
    private final AtomicReferenceArray<ApQueue> queues = new AtomicReferenceArray<>(256);
    private final ApMode mode;
    /** Driver-private data (zcrypt's struct zcrypt_card). */
    private volatile Object drvdata;

    ApCard(Kernel kernel, ApBus bus, int id, int rawType, int hwtype, TapqInfo info, boolean config, boolean chkstop) {
        super(kernel, "card" + ApQueue.name(id, 0).substring(0, 2), bus.rootDevice(), bus);
        this.id = id;
        this.rawType = rawType;
        this.hwtype = hwtype;
        this.info = info;
        this.mode = info.mode();
        this.config = config;
        this.chkstop = chkstop;
    }

    public int id() {
        return id;
    }

    @Override
    public int deviceType() {
        return hwtype;
    }

    public int rawType() {
        return rawType;
    }

    /** The TAPQ information the card was created with (functions, qd, ml, ...). */
    public TapqInfo info() {
        return info;
    }

    @Override
    public ApMode mode() {
        return mode;
    }

    public boolean config() {
        return config;
    }

    public boolean chkstop() {
        return chkstop;
    }

    /** {@code max_msg_size}: ml x 4 KiB, or the 12 KiB default when ml is 0. */
    public int maxMsgSize() {
        return info.ml() > 0 ? info.ml() * 4096 : 12288;
    }

    @Override
    protected String devtype() {
        return "ap_card";
    }

    @Override
    protected List<AttributeGroup<?>> typeGroups() {
        return List.of(CARD_ATTRS);
    }

    /** Made on first use: the card's variables never change. */
    private volatile List<String> baseEnv;

    @Override
    protected List<String> ueventBaseEnv() {
        List<String> e = baseEnv;
        if (e == null) {
            e = super.ueventBaseEnv();
            baseEnv = e;
        }
        return e;
    }

    @Override
    protected void addUeventVars(List<String> env) {
        env.add(String.format("DEV_TYPE=%04X", hwtype));
        env.add(String.format("MODALIAS=ap:t%02X", hwtype));
        super.addUeventVars(env);
    }

    /** The queues, in domain order. */
    public List<ApQueue> queues() {
        List<ApQueue> out = new ArrayList<>();
        for (int d = 0; d < 256; d++) {
            ApQueue q = queues.get(d);
            if (q != null) {
                out.add(q);
            }
        }
        return out;
    }

    public ApQueue queue(int domain) {
        return domain >= 0 && domain < 256 ? queues.get(domain) : null;
    }

    void addQueue(ApQueue q) {
        queues.set(q.domain(), q);
    }

    void removeQueue(ApQueue q) {
        queues.compareAndSet(q.domain(), q, null);
    }

    public Object drvdata() {
        return drvdata;
    }

    public void setDrvdata(Object data) {
        this.drvdata = data;
    }

    private void requestCountStore(String buf) {
        totalRequestCount.set(0);
        for (ApQueue q : queues()) {
            q.resetCounters();
        }
    }

    /**
     * {@code config}: 0 or 1 ({@code sscanf "%d"}), else EINVAL. A change issues SCLP
     * (de)configure (its error is returned), flips {@code config}, sends {@code CONFIG=} and
     * rescans the bus; writing the current value only sends the uevent.
     */
    private void configStore(String buf) {
        int cfg = ApBus.scanInt("ap: " + name() + ": config", buf, false);
        if (cfg < 0 || cfg > 1) {
            throw KernelException.of(Errno.EINVAL, "ap: %s: config: %d is not 0 or 1", name(), cfg);
        }
        apBus.configureCard(this, cfg == 1);
    }

    /** Updates config/chkstop from a scan, with a {@code CONFIG=} uevent when config changed. */
    void updateState(boolean newConfig, boolean newChkstop) {
        if (config != newConfig) {
            config = newConfig;
            uevent("change", "CONFIG=" + (newConfig ? 1 : 0));
        }
        chkstop = newChkstop;
    }

    static Device parentOf(ApBus bus) {
        return bus.rootDevice();
    }
}
