package org.apsysfs.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every relative link in every Markdown file of the repository points at a file that exists. */
class DocLinksTest {
    static final Path ROOT = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    /** An inline link or image: [text](target) or ![alt](target "title"). */
    static final Pattern LINK = Pattern.compile("!?\\[(?:[^\\]\\[]|\\[[^\\]]*\\])*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    /** A reference definition: [label]: target */
    static final Pattern REF = Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s+<?(\\S+?)>?(?:\\s.*)?$");

    static List<Path> markdownFiles() throws IOException {
        try (Stream<Path> s = Files.walk(ROOT)) {
            return s.filter(p -> p.toString().endsWith(".md"))
                    .filter(p -> {
                        Path r = ROOT.relativize(p);
                        String first = r.getName(0).toString();
                        return !first.equals("target") && !first.startsWith(".");
                    })
                    .sorted().toList();
        }
    }

    /** The link targets of one Markdown text, outside code spans and fenced blocks. */
    static List<String> targets(String text) {
        List<String> out = new ArrayList<>();
        boolean fenced = false;
        for (String line : text.split("\n", -1)) {
            if (line.stripLeading().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                continue;
            }
            String prose = line.replaceAll("`[^`]*`", "``");
            Matcher m = LINK.matcher(prose);
            while (m.find()) {
                out.add(m.group(1));
            }
            Matcher r = REF.matcher(prose);
            if (r.matches()) {
                out.add(r.group(1));
            }
        }
        return out;
    }

    static boolean relative(String target) {
        return !target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*") && !target.startsWith("#") && !target.startsWith("/");
    }

    @Test
    void theCheckerFindsLinksAndSkipsCode() {
        assertThat(targets("see [a](docs/a.md#x) and ![p](p.png \"t\") and `[no](code.md)`\n"
                + "```\n[no](fenced.md)\n```\n[ref]: ../up.md\n[b](https://example.org/x)"))
                .containsExactly("docs/a.md#x", "p.png", "../up.md", "https://example.org/x");
        assertThat(relative("https://example.org/x")).isFalse();
        assertThat(relative("#anchor")).isFalse();
        assertThat(relative("../tests/scenarios/")).isTrue();
    }

    @Test
    void everyRelativeLinkResolves() throws IOException {
        List<Path> files = markdownFiles();
        assertThat(files).as("Markdown files").contains(ROOT.resolve("README.md"), ROOT.resolve("docs/launcher.md"));
        List<String> broken = new ArrayList<>();
        int links = 0;
        for (Path f : files) {
            for (String t : targets(Files.readString(f))) {
                if (!relative(t)) {
                    continue;
                }
                links++;
                String path = t.replaceFirst("#.*$", "").replaceFirst("\\?.*$", "");
                if (path.isEmpty()) {
                    continue;
                }
                Path target = f.getParent().resolve(java.net.URLDecoder.decode(path, java.nio.charset.StandardCharsets.UTF_8)).normalize();
                if (!target.startsWith(ROOT) || !Files.exists(target)) {
                    broken.add(ROOT.relativize(f) + ": " + t);
                }
            }
        }
        assertThat(links).as("relative links checked").isGreaterThan(20);
        assertThat(broken).as("relative links that resolve to no file of the repository").isEmpty();
    }
}
