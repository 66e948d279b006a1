package org.apsysfs.kernel;

/** lib/uuid.c: the text form of a UUID as the kernel checks it. */
public final class Uuids {
    /** {@code UUID_STRING_LEN}: 8-4-4-4-12 hex digits. */
    public static final int STRING_LEN = 36;

    private Uuids() {
    }

    /**
     * {@code uuid_is_valid} (also what {@code guid_parse} checks): the first 36 characters of
     * {@code s} have dashes at 8, 13, 18 and 23 and ASCII hex digits (either case) elsewhere.
     * False if {@code s} is shorter.
     */
    public static boolean isValid(String s) {
        if (s.length() < STRING_LEN) {
            return false;
        }
        for (int i = 0; i < STRING_LEN; i++) {
            char c = s.charAt(i);
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (c != '-') {
                    return false;
                }
            } else if (Character.digit(c, 16) < 0 || c > 'f') {
                return false;
            }
        }
        return true;
    }
}
