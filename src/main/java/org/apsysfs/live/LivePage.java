package org.apsysfs.live;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apsysfs.Kernel;
import org.apsysfs.picture.HtmlPicture;
import org.apsysfs.picture.Matrix;
import org.apsysfs.picture.TextPicture;
import org.apsysfs.state.Simulation;
import org.apsysfs.sysfs.Kernfs;

/**
 * The live page of a running daemon ({@code apsysfs run DIR --http 127.0.0.1:PORT}): the
 * matrix picture as an HTML page that follows the state through server-sent events, with the
 * last kernel log lines ({@code dmesg}) and uevents beside it.
 *
 * <ul>
 *   <li>{@code /} the page; {@code /events} the event stream (events {@code picture},
 *       {@code dmesg}, {@code uevents}, each sent when it changed);</li>
 *   <li>{@code /matrix.txt}, {@code /matrix.svg}, {@code /matrix.html} the picture once.</li>
 * </ul>
 *
 * <p>Only loopback addresses are served: the page shows the whole simulated system and has no
 * authentication. A stream looks for a change every {@value #POLL_MILLIS} ms: a store, a kernel
 * log line or a uevent (periodic scans change the system only with one of those), and a state
 * written to the control file (a new tree).
 */
public final class LivePage implements AutoCloseable {
    static final int POLL_MILLIS = 100;
    static final int LOG_LINES = 40;
    static final int UEVENTS = 12;

    private final Simulation sim;
    private final HttpServer server;
    private final ExecutorService pool;
    private volatile boolean closed;

    private LivePage(Simulation sim, HttpServer server, ExecutorService pool) {
        this.sim = sim;
        this.server = server;
        this.pool = pool;
    }

