package org.apsysfs.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.apsysfs.kernel.Errno;

/**
 * The file a daemon started with {@code --state FILE} keeps its state in. Every save writes a
 * temporary file next to it ({@code .FILE.tmp}), forces it to disk, renames it over FILE and
 * forces the directory, so FILE always holds one complete state: the one before a save or the
 * one after it, never a mix, whenever the daemon or the machine stops.
 */
public final class StateFile {
    private final Path file;
    private final Path tmp;

    public StateFile(Path file) {
        this.file = file.toAbsolutePath().normalize();
        this.tmp = this.file.resolveSibling("." + this.file.getFileName() + ".tmp");
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
     * @throws StateException saying why it cannot be read (permissions, a directory, I/O error)
     */
    public String read() {
        try {
            if (Files.isDirectory(file)) {
                throw new StateException(file + ": is a directory, not a state file");
            }
            byte[] b = Files.readAllBytes(file);
            return new String(b, StandardCharsets.UTF_8);
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
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the next save truncates it anyway
            }
            throw e;
        }
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
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
