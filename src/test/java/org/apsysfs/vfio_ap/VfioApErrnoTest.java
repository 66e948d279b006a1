package org.apsysfs.vfio_ap;

import static org.apsysfs.vfio_ap.InProc.apConfig;
import static org.apsysfs.vfio_ap.InProc.mask;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.apsysfs.kernel.Errno;
import org.apsysfs.sysfs.SysfsPaths;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every errno of vfio_ap's stores (vfio_ap_ops.c assign_*_store and unassign_*_store, ap_config_store) and
 * their parsers (kstrtoul, ap_parse_mask_str), in-process
 * on the default machine (adapters 04 05 06 0b, domains 0004 0005 0047 0054, max domain 84).
 */
class VfioApErrnoTest {
    InProc s;
    String u;
    String p;

    @BeforeEach
    void boot() {
        s = InProc.defaultMachine();
        u = s.create();
        p = s.mdev(u);
    }

    // ------------------------------------------------------------------ create

    @Test
    void createAcceptsExactly36Or37Bytes() {
        String id = "62177883-f1bb-47f0-914d-32a22e3a8804";
        s.fails(SysfsPaths.MDEV_CREATE, id.substring(0, 35), Errno.EINVAL);
        s.fails(SysfsPaths.MDEV_CREATE, id + "\r\n", Errno.EINVAL);
        s.fails(SysfsPaths.MDEV_CREATE, " " + id, Errno.EINVAL);
        s.fails(SysfsPaths.MDEV_CREATE, " " + id + "\n", Errno.EINVAL);
        s.fails(SysfsPaths.MDEV_CREATE, id + "\n\n", Errno.EINVAL);
        assertThat(s.exists(s.mdev(id))).isFalse();
        s.ok(SysfsPaths.MDEV_CREATE, id);
        assertThat(s.exists(s.mdev(id))).isTrue();
        String id2 = "62177883-f1bb-47f0-914d-32a22e3a8805";
        s.ok(SysfsPaths.MDEV_CREATE, id2 + "\n");
        // the 37th byte is not inspected
        String id3 = "62177883-f1bb-47f0-914d-32a22e3a8806";
        s.ok(SysfsPaths.MDEV_CREATE, id3 + "x");
        assertThat(s.exists(s.mdev(id3))).isTrue();
        assertThat(s.read(SysfsPaths.MDEV_TYPE + "available_instances")).isEqualTo("65532\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"62177883-f1bb-47f0-914d-32a22e3a880g", "62177883_f1bb-47f0-914d-32a22e3a8804",
        "62177883f1bb-47f0-914d-32a22e3a88041", "{2177883-f1bb-47f0-914d-32a22e3a8804}",
        "62177883-f1bb-47f0-914d-32a22e3a880 ", "62177883-f1bb-47f0-914d-32a2-e3a8804"})
    void createRejectsMalformedUuids(String bad) {
        s.fails(SysfsPaths.MDEV_CREATE, bad, Errno.EINVAL);
        assertThat(s.read(SysfsPaths.MDEV_TYPE + "available_instances")).isEqualTo("65535\n");
    }

    @Test
    void upperCaseUuidMakesALowerCaseDirectoryAndDuplicatesAreEexistWhateverTheCase() {
        String upper = "62177883-F1BB-47F0-914D-32A22E3A8804";
        s.ok(SysfsPaths.MDEV_CREATE, upper + "\n");
        String lower = upper.toLowerCase();
        assertThat(s.exists(s.mdev(lower))).isTrue();
        assertThat(s.exists(s.mdev(upper))).isFalse();
        assertThat(s.exists("/bus/mdev/devices/" + lower)).isTrue();
        s.fails(SysfsPaths.MDEV_CREATE, lower, Errno.EEXIST);
        s.fails(SysfsPaths.MDEV_CREATE, upper, Errno.EEXIST);
        s.fails(SysfsPaths.MDEV_CREATE, "62177883-f1BB-47f0-914d-32a22e3a8804\n", Errno.EEXIST);
        s.fails(SysfsPaths.MDEV_CREATE, u.toUpperCase(), Errno.EEXIST);
        assertThat(s.read(SysfsPaths.MDEV_TYPE + "available_instances")).isEqualTo("65534\n");
    }