    /**
     * Parses {@code HOST:PORT} ({@code 127.0.0.1:8080}, {@code [::1]:0}, {@code localhost:8080};
     * port 0: any free port) and checks that it is a loopback address.
     *
     * @throws IllegalArgumentException naming the problem
     */
    public static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("--http wants HOST:PORT (e.g. 127.0.0.1:8080), not '" + hostPort + "'");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--http " + hostPort + ": the port must be 0..65535");
        }
        InetAddress addr;
        try {
            addr = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--http " + hostPort + ": unknown host " + host);
        }
        if (!addr.isLoopbackAddress()) {
            throw new IllegalArgumentException("--http " + hostPort + ": " + addr.getHostAddress()
                    + " is not a loopback address; the live page is served on loopback only (127.0.0.1, ::1)");
        }
        return new InetSocketAddress(addr, port);
    }

    /** Serves the page of {@code sim} at {@code addr} (a loopback address, see {@link #parse}). */
    public static LivePage start(Simulation sim, InetSocketAddress addr) throws IOException {
        if (!addr.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException(addr + " is not a loopback address");
        }
        HttpServer server = HttpServer.create(addr, 16);
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "apsysfs-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        LivePage page = new LivePage(sim, server, pool);
        server.createContext("/", page::handle);
        server.start();
        return page;
    }

    /** The address served (with the port chosen for port 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** The page's URL, e.g. {@code http://127.0.0.1:8080/}. */
    public String url() {
        InetSocketAddress a = address();
        String h = a.getAddress().getHostAddress();
        return "http://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + a.getPort() + "/";
    }

    @Override
    public void close() {
        closed = true;
        server.stop(0);
        pool.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
                send(ex, 405, "text/plain", "only GET\n");
                return;
            }
            switch (ex.getRequestURI().getPath()) {
                case "/" -> send(ex, 200, "text/html; charset=utf-8", page());
                case "/events" -> events(ex);
                case "/matrix.txt" -> send(ex, 200, "text/plain; charset=utf-8",
                        TextPicture.render(picture(), 80, false));
                case "/matrix.svg" -> send(ex, 200, "image/svg+xml", HtmlPicture.svg(picture()));
                case "/matrix.html" -> send(ex, 200, "text/html; charset=utf-8", HtmlPicture.document(picture()));
                default -> send(ex, 404, "text/plain", "no such page\n");
            }
        }
    }

    private Matrix picture() {
        return Matrix.read(new KernfsView(sim::kernfs));
    }

    private static void send(HttpExchange ex, int code, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(code, ex.getRequestMethod().equals("HEAD") ? -1 : b.length);
        if (!ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseBody().write(b);
        }
    }

    /** The event stream: the three parts at once, then each part again whenever it changed. */
    private void events(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        String lastPicture = null;
        String lastLog = null;
        String lastUevents = null;
        String lastSignature = null;
        long idle = 0;
        try {
            while (!closed) {
                String sig = signature();
                if (!sig.equals(lastSignature)) {
                    lastSignature = sig;
                    String p = HtmlPicture.fragment(picture());
                    String l = logTail();
                    String u = ueventTail();
                    if (!p.equals(lastPicture)) {
                        event(out, "picture", p);
                        lastPicture = p;
                    }
                    if (!l.equals(lastLog)) {
                        event(out, "dmesg", l);
                        lastLog = l;
                    }
                    if (!u.equals(lastUevents)) {
                        event(out, "uevents", u);
                        lastUevents = u;
                    }
                    out.flush();
                    idle = 0;
                } else if ((idle += POLL_MILLIS) >= 15_000) {
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8)); // ends the stream of a gone client
                    out.flush();
                    idle = 0;
                }
                Thread.sleep(POLL_MILLIS);
            }
        } catch (IOException | InterruptedException e) {
            // the browser went away, or the daemon stops
        }
    }

    private static void event(OutputStream out, String name, String data) throws IOException {
        StringBuilder sb = new StringBuilder("event: ").append(name).append('\n');
        for (String line : data.split("\n", -1)) {
            sb.append("data: ").append(line).append('\n');
        }
        out.write(sb.append('\n').toString().getBytes(StandardCharsets.UTF_8));
    }

    private String signature() {
        Kernfs fs = sim.kernfs();
        Kernel k = sim.daemon().kernel();
        return System.identityHashCode(fs) + " " + fs.storeTimes().count() + " " + k.log().sequence() + " "
                + k.uevents().lastSeqnum();
    }

    private String logTail() {
        List<String> l = sim.daemon().kernel().log().lines();
        return String.join("\n", l.subList(Math.max(0, l.size() - LOG_LINES), l.size()));
    }

    private String ueventTail() {
        var ev = sim.daemon().kernel().uevents().events();
        StringBuilder sb = new StringBuilder();
        for (var e : ev.subList(Math.max(0, ev.size() - UEVENTS), ev.size())) {
            sb.append(e.format()).append('\n');
        }
        return sb.toString().stripTrailing();
    }

    private String page() {
        return """
                <!DOCTYPE html>
                <html><head><meta charset="utf-8"><title>apsysfs: AP matrix (live)</title>
                <style>
                body{font-family:sans-serif;margin:12px;background:#fafafa}
                #main{display:flex;gap:18px;align-items:flex-start}
                #side{flex:1;min-width:28em}
                pre{background:#fff;border:1px solid #ddd;padding:6px;font-size:11px;max-height:22em;overflow:auto;white-space:pre-wrap}
                h1{font-size:18px;margin:0 0 8px 0} h2{font-size:14px;margin:6px 0}
                #state{font-size:12px;color:#666}
                """ + HtmlPicture.css() + """
                </style></head><body>
                <h1>AP matrix <span id="state">(connecting)</span></h1>
                <div id="main"><div id="picture">""" + HtmlPicture.fragment(picture()) + """
                </div><div id="side"><h2>Kernel log (dmesg)</h2><pre id="dmesg">""" + esc(logTail()) + """
                </pre><h2>uevents</h2><pre id="uevents">""" + esc(ueventTail()) + """
                </pre></div></div>
                <script>
                const es = new EventSource('/events');
                let n = 0;
                es.onopen = () => { document.getElementById('state').textContent = '(live)'; };
                es.onerror = () => { document.getElementById('state').textContent = '(disconnected, retrying)'; };
                es.addEventListener('picture', e => {
                  document.getElementById('picture').innerHTML = e.data;
                  document.body.dataset.updates = ++n;
                });
                for (const id of ['dmesg', 'uevents']) {
                  es.addEventListener(id, e => {
                    const p = document.getElementById(id);
                    p.textContent = e.data;
                    p.scrollTop = p.scrollHeight;
                  });
                }
                </script>
                </body></html>
                """;
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
