package org.apsysfs.hardware;

/** The mode an AP adapter runs in: exactly one of accelerator, CCA or EP11 coprocessor. */
public enum ApMode {
    /** Accelerator: type suffix A, TAPQ function bit 4 (0x08000000). */
    ACCEL('A', "accel", "Accelerator", 0x08000000),
    /** CCA coprocessor: type suffix C, TAPQ function bit 3 "D" (0x10000000). */
    CCA('C', "cca", "CCA-Coproc", 0x10000000),
    /** EP11 coprocessor: type suffix P, TAPQ function bit 5 "X" (0x04000000). */
    EP11('P', "ep11", "EP11-Coproc", 0x04000000);

    private final char letter;
    private final String uevent;
    private final String lszcryptName;
    private final int functionBit;
    private final String ueventVar;
    private static final ApMode[] VALUES = values();

    ApMode(char letter, String uevent, String lszcryptName, int functionBit) {
        this.letter = letter;
        this.uevent = uevent;
        this.lszcryptName = lszcryptName;
        this.functionBit = functionBit;
        this.ueventVar = "MODE=" + uevent;
    }

    /** {@code MODE=}{@link #ueventMode()}, the uevent variable. */
    public String ueventVar() {
        return ueventVar;
    }

    /** The last letter of the {@code type} string, e.g. {@code C} in {@code CEX8C}. */
    public char letter() {
        return letter;
    }

    /** The value of {@code MODE=} in uevents: {@code accel}, {@code cca} or {@code ep11}. */
    public String ueventMode() {
        return uevent;
    }

    /** How lszcrypt names the mode. */
    public String lszcryptName() {
        return lszcryptName;
    }

    /** The mode's bit in the TAPQ facility word ({@code ap_functions}). */
    public int functionBit() {
        return functionBit;
    }

    /**
     * The 3-bit mode field the QACT instruction takes ({@code (functions >> 26) & 7}):
     * CCA 4, accelerator 2, EP11 1.
     */
    public int qactModeBits() {
        return (functionBit >>> 26) & 7;
    }

    /** The mode whose letter is {@code c} (A, C or P). */
    public static ApMode ofLetter(char c) {
        for (ApMode m : values()) {
            if (m.letter == c) {
                return m;
            }
        }
        throw new IllegalArgumentException("no AP mode with letter " + c);
    }

    /** The mode encoded in a TAPQ facility word, or null if no (or more than one) mode bit is set. */
    public static ApMode ofFunctions(int functions) {
        ApMode found = null;
        for (ApMode m : VALUES) {
            if ((functions & m.functionBit) != 0) {
                if (found != null) {
                    return null;
                }
                found = m;
            }
        }
        return found;
    }
}