    @Test
    void createFailsEusersWhenNoInstanceIsLeftAndRemoveGivesOneBack() {
        // reach 0 cheaply: take the instances through the mdev core's counter
        var parent = s.d.vfioAp().matrixDev().parent;
        int left = parent.availableInstances();
        assertThat(left).isEqualTo(65535);
        MdevInstances.take(parent, left);
        assertThat(s.read(SysfsPaths.MDEV_TYPE + "available_instances")).isEqualTo("0\n");
        String id = UUID.randomUUID().toString();
        s.fails(SysfsPaths.MDEV_CREATE, id, Errno.EUSERS);
        // duplicate is checked before the instance count
        s.fails(SysfsPaths.MDEV_CREATE, u, Errno.EEXIST);
        // a malformed one is EINVAL before either
        s.fails(SysfsPaths.MDEV_CREATE, "nonsense", Errno.EINVAL);
        s.ok(p + "remove", "1");
        assertThat(s.read(SysfsPaths.MDEV_TYPE + "available_instances")).isEqualTo("1\n");
        s.ok(SysfsPaths.MDEV_CREATE, id);
        assertThat(s.read(SysfsPaths.MDEV_TYPE + "available_instances")).isEqualTo("0\n");
        MdevInstances.give(parent, left);
    }

    // ------------------------------------------------------------------ remove

    /** An empty write(2) never reaches a store (sysfs_kf_write returns 0 for 0 bytes). */
    @Test
    void emptyWritesAreNoOps() {
        for (String f : new String[] {"remove", "assign_adapter", "assign_domain", "ap_config"}) {
            s.ok(p + f, "");
        }
        s.ok(SysfsPaths.MDEV_CREATE, "");
        assertThat(s.exists(p)).isTrue();
    }

    @Test
    void removeZeroIsANoOpAndNonNumbersAreEinvalEvenOnOverflow() {
        s.ok(p + "remove", "0");
        s.ok(p + "remove", "0\n");
        s.ok(p + "remove", "0x0");
        assertThat(s.exists(p)).isTrue();
        for (String bad : new String[] {"\n", "yes", "1 ", " 1", "-1", "1x", "08", "18446744073709551616",
            "99999999999999999999999"}) {
            s.fails(p + "remove", bad, Errno.EINVAL);
        }
        assertThat(s.exists(p)).isTrue();
        s.ok(p + "remove", "+2\n");
        assertThat(s.exists(p)).isFalse();
        assertThat(s.read(SysfsPaths.MDEV_TYPE + "available_instances")).isEqualTo("65536\n");
    }

    // ------------------------------------------------------------------ assign / unassign

    @ParameterizedTest
    @ValueSource(strings = {"assign_adapter", "unassign_adapter", "assign_domain", "unassign_domain",
        "assign_control_domain", "unassign_control_domain"})
    void idsParseWithKstrtoulBaseZero(String file) {
        for (String bad : new String[] {"08", "0a", "-1", " 4", "4 ", "\t4", "\n", "4\n\n", "4x", "0x", "x4",
            "4,5", "+-4", "++4", "0x4g", "four"}) {
            assertThat(s.write(p + file, bad)).as("'%s' to %s", bad, file).isEqualTo(Errno.EINVAL);
        }
        assertThat(s.write(p + file, "18446744073709551616")).isEqualTo(Errno.ERANGE);
        assertThat(s.write(p + file, "0x10000000000000000")).isEqualTo(Errno.ERANGE);
        // 2^64-1 parses and is above the maximum
        assertThat(s.write(p + file, "18446744073709551615")).isEqualTo(Errno.ENODEV);
        assertThat(s.write(p + file, "0xffffffffffffffff\n")).isEqualTo(Errno.ENODEV);
    }

    @Test
    void adapterRangeIs255AndDomainRange84() {
        s.freeAdapters(5);
        for (String f : new String[] {"assign_adapter", "unassign_adapter"}) {
            s.fails(p + f, "256", Errno.ENODEV);
            s.fails(p + f, "0x100", Errno.ENODEV);
        }
        for (String f : new String[] {"assign_domain", "unassign_domain", "assign_control_domain",
            "unassign_control_domain"}) {
            s.fails(p + f, "85", Errno.ENODEV);
            s.fails(p + f, "0x55", Errno.ENODEV);
            s.fails(p + f, "0xab", Errno.ENODEV);
            s.fails(p + f, "255", Errno.ENODEV);
        }
        // the accepted spellings: decimal, hex, octal, a leading '+', one newline
        s.ok(p + "assign_adapter", "+5\n");
        s.ok(p + "assign_domain", "0124"); // octal 84
        s.ok(p + "assign_domain", "0X47\n");
        s.ok(p + "assign_control_domain", "84");
        s.ok(p + "unassign_adapter", "255");
        s.ok(p + "unassign_domain", "0");
        assertThat(s.read(p + "matrix")).isEqualTo("05.0047\n05.0054\n");
        assertThat(s.read(p + "control_domains")).isEqualTo("0054\n");
    }

