package org.apsysfs.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Debian's headless Chromium driven over the DevTools protocol (a WebSocket, with the JDK's
 * client): open a page, evaluate JavaScript in it, take a screenshot. {@link #close()} always
 * stops the browser and everything it started, and removes its profile directory.
 */
final class Chromium implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/chromium");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path profile;
    private final List<String> stderr = new ArrayList<>();
    private WebSocket ws;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    private Chromium(Process process, Path profile) {
        this.process = process;
        this.profile = profile;
    }

    /** Starts the browser on {@code url} (the flags that work in this container). */
    static Chromium open(String url) throws Exception {
        if (!Files.isExecutable(BINARY)) {
            throw new AssertionError("chromium is not installed; run scripts/test (it installs it), or: "
                    + "apt-get install chromium");
        }
        Path profile = Files.createTempDirectory("apsysfs-chromium-");
        Process p = new ProcessBuilder(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--remote-debugging-port=0",
                "--remote-allow-origins=*", "--window-size=1300,560", "--hide-scrollbars", url)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Chromium c = new Chromium(p, profile);
        try {
            c.connect(url);
        } catch (Exception | AssertionError e) {
            c.close();
            throw e;
        }
        return c;
    }

    private void connect(String url) throws Exception {
        BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
        String port = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (port == null && System.nanoTime() < deadline) {
            String line = err.readLine();
            if (line == null) {
                throw new AssertionError("chromium exited: " + String.join("\n", stderr));
            }
            stderr.add(line);
            int i = line.indexOf("DevTools listening on ws://127.0.0.1:");
            if (i >= 0) {
                String rest = line.substring(i + "DevTools listening on ws://127.0.0.1:".length());
                port = rest.substring(0, rest.indexOf('/'));
            }
        }
        if (port == null) {
            throw new AssertionError("chromium did not say where DevTools listens: " + String.join("\n", stderr));
        }
        Thread drain = new Thread(() -> {
            try {
                while (err.readLine() != null) {
                    // keep the pipe empty
                }
            } catch (IOException e) {
                // browser gone
            }
        }, "chromium-stderr");
        drain.setDaemon(true);
        drain.start();
        HttpClient http = HttpClient.newHttpClient();
        String wsUrl = null;
        while (wsUrl == null && System.nanoTime() < deadline) {
            JsonNode list = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/json/list")).build(), HttpResponse.BodyHandlers.ofString()).body());
            for (JsonNode t : list) {
                if (t.path("type").asText().equals("page") && t.path("url").asText().startsWith(url)) {
                    wsUrl = t.path("webSocketDebuggerUrl").asText();
                }
            }
            if (wsUrl == null) {
                Thread.sleep(100);
            }
        }
        if (wsUrl == null) {
            throw new AssertionError("no page target for " + url);
        }
        ws = http.newWebSocketBuilder().buildAsync(URI.create(wsUrl), new WebSocket.Listener() {
            private final StringBuilder buf = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                buf.append(data);
                if (last) {
                    try {
                        JsonNode msg = JSON.readTree(buf.toString());
                        CompletableFuture<JsonNode> f = msg.has("id") ? pending.remove(msg.get("id").asInt()) : null;
                        if (f != null) {
                            f.complete(msg);
                        }
                    } catch (IOException e) {
                        // not JSON: ignore
                    }
                    buf.setLength(0);
                }
                w.request(1);
                return null;
            }
        }).get(30, TimeUnit.SECONDS);
    }

    /** Sends one DevTools command and waits for its answer. */
    JsonNode call(String method, ObjectNode params) throws Exception {
        int id = ids.incrementAndGet();
        ObjectNode msg = JSON.createObjectNode().put("id", id).put("method", method);
        msg.set("params", params == null ? JSON.createObjectNode() : params);
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pending.put(id, f);
        ws.sendText(JSON.writeValueAsString(msg), true).get(10, TimeUnit.SECONDS);
        JsonNode r = f.get(30, TimeUnit.SECONDS);
        if (r.has("error")) {
            throw new AssertionError(method + ": " + r.get("error"));
        }
        return r.get("result");
    }

    /** The value of a JavaScript expression in the page, as a string ("" for null/undefined). */
    String eval(String expression) throws Exception {
        JsonNode r = call("Runtime.evaluate", JSON.createObjectNode().put("expression", expression)
                .put("returnByValue", true));
        JsonNode v = r.path("result").path("value");
        return v.isMissingNode() || v.isNull() ? "" : v.asText();
    }

    /** A PNG of the page as it is drawn. */
    byte[] screenshot() throws Exception {
        JsonNode r = call("Page.captureScreenshot", JSON.createObjectNode().put("format", "png"));
        return Base64.getDecoder().decode(r.get("data").asText());
    }

    @Override
    public void close() {
        try {
            if (ws != null) {
                try {
                    int id = ids.incrementAndGet();
                    ws.sendText("{\"id\":" + id + ",\"method\":\"Browser.close\"}", true).get(5, TimeUnit.SECONDS);
                } catch (Exception e) {
                    // killed below
                }
            }
            List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                all.addAll(process.descendants().toList());
                all.forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            for (ProcessHandle h : all) {
                h.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } finally {
            try (Stream<Path> s = Files.walk(profile)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temporary directory
            }
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    static Duration since(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos);
    }
}
