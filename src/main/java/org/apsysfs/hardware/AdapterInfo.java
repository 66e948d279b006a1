package org.apsysfs.hardware;

/**
 * A snapshot of one installed adapter.
 *
 * @param spec its fixed properties
 * @param inConfiguration whether its bit is set in the host APM
 * @param configured false after an SCLP deconfigure (TAPQ then answers DECONFIGURED)
 * @param checkstopped true while check-stopped (TAPQ answers CHECKSTOPPED)
 */
public record AdapterInfo(AdapterSpec spec, boolean inConfiguration, boolean configured, boolean checkstopped) {
    public int id() {
        return spec.id();
    }
}
