package org.apsysfs.hardware;

/**
 * A machine file was refused. The message names the field path and the problem, e.g.
 * {@code adapters[2].model: unknown model "CEX9Z" (expected CEX4A..CEX8P)}.
 */
public final class MachineSpecException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MachineSpecException(String message) {
        super(message);
    }

    public MachineSpecException(String message, Throwable cause) {
        super(message, cause);
    }
}
