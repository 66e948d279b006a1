package org.apsysfs.bus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apsysfs.Daemon;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.ManualClock;
import org.apsysfs.testing.InProcessSysfs;

/** Mask writes at the sysfs level: a rejected write changes nothing anywhere. */
class ApMaskSysfsProperties {
    private final InProcessSysfs sys = new InProcessSysfs(Daemon.create("default", new ManualClock()));

    @Provide
    Arbitrary<String> maskish() {
        Arbitrary<String> chars = Arbitraries.strings().withChars("0123456789abcdefxX+-,\n \t").ofMaxLength(12);
        Arbitrary<String> terms = Arbitraries.of("+", "-").flatMap(sign -> Arbitraries.integers().between(0, 300)
                .map(n -> sign + (n % 3 == 0 ? "0x" + Integer.toHexString(n) : Integer.toString(n))));
        Arbitrary<String> lists = terms.list().ofMinSize(1).ofMaxSize(4).map(l -> String.join(",", l));
        Arbitrary<String> longHex = Arbitraries.strings().withChars("0123456789abcdef").ofMinLength(60).ofMaxLength(70)
                .map(h -> "0x" + h);
        return Arbitraries.oneOf(chars, lists, longHex, lists.map(l -> l + " "), chars.map(c -> "0x41" + c));
    }

    @Property(tries = 400)
    void aRejectedMaskWriteLeavesMasksBindingsAndEventsAlone(@ForAll("maskish") String value,
                                                            @ForAll boolean adapters) {
        String file = adapters ? "bus/ap/apmask" : "bus/ap/aqmask";
        List<String> before = snapshot();
        sys.mark();
        Errno e = sys.tryWrite(file, value);
        if (e == null) {
            return;
        }
        assertThat(e).isIn(Errno.EINVAL, Errno.EBUSY);
        assertThat(snapshot()).isEqualTo(before);
        assertThat(sys.ueventLines()).isEmpty();
        assertThat(sys.logSinceMark()).hasSize(1);
    }

    private List<String> snapshot() {
        return List.of(sys.read("bus/ap/apmask"), sys.read("bus/ap/aqmask"), sys.read("bus/ap/bindings"),
                String.join(",", sys.ls("bus/ap/drivers/cex4queue")), String.join(",", sys.ls("bus/ap/drivers/vfio_ap")));
    }
}