    @Test
    void reservedApqnsAreEaddrnotavailOnTheWholeCartesianProduct() {
        // everything reserved: adapters alone and domains alone still succeed (empty product)
        s.ok(p + "assign_adapter", "4");
        s.ok(p + "assign_adapter", "0x11"); // does not exist at all
        s.fails(p + "assign_domain", "4", Errno.EADDRNOTAVAIL);
        assertThat(s.read(p + "matrix")).isEqualTo("04.\n11.\n");
        s.ok(p + "unassign_adapter", "4");
        s.ok(p + "unassign_adapter", "17");
        s.ok(p + "assign_domain", "4");
        s.fails(p + "assign_adapter", "4", Errno.EADDRNOTAVAIL);
        s.fails(p + "assign_adapter", "1", Errno.EADDRNOTAVAIL); // 01.0004 reserved, though absent
        assertThat(s.read(p + "matrix")).isEqualTo(".0004\n");
        // free adapter 5 only for domain... masks are per dimension: free domain 0x30 everywhere
        s.ok("/bus/ap/aqmask", "-0x30");
        s.ok(p + "unassign_domain", "4");
        s.ok(p + "assign_domain", "0x30");
        s.ok(p + "assign_adapter", "1"); // 01.0030 free; binding and existence do not matter
        s.fails(p + "assign_domain", "5", Errno.EADDRNOTAVAIL); // 01.0005 reserved
        assertThat(s.read(p + "matrix")).isEqualTo("01.0030\n");
        assertThat(s.read(p + "guest_matrix")).isEqualTo("");
    }

    @Test
    void sharingIsEaddrinuseWithOneLogLinePerSharedApqn() {
        s.freeAdapters(4, 5, 6);
        String v = s.create();
        String q = s.mdev(v);
        s.ok(p + "assign_adapter", "4");
        s.ok(p + "assign_adapter", "5");
        s.ok(p + "assign_domain", "4");
        s.ok(p + "assign_domain", "0x47");
        s.ok(q + "assign_adapter", "5");
        s.ok(q + "assign_adapter", "4");
        s.ok(q + "assign_adapter", "6");
        s.ok(q + "assign_domain", "5"); // 04/05/06 x 0005: not U's
        s.d.kernel().log().clear();
        s.fails(q + "assign_domain", "0x47", Errno.EADDRINUSE);
        String prefix = "vfio_ap_mdev " + v + ": Userspace may not assign queue ";
        assertThat(s.log()).filteredOn(l -> l.contains("Userspace may not assign")).hasSize(2);
        assertThat(s.log()).anyMatch(l -> l.endsWith(prefix + "04.0047 to mdev: already assigned to " + u));
        assertThat(s.log()).anyMatch(l -> l.endsWith(prefix + "05.0047 to mdev: already assigned to " + u));
        assertThat(s.read(q + "matrix")).isEqualTo("04.0005\n05.0005\n06.0005\n");
        // unassign then the conflicting domain: four shared APQNs, four lines
        s.d.kernel().log().clear();
        s.ok(p + "assign_domain", "0x54");
        s.ok(q + "unassign_domain", "5");
        s.fails(q + "assign_domain", "0x54", Errno.EADDRINUSE);
        s.fails(q + "ap_config", apConfig(mask(4, 5), mask(4, 0x47), mask()), Errno.EADDRINUSE);
        assertThat(s.logCount("Userspace may not assign queue")).isEqualTo(2 + 4);
        assertThat(s.read(q + "matrix")).isEqualTo("04.\n05.\n06.\n");
        // control domains are never checked
        s.ok(p + "assign_control_domain", "4");
        s.ok(q + "assign_control_domain", "4");
    }

