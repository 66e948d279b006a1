package org.apsysfs.state;

/**
 * A saved state that cannot be used: unreadable, not JSON, not this format, or describing a
 * system that cannot be rebuilt. The message starts with the JSON path of the offending field
 * (or names the file) and says why.
 */
public final class StateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StateException(String message) {
        super(message);
    }

    public StateException(String message, Throwable cause) {
        super(message, cause);
    }
}
