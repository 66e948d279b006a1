package org.apsysfs.cli;

import java.util.List;
import jnr.ffi.LibraryLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the daemon does with the signals a daemon can be sent (docs/launcher.md, "Signals").
 *
 * <p>A mount whose daemon dies is left stale (every access fails with ENOTCONN until someone
 * unmounts it), so no signal that can be sent to it by accident may end it abruptly. The
 * kernel's own daemons (kthreads) ignore every signal; a user-space daemon serving a file
 * system does the same for every signal that has no meaning for it, and stops cleanly on the
 * ones that ask it to stop:
 *
 * <ul>
 *   <li>{@link #STOP} (SIGTERM, SIGINT, SIGHUP): unmount, save the state, exit 0;
 *   <li>{@link #IGNORED} (SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGPWR, SIGIO,
 *       SIGSTKFLT, SIGXCPU, SIGTTIN, SIGTTOU) and the real-time signals SIGRTMIN..SIGRTMAX:
 *       ignored, each logged ({@code apsysfs: SIGUSR1 ignored}) except the real-time ones;
 *   <li>SIGPIPE and SIGXFSZ: the JVM ignores them already (the write fails with EPIPE/EFBIG);
 *       SIGQUIT: the JVM prints a thread dump; SIGKILL and SIGSTOP cannot be caught.
 * </ul>
 *
 * SIGUSR2 is the JVM's thread-suspend signal; handling it means JFR's sampler cannot suspend
 * threads of the daemon (nothing else in the JVM uses it), where the JVM's own handler would
 * crash the whole daemon when the signal reaches a thread the JVM does not know.
 */
final class Signals {
    private static final Logger LOG = LoggerFactory.getLogger("apsysfs");

    static final List<String> STOP = List.of("TERM", "INT", "HUP");
    static final List<String> IGNORED = List.of("USR1", "USR2", "ALRM", "VTALRM", "PROF", "PWR", "IO", "STKFLT",
            "XCPU", "TTIN", "TTOU");

    private Signals() {
    }

    /** The C library's {@code signal(2)} and the real-time signal range. */
    public interface SigLibc {
        long signal(int signum, long handler);

        int __libc_current_sigrtmin();

        int __libc_current_sigrtmax();
    }

    private static final long SIG_IGN = 1;

    /** Ignores {@link #IGNORED} and the real-time signals. Call as early as possible. */
    static void ignoreTheOthers() {
        for (String sig : IGNORED) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(sig), s -> LOG.info("apsysfs: SIG{} ignored", s.getName()));
            } catch (IllegalArgumentException e) {
                // not on this platform
            }
        }
        try {
            SigLibc c = LibraryLoader.create(SigLibc.class).load("c");
            int sr = srSignal();
            for (int s = c.__libc_current_sigrtmin(); s <= c.__libc_current_sigrtmax(); s++) {
                if (s != sr) {
                    c.signal(s, SIG_IGN);
                }
            }
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("apsysfs: cannot ignore the real-time signals: {}", e.toString());
        }
    }

    /** The signal the JVM suspends threads with if moved there ({@code _JAVA_SR_SIGNUM}), else 0. */
    private static int srSignal() {
        try {
            return Integer.parseInt(System.getenv().getOrDefault("_JAVA_SR_SIGNUM", "0").trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Runs {@code stop} on a thread of its own for each of {@link #STOP}. */
    static void onStop(Runnable stop) {
        for (String sig : STOP) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(sig), s -> {
                    LOG.info("apsysfs: SIG{}: stopping", s.getName());
                    new Thread(stop, "apsysfs-sig" + sig).start();
                });
            } catch (IllegalArgumentException e) {
                // not available (e.g. ignored by the parent); the JVM's default stays
            }
        }
    }
}