    /**
     * vfio_ap puts a new mdev at the head of its list (list_add), and both the sharing check and
     * in_use stop at the first conflicting mdev: the newest one is named, and only its APQNs.
     */
    @Test
    void conflictsNameTheNewestConflictingMdevOnly() {
        s.freeAdapters(5, 6);
        String v = s.create();
        String w = s.create();
        s.ok(p + "ap_config", apConfig(mask(5), mask(4), mask()));
        s.ok(s.mdev(v) + "ap_config", apConfig(mask(6), mask(4), mask()));
        s.ok(s.mdev(w) + "ap_config", apConfig(mask(5, 6), mask(), mask()));
        s.d.kernel().log().clear();
        s.fails(s.mdev(w) + "assign_domain", "4", Errno.EADDRINUSE);
        assertThat(s.log()).filteredOn(l -> l.contains("Userspace may not assign")).containsExactly(
                s.log().stream().filter(l -> l.contains("Userspace may not assign")).findFirst().orElseThrow())
                .allMatch(l -> l.endsWith("vfio_ap_mdev " + w + ": Userspace may not assign queue 06.0004 to mdev: "
                        + "already assigned to " + v));
        s.d.kernel().log().clear();
        s.fails("/bus/ap/apmask", "+5,+6", Errno.EBUSY);
        assertThat(s.log()).filteredOn(l -> l.contains("Can not reserve")).hasSize(1)
                .allMatch(l -> l.endsWith("vfio_ap_mdev " + v + ": Can not reserve queue 06.0004 for host driver: in use by mdev"));
        // once V is gone, U is the conflicting one
        s.ok(s.mdev(v) + "remove", "1");
        s.d.kernel().log().clear();
        s.fails("/bus/ap/apmask", "+5,+6", Errno.EBUSY);
        assertThat(s.log()).filteredOn(l -> l.contains("Can not reserve")).hasSize(1)
                .allMatch(l -> l.endsWith("vfio_ap_mdev " + u + ": Can not reserve queue 05.0004 for host driver: in use by mdev"));
        assertThat(s.d.vfioAp().matrixDev().mdevs()).extracting(MatrixMdev::name).containsExactly(u, w);
    }

    @Test
    void idempotentShortcutsSkipEveryCheck() {
        s.freeAdapters(4);
        s.ok(p + "assign_adapter", "4");
        s.ok(p + "assign_domain", "4");
        s.fails("/bus/ap/apmask", "+4", Errno.EBUSY);
        String v = s.create();
        String q = s.mdev(v);
        s.ok(q + "assign_domain", "4");
        // V assigning adapter 4 would share 04.0004; U's repeated assign is a no-op success
        s.fails(q + "assign_adapter", "4", Errno.EADDRINUSE);
        s.ok(p + "assign_adapter", "4");
        s.ok(p + "assign_domain", "0x4\n");
        // unassigning what is not assigned succeeds too
        s.ok(p + "unassign_adapter", "6");
        s.ok(p + "unassign_domain", "0x54");
        s.ok(p + "unassign_control_domain", "0x54");
        assertThat(s.read(p + "matrix")).isEqualTo("04.0004\n");
    }

    @Test
    void controlDomainsOnlyCheckTheRangeAndMayBeSharedWithHostAndMdevs() {
        String v = s.create();
        // every domain is reserved for the host (default masks): still fine
        s.ok(p + "assign_control_domain", "4");
        s.ok(p + "assign_control_domain", "0");
        s.ok(p + "assign_control_domain", "0x54");
        s.ok(s.mdev(v) + "assign_control_domain", "4");
        assertThat(s.read(p + "control_domains")).isEqualTo("0000\n0004\n0054\n");
        assertThat(s.read(s.mdev(v) + "control_domains")).isEqualTo("0004\n");
        // guest ADM = assigned ∩ host ADM (0 is not a host control domain)
        assertThat(s.m(u).shadowApcb.adm()).isEqualTo(org.apsysfs.hardware.ApMask.of(4, 0x54));
        s.ok(p + "unassign_control_domain", "0");
        s.ok(p + "unassign_control_domain", "4");
        assertThat(s.read(p + "control_domains")).isEqualTo("0054\n");
        assertThat(s.read(p + "matrix")).isEmpty();
    }

    // ------------------------------------------------------------------ ap_config

