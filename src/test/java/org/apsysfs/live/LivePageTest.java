package org.apsysfs.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apsysfs.Daemon;
import org.apsysfs.state.Simulation;
import org.apsysfs.sysfs.SysfsPaths;
import org.apsysfs.testing.InProcessSysfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The live page in a real browser: Debian's headless Chromium opens it, and the page shows a
 * store's effect within a second (the page follows the server-sent events; nothing reloads).
 * The screenshot taken at the end is the README's illustration when
 * {@code -Dapsysfs.live.screenshot=docs/live-page.png} is given.
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LivePageTest {
    static final String U = "62177883-f1bb-47f0-914d-32a22e3a8804";
    static final String M = SysfsPaths.mdev(U);

    @Test
    void onlyLoopbackAddressesAreServed() {
        assertThat(LivePage.parse("127.0.0.1:0").getAddress().isLoopbackAddress()).isTrue();
        assertThat(LivePage.parse("[::1]:8080").getPort()).isEqualTo(8080);
        assertThat(LivePage.parse("localhost:1").getAddress().isLoopbackAddress()).isTrue();
        for (String bad : new String[] {"0.0.0.0:8080", "10.1.2.3:80", "[::]:80"}) {
            assertThatThrownBy(() -> LivePage.parse(bad)).hasMessageContaining("not a loopback address");
        }
        assertThatThrownBy(() -> LivePage.parse("127.0.0.1")).hasMessageContaining("HOST:PORT");
        assertThatThrownBy(() -> LivePage.parse("127.0.0.1:70000")).hasMessageContaining("0..65535");
        assertThatThrownBy(() -> LivePage.start(null, new InetSocketAddress("0.0.0.0", 0)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void thePictureOnceAsTextSvgAndHtml() throws Exception {
        Daemon d = Daemon.create("default");
        try (LivePage page = LivePage.start(Simulation.of(d), LivePage.parse("127.0.0.1:0"))) {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> txt = http.send(HttpRequest.newBuilder(URI.create(page.url() + "matrix.txt")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(txt.statusCode()).isEqualTo(200);
            assertThat(txt.body()).contains("05 CEX8C  H    H    -    H    H\n");
            assertThat(http.send(HttpRequest.newBuilder(URI.create(page.url() + "matrix.svg")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).startsWith("<svg");
            assertThat(http.send(HttpRequest.newBuilder(URI.create(page.url() + "nothing")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
        } finally {
            d.shutdown();
        }
    }

    /** Waits until {@code js} is {@code want}, at most {@code millis}; returns how long it took or fails. */
    static long await(Chromium c, String js, String want, long millis) throws Exception {
        long t0 = System.nanoTime();
        String got = null;
        while (System.nanoTime() - t0 < millis * 1_000_000L) {
            got = c.eval(js);
            if (got.equals(want)) {
                return (System.nanoTime() - t0) / 1_000_000L;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(js + " is '" + got + "', not '" + want + "', " + millis + " ms after the store");
    }

    static String cell(String apqn) {
        return "(document.querySelector('td[data-apqn=\"" + apqn + "\"]') || {}).textContent";
    }

    @Test
    void chromiumShowsEachStoreWithinASecond() throws Exception {
        Daemon d = Daemon.create("default");
        InProcessSysfs s = new InProcessSysfs(d);
        Chromium browser = null;
        try (LivePage page = LivePage.start(Simulation.of(d), LivePage.parse("127.0.0.1:0"))) {
            browser = Chromium.open(page.url());
            await(browser, "document.getElementById('state').textContent", "(live)", 30_000);
            await(browser, "document.body.dataset.updates", "1", 30_000); // the stream's first picture
            assertThat(browser.eval(cell("05.0054"))).isEqualTo("H");

            s.write("bus/ap/apmask", "-4,-5\n");
            await(browser, cell("05.0054"), "f", 1000);
            s.write(CREATE, U + "\n");
            s.write(M + "assign_adapter", "4\n");
            s.write(M + "assign_adapter", "5\n");
            for (String dom : new String[] {"4", "0x47", "0x54"}) {
                s.write(M + "assign_domain", dom + "\n");
            }
            s.write(M + "assign_control_domain", "0x47\n");
            await(browser, cell("05.0054"), "1", 1000);
            s.write("bus/ap/drivers/vfio_ap/unbind", "05.0054\n");
            await(browser, cell("05.0054"), "1x", 1000);
            assertThat(browser.eval(cell("05.0047"))).isEqualTo("1!");
            assertThat(browser.eval(cell("04.0047"))).isEqualTo("1");
            assertThat(browser.eval("document.querySelector('p.note').textContent"))
                    .startsWith("mdev 1 adapter 05: 05.0054 is unbound");
            await(browser, "document.getElementById('uevents').textContent.includes("
                    + "'unbind /devices/ap/card05/05.0054 (ap)')", "true", 1000);
            s.write("kernel/debug/apsysfs/guests/create", "g1\n");
            s.write("kernel/debug/apsysfs/guests/g1/attach", U + "\n");
            await(browser, cell("04.0047"), "1G", 1000);
            await(browser, "document.getElementById('dmesg').textContent.includes("
                    + "'kvm: guest g1 opened vfio_ap mdev " + U + "')", "true", 1000);

            byte[] png = browser.screenshot();
            assertThat(png).startsWith(0x89, 'P', 'N', 'G');
            Files.createDirectories(Path.of("target"));
            Files.write(Path.of("target/live-page.png"), png);
            String keep = System.getProperty("apsysfs.live.screenshot");
            if (keep != null && !keep.isEmpty()) {
                Files.write(Path.of(keep), png);
            }
        } finally {
            if (browser != null) {
                browser.close();
                assertThat(browser.alive()).as("chromium stopped").isFalse();
            }
            d.shutdown();
        }
    }

    static final String CREATE = SysfsPaths.MDEV_CREATE;
}
