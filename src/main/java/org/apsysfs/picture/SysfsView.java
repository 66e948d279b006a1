package org.apsysfs.picture;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Read access to a sysfs tree, relative to its root ({@code bus/ap/apmask}). Absent or unreadable
 * files are empty answers, never errors: a picture of a half-configured or older system is still
 * a picture.
 */
public interface SysfsView {
    /** The content of an attribute, or empty if it does not exist or cannot be read. */
    Optional<String> read(String path);

    /** The names in a directory, sorted; empty if it is no directory. */
    List<String> list(String path);

    /** The target of a symbolic link, or empty if it is none. */
    Optional<String> readlink(String path);

    /** A short description of where the tree is, for the picture's title. */
    String describe();

    /** The tree under a directory of the file system ({@code /sys}, a mount point). */
    static SysfsView of(Path root) {
        return new SysfsView() {
            @Override
            public Optional<String> read(String path) {
                Path p = root.resolve(path);
                if (!Files.isRegularFile(p)) {
                    return Optional.empty();
                }
                try {
                    return Optional.of(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
                } catch (IOException | SecurityException e) {
                    return Optional.empty();
                }
            }

            @Override
            public List<String> list(String path) {
                try (Stream<Path> s = Files.list(root.resolve(path))) {
                    List<String> out = new ArrayList<>();
                    s.forEach(p -> out.add(p.getFileName().toString()));
                    Collections.sort(out);
                    return out;
                } catch (IOException | SecurityException e) {
                    return List.of();
                }
            }

            @Override
            public Optional<String> readlink(String path) {
                try {
                    return Optional.of(Files.readSymbolicLink(root.resolve(path)).toString());
                } catch (IOException | UnsupportedOperationException | SecurityException e) {
                    return Optional.empty();
                }
            }

            @Override
            public String describe() {
                return root.toString();
            }
        };
    }
}
