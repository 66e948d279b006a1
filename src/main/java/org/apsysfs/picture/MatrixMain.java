package org.apsysfs.picture;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code apsysfs-matrix [DIR]}: draws who owns every APQN of the sysfs tree at DIR (default
 * {@code $SYSFS_ROOT}, else {@code /sys}). Reads sysfs files only, so it works on a real
 * system's {@code /sys} as well as on a simulated tree. Exit 0, or 2 if DIR has no AP bus.
 */
@Command(name = "apsysfs-matrix", mixinStandardHelpOptions = true,
        description = "Draw who owns every APQN (adapter x usage domain) of the sysfs tree at DIR.")
public final class MatrixMain implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR",
            description = "the sysfs root (default: $SYSFS_ROOT, else /sys)")
    Path dir;

    @Option(names = "--color", paramLabel = "WHEN", defaultValue = "auto",
            description = "colour the text: auto (on a terminal), always, never (default: ${DEFAULT-VALUE})")
    String color;

    @Option(names = "--width", paramLabel = "N", defaultValue = "80",
            description = "at most N columns; larger machines are summarised (default: ${DEFAULT-VALUE})")
    int width;

    @Option(names = "--no-legend", description = "leave the legend out")
    boolean noLegend;

    @Option(names = "--svg", paramLabel = "FILE", description = "also write the picture as SVG to FILE")
    Path svg;

    @Option(names = "--html", paramLabel = "FILE", description = "also write the picture as an HTML page to FILE")
    Path html;

    public static void main(String[] args) {
        System.exit(new CommandLine(new MatrixMain()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        Path root = dir;
        if (root == null) {
            String env = System.getenv("SYSFS_ROOT");
            root = Path.of(env != null && !env.isEmpty() ? env : "/sys");
        }
        boolean paint = switch (color) {
            case "always" -> true;
            case "never" -> false;
            case "auto" -> System.console() != null && System.getenv("NO_COLOR") == null
                    && !"dumb".equals(System.getenv("TERM"));
            default -> throw new CommandLine.ParameterException(new CommandLine(this),
                    "--color must be auto, always or never, not '" + color + "'");
        };
        if (!Files.isDirectory(root.resolve("bus/ap"))) {
            System.err.println("apsysfs-matrix: " + root + " has no AP bus (no " + root.resolve("bus/ap") + ")");
            return 2;
        }
        Matrix m = Matrix.read(SysfsView.of(root));
        System.out.print(TextPicture.render(m, Math.max(width, 40), paint, !noLegend));
        if (svg != null) {
            Files.writeString(svg, HtmlPicture.svg(m), StandardCharsets.UTF_8);
        }
        if (html != null) {
            Files.writeString(html, HtmlPicture.document(m), StandardCharsets.UTF_8);
        }
        return 0;
    }
}