    @Test
    void apConfigReadsAsThreeFullWidthMasks() {
        assertThat(s.read(p + "ap_config")).isEqualTo(apConfig(mask(), mask(), mask())).hasSize(201);
        s.freeAdapters(5);
        s.ok(p + "assign_adapter", "5");
        s.ok(p + "assign_domain", "4");
        s.ok(p + "assign_domain", "0x54");
        s.ok(p + "assign_control_domain", "1");
        assertThat(s.read(p + "ap_config")).isEqualTo(
                "0x0400000000000000000000000000000000000000000000000000000000000000,"
                        + "0x0800000000000000000008000000000000000000000000000000000000000000,"
                        + "0x4000000000000000000000000000000000000000000000000000000000000000\n");
        // writing back what was read changes nothing and succeeds
        String before = s.state(u);
        s.ok(p + "ap_config", s.read(p + "ap_config"));
        assertThat(s.state(u)).isEqualTo(before);
    }

    @Test
    void apConfigParseErrorsAreEinvalAndChangeNothing() {
        s.freeAdapters(5);
        s.ok(p + "assign_adapter", "5");
        s.ok(p + "assign_domain", "4");
        String before = s.state(u);
        String a = mask(5);
        String q = mask(4);
        for (String bad : new String[] {
            "\n", a, a + "," + q, a + ";" + q + ";" + q, "0x" + "0".repeat(65) + "," + q + "," + q,
            a + "," + q + "," + "0x" + "1".repeat(65), "0xg," + q + "," + q, a + ", " + q + "," + q,
            a + "," + q + ",0x12 ", "+5," + q + "," + q, "-5,,"}) {
            assertThat(s.write(p + "ap_config", bad)).as("'%s'", bad).isEqualTo(Errno.EINVAL);
        }
        assertThat(s.state(u)).isEqualTo(before);
        // empty tokens are all-zero masks; a trailing newline makes the third token
        s.ok(p + "ap_config", ",,");
        assertThat(s.read(p + "matrix")).isEmpty();
        s.ok(p + "ap_config", a + "," + q + "\n");
        assertThat(s.read(p + "matrix")).isEqualTo("05.0004\n");
        // short hex is left-aligned; 'x' alone or without 0 is accepted; anything after the third token is ignored
        s.ok(p + "ap_config", "04,x08,0x4," + "garbage, more");
        assertThat(s.read(p + "matrix")).isEqualTo("05.0004\n");
        assertThat(s.read(p + "control_domains")).isEqualTo("0001\n");
    }

    @Test
    void apConfigValidationOrderReservedThenSharedThenRange() {
        s.freeAdapters(5, 6);
        String v = s.create();
        s.ok(s.mdev(v) + "ap_config", apConfig(mask(6), mask(4), mask()));
        String before = s.state(u);
        // reserved (04.0004) and shared (06.0004) and out of range (domain 0x60): EADDRNOTAVAIL first
        s.fails(p + "ap_config", apConfig(mask(4, 6), mask(4, 0x60), mask()), Errno.EADDRNOTAVAIL);
        // shared and out of range: EADDRINUSE
        s.fails(p + "ap_config", apConfig(mask(6), mask(4, 0x60), mask()), Errno.EADDRINUSE);
        // only out of range, in any of the three masks: ENODEV
        s.fails(p + "ap_config", apConfig(mask(5), mask(4, 0x60), mask()), Errno.ENODEV);
        s.fails(p + "ap_config", apConfig(mask(5), mask(4), mask(0x55)), Errno.ENODEV);
        s.fails(p + "ap_config", apConfig(mask(5), mask(4), mask(255)), Errno.ENODEV);
        assertThat(s.state(u)).isEqualTo(before);
        s.ok(p + "ap_config", apConfig(mask(5), mask(4, 5, 0x47, 0x54), mask(0, 84)));
        assertThat(s.read(p + "matrix")).isEqualTo("05.0004\n05.0005\n05.0047\n05.0054\n");
        assertThat(s.read(p + "control_domains")).isEqualTo("0000\n0054\n");
        // a failed write after a good one leaves the good one
        before = s.state(u);
        s.fails(p + "ap_config", apConfig(mask(5, 6), mask(4), mask()), Errno.EADDRINUSE);
        s.fails(p + "ap_config", apConfig(mask(4), mask(4), mask()), Errno.EADDRNOTAVAIL);
        assertThat(s.state(u)).isEqualTo(before);
    }
}
