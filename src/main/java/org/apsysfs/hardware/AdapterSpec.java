package org.apsysfs.hardware;

import java.util.List;
import java.util.Map;

/**
 * The fixed properties of one installed AP adapter, fully resolved (all defaults applied).
 *
 * @param id adapter ID (APID) 0..255
 * @param model the model, e.g. CEX8C; gives the mode
 * @param rawType the AP type TAPQ reports ({@code raw_hwtype}); defaults to the model's type
 * @param compatType the type QACT maps {@code rawType} to (10..14), 0 if it cannot be mapped;
 *     defaults to {@code min(rawType, 14)} (only consulted for raw types above 14)
 * @param functions the TAPQ facility word, without SE bind-state bits
 * @param qd queue-depth field 0..15
 * @param ml max-message-length field 0..15 (4 KiB units, 0 = default 12 KiB)
 * @param domainsField the TAPQ "number of domains" byte
 * @param seBindState the SE bind state every queue of the adapter reports (0..3)
 * @param configured initial SCLP configuration state
 * @param checkstopped initial check-stop state
 * @param serial CCA: serial number; EP11: 16-character serial; empty for accelerators
 * @param ep11 EP11 card information, null unless the mode is EP11
 * @param mkvps per-queue master-key verification patterns: register name ("AES NEW", "WK CUR",
 *     ...) to the value text ("valid 0x...", "empty -", "- -"); in print order. Queues derive
 *     their own patterns from these templates (see {@link ApHardware#mkvps(int)}).
 */
public record AdapterSpec(int id, ApModel model, int rawType, int compatType, int functions, int qd,
                          int ml, int domainsField, int seBindState, boolean configured,
                          boolean checkstopped, String serial, Ep11Info ep11,
                          Map<String, String> mkvps) {

    /** EP11 card data shown by the EP11 card attributes. */
    public record Ep11Info(int apiOrdinal, int fwMajor, int fwMinor, List<String> opModes) {
        public Ep11Info {
            opModes = List.copyOf(opModes);
        }
    }

    public AdapterSpec {
        mkvps = mkvps == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(mkvps));
    }

    /** The adapter's mode. */
    public ApMode mode() {
        return model.mode();
    }

    /**
     * An adapter with every property at its default for the given machine facts.
     *
     * @param apxa whether the machine has APXA (adds the APXA function bit)
     * @param maxDomainId the machine's Nd (goes into the "number of domains" byte)
     */
    public static AdapterSpec defaults(int id, ApModel model, boolean apxa, int maxDomainId) {
        return new AdapterSpec(id, model, model.apType(), model.apType(),
                defaultFunctions(model.mode(), apxa), 7, 0, maxDomainId, TapqInfo.BS_USABLE, true, false,
                defaultSerial(id, model.mode()), model.mode() == ApMode.EP11 ? defaultEp11() : null,
                defaultMkvps(model.mode()));
    }

    /**
     * Default facility bits: APSC plus the mode bit; accelerators also have both 4K bits; APXA
     * when the machine has it. CCA 0x92000000, EP11 0x86000000, accelerator 0xEA000000 (with
     * APXA).
     */
    public static int defaultFunctions(ApMode mode, boolean apxa) {
        int f = TapqInfo.FN_APSC | mode.functionBit();
        if (mode == ApMode.ACCEL) {
            f |= TapqInfo.FN_MEX4K | TapqInfo.FN_CRT4K;
        }
        if (apxa) {
            f |= TapqInfo.FN_APXA;
        }
        return f;
    }

    static String defaultSerial(int id, ApMode mode) {
        return switch (mode) {
            case CCA -> String.format("SIMC%04X", id);
            case EP11 -> String.format("SIMP%012X", id);
            case ACCEL -> "";
        };
    }

    static Ep11Info defaultEp11() {
        return new Ep11Info(8, 7, 45, List.of());
    }

    /** Template registers; "*" in a value is replaced by a per-queue pattern. */
    static Map<String, String> defaultMkvps(ApMode mode) {
        java.util.LinkedHashMap<String, String> m = new java.util.LinkedHashMap<>();
        switch (mode) {
            case CCA -> {
                m.put("AES NEW", "empty 0x0000000000000000");
                m.put("AES CUR", "valid 0x*");
                m.put("AES OLD", "invalid 0x0000000000000000");
                m.put("APKA NEW", "empty 0x0000000000000000");
                m.put("APKA CUR", "valid 0x*");
                m.put("APKA OLD", "invalid 0x0000000000000000");
                m.put("ASYM NEW", "empty 0x00000000000000000000000000000000");
                m.put("ASYM CUR", "valid 0x*");
                m.put("ASYM OLD", "invalid 0x00000000000000000000000000000000");
            }
            case EP11 -> {
                m.put("WK CUR", "valid 0x*");
                m.put("WK NEW", "empty -");
            }
            case ACCEL -> {
            }
        }
        return m;
    }
}
