package org.apsysfs.hardware;

/** QCI facility flags, in the order {@code /sys/bus/ap/features} lists them. */
public enum ApFeature {
    /** AP special-command facility (S bit). */
    APSC,
    /** AP extended addressing: Na/Nd are honoured, IDs up to 255 (N bit). */
    APXA,
    /** Query AP compatibility type (C bit). */
    QACT,
    /** Response code 8A (R bit). */
    RC8A,
    /** AP secure binding, SE guests (B bit). */
    APSB
}
