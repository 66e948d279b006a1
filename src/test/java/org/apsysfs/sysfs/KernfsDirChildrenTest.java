package org.apsysfs.sysfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.apsysfs.kernel.KernelLog;
import org.apsysfs.kernel.ManualClock;
import org.junit.jupiter.api.Test;

/**
 * A directory's children (kept in a sorted array with removed entries left in place until
 * compaction) behave like a sorted map, whatever the order of additions and removals: in
 * order (a bus scan, a driver binding a range), in reverse, at random, with names coming back.
 */
class KernfsDirChildrenTest {
    final ManualClock clock = new ManualClock();
    final Kernfs fs = new Kernfs(clock, new KernelLog(clock));

    static String name(int i) {
        return String.format("%02x.%04x", i >> 8, i & 0xff);
    }

    /** Applies random operations to a directory and a TreeMap and compares them after each. */
    void compare(KernfsDir d, TreeMap<String, KernfsNode> model, Random r, int ops, int space, int order) {
        KernfsDir target = fs.root().mkdir("t" + order + "-" + r.nextInt(1_000_000));
        for (int op = 0; op < ops; op++) {
            int i = switch (order) {
                case 0 -> op % space; // ascending, wrapping: add all, then remove all in order
                case 1 -> space - 1 - (op % space); // descending
                default -> r.nextInt(space);
            };
            String n = name(i);
            if (model.containsKey(n)) {
                assertThat(d.removeChild(n)).isTrue();
                model.remove(n);
                assertThat(d.removeChild(n)).isFalse();
            } else if (r.nextBoolean()) {
                model.put(n, d.mkdir(n));
            } else {
                model.put(n, d.symlink(n, target));
            }
            if (op % 97 == 0 || ops < 2000) {
                check(d, model, r, space);
            }
        }
        check(d, model, r, space);
    }

    void check(KernfsDir d, TreeMap<String, KernfsNode> model, Random r, int space) {
        assertThat(d.list()).containsExactlyElementsOf(new ArrayList<>(model.keySet()));
        assertThat(d.size()).isEqualTo(model.size());
        assertThat(d.subdirCount()).isEqualTo((int) model.values().stream().filter(n -> n instanceof KernfsDir).count());
        for (int k = 0; k < 20; k++) {
            String n = name(r.nextInt(space));
            assertThat(d.child(n)).as(n).isSameAs(model.get(n));
            assertThat(fs.lookup(d.path() + "/" + n)).as(n).isSameAs(model.get(n));
        }
        for (KernfsNode n : model.values()) {
            assertThat(n.active()).isTrue();
        }
    }

    @Test
    void inOrderReverseAndRandom() {
        Random r = new Random(42);
        for (int order = 0; order < 3; order++) {
            for (int space : new int[] {1, 3, 17, 300, 3000}) {
                KernfsDir d = fs.root().mkdir("d" + order + "-" + space);
                compare(d, new TreeMap<>(), r, space * 5, space, order);
            }
        }
    }

    @Test
    void removedNodesAreInactiveAndNamesCanBeReused() {
        KernfsDir d = fs.root().mkdir("d");
        List<KernfsNode> old = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            old.add(d.mkdir(name(i)));
        }
        for (int i = 0; i < 500; i++) {
            d.removeChild(name(i));
        }
        assertThat(old).allSatisfy(n -> assertThat(n.active()).isFalse());
        assertThat(d.list()).isEmpty();
        assertThat(d.subdirCount()).isZero();
        KernfsDir again = d.mkdir(name(7));
        assertThat(d.child(name(7))).isSameAs(again);
        assertThat(d.list()).containsExactly(name(7));
        assertThatThrownBy(() -> d.mkdir(name(7))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("duplicate filename");
    }

    @Test
    void attributesAndChildrenShareOneNamespace() {
        KernfsDir d = fs.root().mkdir("d");
        AttributeGroup<Object> g = AttributeGroup.of(Attribute.ro("00.0003", o -> "x\n"));
        d.mkdir(name(1));
        d.addGroup(g, new Object());
        assertThatThrownBy(() -> d.mkdir(name(3))).isInstanceOf(IllegalStateException.class);
        d.removeGroup(g);
        d.mkdir(name(3));
        assertThatThrownBy(() -> d.addGroup(g, new Object())).isInstanceOf(IllegalStateException.class);
        assertThat(d.list()).containsExactly(name(1), name(3));
    }
}
