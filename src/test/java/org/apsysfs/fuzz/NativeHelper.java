package org.apsysfs.fuzz;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.apsysfs.testing.Sys;

/**
 * The C helper of the bounds tests ({@code src/test/resources/native/aphelper.c}), compiled once
 * per JVM with gcc into a world-readable temporary directory (so {@code nobody} can run it).
 */
final class NativeHelper {
    private static Path binary;

    private NativeHelper() {
    }

    static synchronized Path get() throws IOException {
        if (binary != null && Files.isExecutable(binary)) {
            return binary;
        }
        Path dir = Files.createTempDirectory("apsysfs-aphelper-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path src = dir.resolve("aphelper.c");
        try (InputStream in = NativeHelper.class.getResourceAsStream("/native/aphelper.c")) {
            Files.copy(in, src, StandardCopyOption.REPLACE_EXISTING);
        }
        Path bin = dir.resolve("aphelper");
        Sys.ProcResult r = Sys.run(java.util.List.of("gcc", "-O2", "-o", bin.toString(), src.toString()), 60, TimeUnit.SECONDS);
        if (r.exitCode() != 0) {
            throw new IOException("gcc failed: " + r.stderr());
        }
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
        dir.toFile().deleteOnExit();
        src.toFile().deleteOnExit();
        bin.toFile().deleteOnExit();
        binary = bin;
        return bin;
    }
}
