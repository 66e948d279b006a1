package org.apsysfs.state;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import org.apsysfs.kernel.Errno;
import org.apsysfs.sysfs.KernfsOpenFile;

/**
 * The file a daemon started with {@code --state FILE} keeps its state in. Every save writes a
 * new temporary file next to it ({@code .FILE.RANDOM.tmp}, created with O_CREAT|O_EXCL and mode
 * 0600, so nothing another user planted under a guessable name, a symlink included, is ever
 * opened), forces it to disk, renames it over FILE and forces the directory, so FILE always holds
 * one complete state: the one before a save or the one after it, never a mix, whenever the daemon
 * or the machine stops.
 *
 * <p>Reading refuses what cannot be a state: anything but a regular file (a FIFO would block the
 * launcher for ever, a device could be endless) and anything larger than
 * {@link #MAX_BYTES}, the most the {@code state} control file accepts in one document.
 */
public final class StateFile {
    /** The largest state file read: the {@code state} control file's document limit. */
    public static final long MAX_BYTES = KernfsOpenFile.MAX_DOCUMENT;

    private final Path file;
    private final String tmpPrefix;

    public StateFile(Path file) {
        this.file = file.toAbsolutePath().normalize();
        this.tmpPrefix = "." + this.file.getFileName() + ".";
    }

    public Path path() {
        return file;
    }

    public boolean exists() {
        return Files.exists(file);
    }

    /**
     * The file's text.
     *
     * @throws StateException saying why it cannot be read (permissions, a directory, not a
     *     regular file, too large, I/O error)
     */
    public String read() {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            if (a.isDirectory()) {
                throw new StateException(file + ": is a directory, not a state file");
            }
            if (!a.isRegularFile()) {
                throw new StateException(file + ": is not a regular file (a FIFO, socket or device), not a state file");
            }
            if (a.size() > MAX_BYTES) {
                throw new StateException(file + ": is " + a.size() + " bytes, larger than a state can be (" + MAX_BYTES
                        + " bytes)");
            }
            // the file may grow between the check and the read: never read more than the limit
            try (InputStream in = Files.newInputStream(file)) {
                byte[] b = in.readNBytes((int) MAX_BYTES + 1);
                if (b.length > MAX_BYTES) {
                    throw new StateException(file + ": is larger than a state can be (" + MAX_BYTES + " bytes)");
                }
                return new String(b, StandardCharsets.UTF_8);
            }
        } catch (NoSuchFileException e) {
            throw new StateException(file + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new StateException(file + ": cannot read: permission denied", e);
        } catch (IOException e) {
            throw new StateException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Replaces the file's content atomically and durably.
     *
     * @throws IOException if any step fails; FILE then still holds the previous state
     */
    public void write(String text) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        // createTempFile: a random name, O_CREAT|O_EXCL (an existing name or symlink fails, it is
        // never followed), mode 0600
        Path tmp = Files.createTempFile(file.getParent(), tmpPrefix, ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // left behind; removeStaleTemporaries takes it on the next start
            }
            throw e;
        }
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    /**
     * Deletes the temporary files a killed daemon left next to FILE: regular files named
     * {@code .FILE.*.tmp} owned by this process's user (never another user's, never a symlink's
     * target). Best effort.
     */
    public void removeStaleTemporaries() {
        Path dir = file.getParent();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, glob(tmpPrefix) + "*.tmp")) {
            int me = currentUid();
            for (Path p : s) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.isRegularFile() && me >= 0
                        && Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS) instanceof Integer u && u == me) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            // best effort: a leftover temporary costs disk space only
        }
    }

    private static int currentUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static String glob(String literal) {
        return literal.replaceAll("([\\\\*?\\[\\]{}])", "\\\\$1");
    }

    /** The errno a failed save gives the write that caused it: ENOSPC for a full disk, else EIO. */
    public static Errno errnoOf(IOException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("No space left on device") || m.contains("Disk quota exceeded")) {
            return Errno.ENOSPC;
        }
        return Errno.EIO;
    }
}
