package org.apsysfs.vfio_ap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apsysfs.hardware.ApMask;
import org.apsysfs.hardware.Apqn;
import org.apsysfs.kernel.Errno;

/**
 * Random sequences of assign/unassign/ap_config writes over three mdevs, mixed with apmask/aqmask
 * edits and queue unbind/bind, on the default machine. After every step: no APQN belongs to two
 * mdevs; no assigned APQN is reserved for the host; {@code guest_matrix} ⊆ {@code matrix} ∩ host
 * configuration and every APQN in it is bound to vfio_ap; a refused write changed nothing.
 */
class VfioApMatrixProperties {
    static final int[] ADAPTERS = {4, 5, 6, 0x0b, 7, 0, 255, 256};
    static final int[] DOMAINS = {4, 5, 0x47, 0x54, 0x30, 0, 84, 85};
    static final String[] QUEUES = {"04.0004", "05.0005", "05.0047", "06.0054", "0b.0004", "04.0054"};

    enum Kind { ASSIGN_ADAPTER, UNASSIGN_ADAPTER, ASSIGN_DOMAIN, UNASSIGN_DOMAIN, ASSIGN_CDOM, UNASSIGN_CDOM,
        AP_CONFIG, APMASK, AQMASK, UNBIND, BIND }

    record Op(Kind kind, int mdev, int a, int b, int c) {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        return Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(0, 255), Arbitraries.integers().between(0, 255),
                Arbitraries.integers().between(0, 255)).as(Op::new).list().ofMinSize(1).ofMaxSize(40);
    }

    static ApMask subset(int bits, int[] ids) {
        ApMask m = ApMask.empty();
        for (int i = 0; i < ids.length; i++) {
            if ((bits & (1 << i)) != 0 && ids[i] < 256) {
                m = m.with(ids[i]);
            }
        }
        return m;
    }

    @Property(tries = 200)
    void invariantsHoldAfterEveryStep(@ForAll("ops") List<Op> ops) {
        InProc s = InProc.defaultMachine();
        // adapters 4 and 5 and domain 0x30 start free; the masks change along the way
        s.ok("/bus/ap/apmask", "-4,-5,-7");
        s.ok("/bus/ap/aqmask", "-0x30");
        List<String> uuids = List.of(s.create(), s.create(), s.create());
        for (Op op : ops) {
            String p = s.mdev(uuids.get(op.mdev()));
            List<String> before = states(s, uuids);
            String apmask = s.read("/bus/ap/apmask");
            String aqmask = s.read("/bus/ap/aqmask");
            Errno e = switch (op.kind()) {
                case ASSIGN_ADAPTER -> s.write(p + "assign_adapter", id(ADAPTERS, op.a()));
                case UNASSIGN_ADAPTER -> s.write(p + "unassign_adapter", id(ADAPTERS, op.a()));
                case ASSIGN_DOMAIN -> s.write(p + "assign_domain", id(DOMAINS, op.a()));
                case UNASSIGN_DOMAIN -> s.write(p + "unassign_domain", id(DOMAINS, op.a()));
                case ASSIGN_CDOM -> s.write(p + "assign_control_domain", id(DOMAINS, op.a()));
                case UNASSIGN_CDOM -> s.write(p + "unassign_control_domain", id(DOMAINS, op.a()));
                case AP_CONFIG -> s.write(p + "ap_config", subset(op.a(), ADAPTERS).format() + ","
                        + subset(op.b(), DOMAINS).format() + "," + subset(op.c(), DOMAINS).format()
                        + ((op.c() & 1) == 0 ? "\n" : ""));
                case APMASK -> s.write("/bus/ap/apmask", ((op.b() & 1) == 0 ? "+" : "-") + ADAPTERS[op.a() % 6]);
                case AQMASK -> s.write("/bus/ap/aqmask", ((op.b() & 1) == 0 ? "+" : "-") + DOMAINS[op.a() % 6]);
                case UNBIND -> s.write("/bus/ap/drivers/vfio_ap/unbind", QUEUES[op.a() % QUEUES.length]);
                case BIND -> s.write("/bus/ap/drivers/vfio_ap/bind", QUEUES[op.a() % QUEUES.length]);
            };
            if (e != null) {
                assertThat(states(s, uuids)).as("%s refused with %s changed an mdev", op, e).isEqualTo(before);
                assertThat(s.read("/bus/ap/apmask")).isEqualTo(apmask);
                assertThat(s.read("/bus/ap/aqmask")).isEqualTo(aqmask);
            }
            checkInvariants(s, uuids, op);
        }
    }

    static String id(int[] ids, int pick) {
        int v = ids[pick % ids.length];
        return switch (pick / ids.length % 3) {
            case 0 -> Integer.toString(v);
            case 1 -> "0x" + Integer.toHexString(v) + "\n";
            default -> v == 0 ? "0" : "0" + Integer.toOctalString(v);
        };
    }

    static List<String> states(InProc s, List<String> uuids) {
        List<String> out = new ArrayList<>();
        for (String u : uuids) {
            out.add(s.state(u));
        }
        return out;
    }

    /** APIDs, APQIs and APQNs a matrix file lists. */
    record Listed(Set<Integer> apids, Set<Integer> apqis, Set<Integer> apqns) {
        static Listed parse(String text) {
            Listed l = new Listed(new HashSet<>(), new HashSet<>(), new HashSet<>());
            for (String line : text.split("\n")) {
                if (line.isEmpty()) {
                    continue;
                }
                assertThat(line).matches("[0-9a-f]{2}\\.[0-9a-f]{4}|[0-9a-f]{2}\\.|\\.[0-9a-f]{4}");
                int dot = line.indexOf('.');
                Integer a = dot > 0 ? Integer.parseInt(line.substring(0, dot), 16) : null;
                Integer q = dot < line.length() - 1 ? Integer.parseInt(line.substring(dot + 1), 16) : null;
                if (a != null) {
                    l.apids.add(a);
                }
                if (q != null) {
                    l.apqis.add(q);
                }
                if (a != null && q != null) {
                    l.apqns.add(Apqn.of(a, q));
                }
            }
            return l;
        }
    }

    static Set<Integer> ids(String mask) {
        Set<Integer> out = new HashSet<>();
        for (int i : org.apsysfs.bus.ApMaskParser.hex2bitmap(mask.trim()).ids()) {
            out.add(i);
        }
        return out;
    }

    static void checkInvariants(InProc s, List<String> uuids, Op op) {
        Set<Integer> hostApm = ids(s.read("/bus/ap/ap_adapter_mask"));
        Set<Integer> hostAqm = ids(s.read("/bus/ap/ap_usage_domain_mask"));
        Set<Integer> apmask = ids(s.read("/bus/ap/apmask"));
        Set<Integer> aqmask = ids(s.read("/bus/ap/aqmask"));
        Set<Integer> seen = new HashSet<>();
        for (String u : uuids) {
            String p = s.mdev(u);
            Listed m = Listed.parse(s.read(p + "matrix"));
            Listed g = Listed.parse(s.read(p + "guest_matrix"));
            for (int apqn : m.apqns()) {
                assertThat(seen.add(apqn)).as("after %s: %04x in two mdevs", op, apqn).isTrue();
                assertThat(apmask.contains(Apqn.apid(apqn)) && aqmask.contains(Apqn.apqi(apqn)))
                        .as("after %s: %04x assigned but reserved for the host", op, apqn).isFalse();
            }
            assertThat(g.apids()).as("after %s: guest adapters", op).isSubsetOf(m.apids()).isSubsetOf(hostApm);
            assertThat(g.apqis()).as("after %s: guest domains", op).isSubsetOf(m.apqis()).isSubsetOf(hostAqm);
            assertThat(m.apqns()).as("after %s", op).containsAll(g.apqns());
            for (int apqn : g.apqns()) {
                String q = Apqn.name(apqn);
                assertThat(s.exists("/bus/ap/drivers/vfio_ap/" + q)).as("after %s: %s in the guest but not bound", op, q)
                        .isTrue();
            }
            // ap_config is the matrix, in masks
            String[] cfg = s.read(p + "ap_config").trim().split(",");
            assertThat(ids(cfg[0])).as("after %s", op).containsAll(m.apids());
            assertThat(ids(cfg[1])).as("after %s", op).containsAll(m.apqis());
            Set<Integer> cdoms = new HashSet<>();
            for (String l : s.read(p + "control_domains").split("\n")) {
                if (!l.isEmpty()) {
                    cdoms.add(Integer.parseInt(l, 16));
                }
            }
            assertThat(ids(cfg[2])).isEqualTo(cdoms);
        }
    }
}
