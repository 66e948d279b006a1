package org.apsysfs.hardware;

/**
 * A crypto express adapter model such as {@code CEX8C}: generation 4..8 plus mode.
 * The AP type number is {@code generation + 6} (CEX4 = 10 ... CEX8 = 14).
 */
public record ApModel(int generation, ApMode mode) {
    public static final int MIN_GENERATION = 4;
    public static final int MAX_GENERATION = 8;

    public ApModel {
        if (generation < MIN_GENERATION || generation > MAX_GENERATION) {
            throw new IllegalArgumentException("generation out of range 4..8: " + generation);
        }
        if (mode == null) {
            throw new IllegalArgumentException("mode is null");
        }
    }

    /**
     * Parses {@code CEX<n><A|C|P>}, case-sensitive as the kernel prints it.
     *
     * @throws IllegalArgumentException if the text is not such a model
     */
    public static ApModel parse(String s) {
        if (s == null || s.length() != 5 || !s.startsWith("CEX")) {
            throw new IllegalArgumentException("not a model: " + s);
        }
        char g = s.charAt(3);
        if (g < '0' + MIN_GENERATION || g > '0' + MAX_GENERATION) {
            throw new IllegalArgumentException("not a model: " + s);
        }
        return new ApModel(g - '0', ApMode.ofLetter(s.charAt(4)));
    }

    /** The compatible AP type number, 10..14. */
    public int apType() {
        return generation + 6;
    }

    /** The {@code type} attribute text without newline, e.g. {@code CEX8C}. */
    public String typeName() {
        return "CEX" + generation + mode.letter();
    }

    /** The type name for a compatible AP type number (10..14) and a mode, e.g. 14 + CCA = CEX8C. */
    public static String typeName(int apType, ApMode mode) {
        return "CEX" + (apType - 6) + mode.letter();
    }

    @Override
    public String toString() {
        return typeName();
    }
}
