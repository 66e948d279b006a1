package org.apsysfs.zcrypt;

import static org.assertj.core.api.Assertions.assertThat;

import org.apsysfs.Daemon;
import org.apsysfs.kernel.ManualClock;
import org.apsysfs.sysfs.SysfsPaths;
import org.apsysfs.testing.InProcessSysfs;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The CCA/EP11 information files of zcrypt_cex4.c ({@code serialnr}, {@code mkvps},
 * {@code op_modes}, {@code API_ordinalnr}, {@code FW_version}) ask the adapter with a CPRB
 * (cca_get_info, ep11_get_card_info, ep11_get_domain_info). zcrypt_api.c sends it only to an
 * online card that is configured and not check-stopped, through an online queue that
 * ap_queue_usable accepts; otherwise the info stays zeroed and the show functions print their
 * "unknown" forms.
 */
class ZcryptInfoFilesTest {
    static final String UNKNOWN_CCA = "AES NEW: - -\nAES CUR: - -\nAES OLD: - -\nAPKA NEW: - -\nAPKA CUR: - -\n"
            + "APKA OLD: - -\nASYM NEW: - -\nASYM CUR: - -\nASYM OLD: - -\n";
    static final String UNKNOWN_EP11 = "WK CUR: - -\nWK NEW: - -\n";
    static final String H = SysfsPaths.HOST;
    InProcessSysfs sys;

    @BeforeEach
    void boot() {
        sys = new InProcessSysfs(Daemon.create("default", new ManualClock()));
    }

    @Test
    void anOfflineCcaQueueHasNoMasterKeyInformation() {
        // cca_mkvps_show: cca_get_info(card, domain) fails for an offline queue: "- -" lines
        sys.write("devices/ap/card04/04.0005/online", "0");
        assertThat(sys.read("devices/ap/card04/04.0005/mkvps")).isEqualTo(UNKNOWN_CCA);
        assertThat(sys.read("devices/ap/card04/04.0004/mkvps")).startsWith("AES NEW: empty 0x");
        // the card's serial number is asked through the default domain's queue (ap_domain 4)
        assertThat(sys.read("bus/ap/ap_domain")).isEqualTo("4\n");
        assertThat(sys.read("devices/ap/card04/serialnr")).isEqualTo("SIMC0004\n");
        sys.write("devices/ap/card04/04.0004/online", "0");
        assertThat(sys.read("devices/ap/card04/serialnr")).isEqualTo("\n");
        sys.write("devices/ap/card04/04.0004/online", "1");
        assertThat(sys.read("devices/ap/card04/serialnr")).isEqualTo("SIMC0004\n");
        assertThat(sys.read("devices/ap/card04/04.0004/mkvps")).startsWith("AES NEW: empty 0x");
    }

    @Test
    void anOfflineCcaCardAnswersNothing() {
        sys.write("devices/ap/card04/online", "0");
        assertThat(sys.read("devices/ap/card04/serialnr")).isEqualTo("\n");
        assertThat(sys.read("devices/ap/card04/04.0047/mkvps")).isEqualTo(UNKNOWN_CCA);
    }

    @Test
    void aDeconfiguredOrCheckStoppedCardAnswersNothing() {
        sys.write("devices/ap/card05/config", "0");
        assertThat(sys.read("devices/ap/card05/config")).isEqualTo("0\n");
        assertThat(sys.read("devices/ap/card05/serialnr")).isEqualTo("\n");
        assertThat(sys.read("devices/ap/card05/05.0004/mkvps")).isEqualTo(UNKNOWN_CCA);
        sys.write("devices/ap/card05/config", "1");
        assertThat(sys.read("devices/ap/card05/serialnr")).isEqualTo("SIMC0005\n");

        sys.write(H + "checkstop", "0x0b 1");
        assertThat(sys.read("devices/ap/card0b/chkstop")).isEqualTo("1\n");
        assertThat(sys.read("devices/ap/card0b/serialnr")).isEqualTo("\n");
        assertThat(sys.read("devices/ap/card0b/0b.0004/mkvps")).isEqualTo(UNKNOWN_EP11);
    }

    @Test
    void ep11CardInformationNeedsOneUsableQueueAndDomainInformationItsOwn() {
        String c = "devices/ap/card0b/";
        // ep11_get_card_info uses any domain (AUTOSEL_DOM): one offline queue does not matter
        sys.write(c + "0b.0004/online", "0");
        assertThat(sys.read(c + "API_ordinalnr")).isEqualTo("8\n");
        assertThat(sys.read(c + "FW_version")).isEqualTo("7.45\n");
        assertThat(sys.read(c + "serialnr")).isEqualTo("SIMP00000000000B\n");
        // ep11_mkvps_show / ep11_queue_op_modes_show ask only while the queue is online
        assertThat(sys.read(c + "0b.0004/mkvps")).isEqualTo(UNKNOWN_EP11);
        assertThat(sys.read(c + "0b.0004/op_modes")).isEqualTo("\n");
        assertThat(sys.read(c + "0b.0005/mkvps")).startsWith("WK CUR: valid 0x");

        // the card offline takes every queue offline: nothing can be asked
        sys.write(c + "online", "0");
        assertThat(sys.read(c + "API_ordinalnr")).isEqualTo("\n");
        assertThat(sys.read(c + "FW_version")).isEqualTo("\n");
        assertThat(sys.read(c + "serialnr")).isEqualTo("\n");
        assertThat(sys.read(c + "op_modes")).isEqualTo("\n");
        assertThat(sys.read(c + "0b.0005/mkvps")).isEqualTo(UNKNOWN_EP11);
    }
}
