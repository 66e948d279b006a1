package org.apsysfs.hardware;

/** The AP instructions a fault can be injected into. */
public enum ApInstruction {
    TAPQ, RAPQ, ZAPQ, AQIC, NQAP
}
