package org.apsysfs.clients;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the real s390-tools (IBM's lszcrypt, chzcrypt, zcryptctl, zcryptstats, ap-check,
 * lszdev, chzdev, zdev_id, built unchanged from {@code ../shared/clients} by
 * {@code scripts/test}'s {@code ensure_s390_tools}) are installed.
 *
 * <p>The prefix comes from the environment variable {@code APSYSFS_S390_TOOLS} (exported by
 * {@code scripts/test}), else {@code target/s390-tools} of the repository. A missing build
 * fails the test that asks for it, with the command that makes it: such a test never skips.
 */
public final class S390Tools {
    private S390Tools() {
    }

    /** The installation prefix ({@code bin/}, {@code lib/mdevctl/ap-check.sh}). */
    public static Path prefix() {
        String env = System.getenv("APSYSFS_S390_TOOLS");
        Path p = env != null && !env.isEmpty() ? Path.of(env) : ApsysfsShell.ROOT.resolve("target/s390-tools");
        if (!Files.isExecutable(p.resolve("bin/lszcrypt"))) {
            throw new AssertionError("the real s390-tools are not built at " + p
                    + "; run scripts/test (it builds them), or: bash ../shared/clients/build-s390-tools.sh " + p);
        }
        return p.toAbsolutePath();
    }

    /** The absolute path of one program, e.g. {@code bin("lszcrypt")}. */
    public static String bin(String program) {
        Path b = prefix().resolve("bin").resolve(program);
        if (!Files.isExecutable(b)) {
            throw new AssertionError(program + " is not part of the s390-tools build at " + prefix());
        }
        return b.toString();
    }
}
