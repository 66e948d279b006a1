package org.apsysfs.state;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apsysfs.fuse.FuseMount;
import org.apsysfs.testing.Sys;

/** {@code apsysfs run DIR ...} as a child process, as a user starts it. */
final class DaemonProcess implements AutoCloseable {
    final Path dir;
    final Path log;
    final Process process;

    private DaemonProcess(Path dir, Path log, Process process) {
        this.dir = dir;
        this.log = log;
        this.process = process;
    }

    /** Starts the daemon; does not wait for it to serve. */
    static DaemonProcess start(Path dir, String... args) throws IOException {
        Path log = Files.createTempFile("apsysfs-state-", ".log");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xms16m", "-Xmx256m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "org.apsysfs.cli.Main", "run",
                dir.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        return new DaemonProcess(dir, log, p);
    }

    /** Waits until the tree answers; false if the daemon ended first. */
    boolean awaitServing() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                return false;
            }
            if (Sys.lstatErrno(dir.resolve("bus/ap/bindings")) == 0) {
                return true;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("daemon not serving after 60 s; log:\n" + log());
    }

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** SIGKILL, then clears the dead mount it leaves behind. */
    void kill() throws Exception {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        unmountDead(dir);
    }

    static void unmountDead(Path dir) throws Exception {
        for (int i = 0; i < 50 && FuseMount.isMountPoint(dir); i++) {
            new ProcessBuilder("fusermount", "-u", "-z", dir.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            if (FuseMount.isMountPoint(dir)) {
                Thread.sleep(20);
            }
        }
    }

    /** Unmounts from outside (fusermount -u) and waits for the daemon to end; its exit code. */
    int unmountAndWait() throws Exception {
        new ProcessBuilder("fusermount", "-u", dir.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("daemon did not end after fusermount -u; log:\n" + log());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        unmountDead(dir);
        Files.deleteIfExists(log);
    }
}
