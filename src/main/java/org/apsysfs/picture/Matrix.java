package org.apsysfs.picture;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Who owns every APQN of a system, read from its sysfs files: one {@link Cell} per adapter ×
 * usage domain, one {@link ControlCell} per domain for the control domains, the mdevs, and why
 * each assigned adapter that is not in a guest's {@code guest_matrix} was left out.
 *
 * <p>The reasons follow {@code vfio_ap_mdev_filter_matrix} (drivers/s390/crypto/vfio_ap_ops.c):
 * the shadow APCB is the assignment intersected with the host's AP configuration (what QCI
 * reports, shown in {@code ap_adapter_mask}/{@code ap_usage_domain_mask}); then an adapter is
 * dropped if any of its APQNs over the shadow's domains is not a queue bound to vfio_ap (the
 * architecture cannot mask single APQNs). Domains are never dropped for binding reasons. Whether
 * a queue is in the guest is taken from {@code guest_matrix} itself (so the picture always agrees
 * with it); an adapter left out although the rule would keep it is shown as not re-filtered
 * (unassign and queue removal only subtract, vfio_ap re-filters on the next assign or probe).
 */
public final class Matrix {
    /** What an APQN is used for. */
    public enum Kind {
        /** no queue device: the adapter or the domain is not in the host's AP configuration */
        NOT_CONFIGURED("-", "not in the host configuration"),
        /** bound to a host (zcrypt) driver, cex4queue */
        HOST("H", "host driver (cex4queue)"),
        /** reserved for the host drivers by apmask and aqmask but bound to no driver */
        HOST_UNBOUND("h", "reserved for the host, unbound"),
        /** bound to vfio_ap, assigned to no mdev */
        FREE("f", "free for vfio_ap (bound to vfio_ap, unassigned)"),
        /** not reserved for the host and bound to no driver */
        FREE_UNBOUND("u", "free for vfio_ap (unbound)"),
        /** assigned to mdev N and in its guest_matrix, no guest */
        ASSIGNED("N", "assigned to mdev N (in its guest_matrix)"),
        /** assigned to mdev N, in its guest_matrix, and the mdev is open by a guest */
        GUEST("NG", "given to mdev N's guest"),
        /** assigned to mdev N but not in its guest_matrix */
        FILTERED("Nx", "assigned to mdev N, filtered: this queue (see below)");

        private final String symbol;
        private final String meaning;

        Kind(String symbol, String meaning) {
            this.symbol = symbol;
            this.meaning = meaning;
        }

        public String symbol() {
            return symbol;
        }

        public String meaning() {
            return meaning;
        }
    }

    /** Why an assigned APQN is not in the guest (only for {@link Kind#FILTERED}). */
    public enum Why {
        /** this queue is not bound to vfio_ap (or has no device) */
        QUEUE("x", "filtered: this queue is not bound to vfio_ap"),
        /** another queue of the adapter is not bound to vfio_ap: the whole adapter goes */
        ADAPTER_RULE("!", "filtered with its adapter: another of its queues is not (adapter rule)"),
        /** the adapter or the domain is not in the host configuration */
        NOT_CONFIGURED("-", "not in the host configuration"),
        /** the rule would keep it, but vfio_ap has not filtered again since a removal */
        NOT_REFILTERED("?", "left out, not re-filtered since a removal");

        private final String symbol;
        private final String meaning;

        Why(String symbol, String meaning) {
            this.symbol = symbol;
            this.meaning = meaning;
        }

        public String symbol() {
            return symbol;
        }

        public String meaning() {
            return meaning;
        }
    }

    /**
     * One APQN. {@code mdev} is the number of the mdev it is assigned to (0: none); {@code why}
     * is set for {@link Kind#FILTERED}; {@code marks} holds {@code ~} (offline), {@code %}
     * (configured off), {@code #} (check-stopped).
     */
    public record Cell(int adapter, int domain, Kind kind, int mdev, Why why, String marks, String detail) {
        /** The short text of the cell, e.g. {@code H}, {@code 1G}, {@code 1x#}. */
        public String symbol() {
            String s = switch (kind) {
                case ASSIGNED -> Integer.toString(mdev);
                case GUEST -> mdev + "G";
                case FILTERED -> mdev + why.symbol();
                default -> kind.symbol();
            };
            return s + marks;
        }

        public String apqn() {
            return String.format("%02x.%04x", adapter, domain);
        }
    }

    /** A domain as a control domain: the mdevs that assigned it and whether the host has it. */
    public record ControlCell(int domain, boolean inHost, List<Integer> mdevs) {
        public String symbol() {
            if (mdevs.isEmpty()) {
                return inHost ? "c" : "-";
            }
            StringBuilder sb = new StringBuilder();
            for (int m : mdevs) {
                sb.append(m);
            }
            return inHost ? sb.toString() : sb + "-";
        }
    }

    /** A card (adapter) row: its type and marks. */
    public record Adapter(int id, String type, String marks) { }

    /**
     * An mdev: its number in the picture, UUID, the guest that has it open (name from the
     * simulator's debugfs when present, else {@code "a guest"} when a queue's {@code status}
     * says {@code in use}, else null), and the masks read from {@code matrix}/{@code ap_config}.
     */
    public record Mdev(int number, String uuid, String guest, BitSet apm, BitSet aqm, BitSet adm,
            BitSet guestApm, BitSet guestAqm, Source source) { }

    /**
     * Where an mdev's assignment and guest come from. A sysfs show fills one page and
     * sysfs_kf_seq_show (fs/sysfs/file.c) cuts a longer answer to its first 4095 bytes, so
     * {@code matrix} and {@code guest_matrix} of a large mdev are cut short (lines of 8
     * bytes: a whole list never has 4095 bytes).
     */
    public enum Source {
        /** the assignment from ap_config or the whole matrix, the guest from the whole guest_matrix */
        FILES,
        /**
         * guest_matrix is cut or absent: the guest is computed from the assignment, the
         * bindings and the host configuration by vfio_ap_mdev_filter_matrix's rule (an adapter
         * vfio_ap has not filtered again since a removal cannot be seen)
         */
        GUEST_COMPUTED,
        /** matrix is cut and there is no ap_config: the assignment is the cut list's whole lines */
        MATRIX_CUT
    }

    /** The length sysfs cuts a show's answer to (PAGE_SIZE - 1). */
    static final int SYSFS_CUT = 4095;

    /** True if {@code text} is a show's answer cut by sysfs: 4095 bytes or more and no final newline. */
    static boolean cut(String text) {
        return text.length() >= SYSFS_CUT && !text.endsWith("\n");
    }

    /** Why mdev {@code mdev}'s adapter {@code adapter} is not in its guest, in words. */
    public record Note(int mdev, int adapter, Why why, String text) { }

    private static final Pattern CARD = Pattern.compile("card[0-9a-f]{2}");
    private static final Pattern QUEUE = Pattern.compile("[0-9a-f]{2}\\.[0-9a-f]{4}");
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    static final String GUESTS = "kernel/debug/apsysfs/guests";
    static final String WHOLE_MATRIX = "kernel/debug/apsysfs/whole_matrix";
    private static final String M_DIR = "devices/vfio_ap/matrix/";
    /** Up to this many queues, each queue's online, config and chkstop are read. */
    static final int PER_QUEUE_LIMIT = 4096;

    private final String where;
    private final List<Adapter> adapters;
    private final List<Integer> domains;
    private final Map<Integer, Cell> cells;
    private final List<ControlCell> control;
    private final List<Mdev> mdevs;
    private final List<Note> notes;
    private final List<String> caveats;

    private Matrix(String where, List<Adapter> adapters, List<Integer> domains, Map<Integer, Cell> cells,
            List<ControlCell> control, List<Mdev> mdevs, List<Note> notes, List<String> caveats) {
        this.caveats = caveats;
        this.where = where;
        this.adapters = adapters;
        this.domains = domains;
        this.cells = cells;
        this.control = control;
        this.mdevs = mdevs;
        this.notes = notes;
    }

    public String where() {
        return where;
    }

    /** The rows: every adapter in the host configuration, with a card device or assigned. */
    public List<Adapter> adapters() {
        return adapters;
    }

    /** The columns: every usage or control domain in the host configuration, with a queue or assigned. */
    public List<Integer> domains() {
        return domains;
    }

    public Cell cell(int adapter, int domain) {
        return cells.get(adapter << 16 | domain);
    }

    public List<ControlCell> control() {
        return control;
    }

    public List<Mdev> mdevs() {
        return mdevs;
    }

    public List<Note> notes() {
        return notes;
    }

    /**
     * What the picture could not read as the kernel shows it, in words: one line per mdev whose
     * {@code matrix} or {@code guest_matrix} was cut by sysfs ({@link Source}).
     */
    public List<String> caveats() {
        return caveats;
    }

    /** Every cell, row by row. */
    public List<Cell> cells() {
        return new ArrayList<>(cells.values());
    }

    // ------------------------------------------------------------------ reading

    private record Queue(String driver, String online, String config, String chkstop, String status) { }

    /** Reads the picture of the tree {@code v}. */
    public static Matrix read(SysfsView v) {
        BitSet qciApm = mask(v, "bus/ap/ap_adapter_mask");
        BitSet qciAqm = mask(v, "bus/ap/ap_usage_domain_mask");
        BitSet qciAdm = mask(v, "bus/ap/ap_control_domain_mask");
        BitSet apmask = mask(v, "bus/ap/apmask");
        BitSet aqmask = mask(v, "bus/ap/aqmask");

        // the mdevs first: a queue's status is read only where it can say "in use"
        List<Mdev> mdevs = readMdevs(v);
        Map<Integer, Adapter> cards = new LinkedHashMap<>();
        Map<Integer, Queue> queues = new LinkedHashMap<>();
        Map<String, List<String>> cardQueues = new LinkedHashMap<>();
        int nqueues = 0;
        for (String c : v.list("devices/ap")) {
            if (CARD.matcher(c).matches()) {
                List<String> qs = new ArrayList<>();
                for (String q : v.list("devices/ap/" + c)) {
                    if (QUEUE.matcher(q).matches()) {
                        qs.add(q);
                    }
                }
                cardQueues.put(c, qs);
                nqueues += qs.size();
            }
        }
        // On a large machine only the driver links are read per queue (online, config and
        // chkstop come from the card, which the queues follow unless set one by one).
        boolean perQueue = nqueues <= PER_QUEUE_LIMIT;
        for (var e : cardQueues.entrySet()) {
            String dir = "devices/ap/" + e.getKey();
            int id = Integer.parseInt(e.getKey().substring(4), 16);
            String type = line(v, dir + "/type").orElse("?");
            Optional<String> config = line(v, dir + "/config");
            Optional<String> chkstop = line(v, dir + "/chkstop");
            cards.put(id, new Adapter(id, type, marks(line(v, dir + "/online"), config, chkstop)));
            for (String q : e.getValue()) {
                String qd = dir + "/" + q;
                int a = Integer.parseInt(q.substring(0, 2), 16);
                int d = Integer.parseInt(q.substring(3), 16);
                String drv = v.readlink(qd + "/driver").map(t -> t.substring(t.lastIndexOf('/') + 1)).orElse(null);
                boolean zcrypt = drv != null && !drv.equals("vfio_ap");
                String status = null;
                if ("vfio_ap".equals(drv) && owner(mdevs, a, d) != null) {
                    status = line(v, qd + "/status").orElse(null);
                }
                queues.put(apqn(a, d), new Queue(drv,
                        zcrypt && perQueue ? line(v, qd + "/online").orElse(null) : null,
                        perQueue ? line(v, qd + "/config").orElse(null) : config.orElse(null),
                        perQueue ? line(v, qd + "/chkstop").orElse(null) : chkstop.orElse(null), status));
            }
        }
        Map<String, String> guestOf = guests(v);
        for (int i = 0; i < mdevs.size(); i++) {
            Mdev m = mdevs.get(i);
            String guest = guestOf.get(m.uuid());
            if (guest == null && inUse(m.apm(), m.aqm(), queues)) {
                guest = "a guest";
            }
            mdevs.set(i, new Mdev(m.number(), m.uuid(), guest, m.apm(), m.aqm(), m.adm(), m.guestApm(), m.guestAqm(),
                    m.source()));
        }

        TreeSet<Integer> rows = new TreeSet<>();
        TreeSet<Integer> cols = new TreeSet<>();
        qciApm.stream().forEach(rows::add);
        qciAqm.stream().forEach(cols::add);
        qciAdm.stream().forEach(cols::add);
        rows.addAll(cards.keySet());
        for (int q : queues.keySet()) {
            cols.add(q & 0xffff);
        }
        for (Mdev m : mdevs) {
            m.apm().stream().forEach(rows::add);
            m.aqm().stream().forEach(cols::add);
            m.adm().stream().forEach(cols::add);
        }
        boolean haveQci = !qciApm.isEmpty() || !qciAqm.isEmpty();

        // The rule of vfio_ap_mdev_filter_matrix, per mdev and assigned adapter.
        List<Note> notes = new ArrayList<>();
        Map<Integer, Why> adapterWhy = new LinkedHashMap<>(); // key: mdev << 8 | adapter
        Map<Integer, Integer> culprits = new LinkedHashMap<>(); // key: mdev << 24 | apqn
        for (Mdev m : mdevs) {
            BitSet shadowAqm = (BitSet) m.aqm().clone();
            if (haveQci) {
                shadowAqm.and(qciAqm);
            }
            for (int a = m.apm().nextSetBit(0); a >= 0; a = m.apm().nextSetBit(a + 1)) {
                boolean computed = m.guestApm() == null;
                boolean inGuest = computed || m.guestApm().get(a);
                String reason = null;
                Why why = null;
                if (haveQci && !qciApm.get(a)) {
                    why = Why.NOT_CONFIGURED;
                    reason = "not in the host configuration (ap_adapter_mask)";
                } else {
                    List<String> bad = new ArrayList<>();
                    for (int d = shadowAqm.nextSetBit(0); d >= 0; d = shadowAqm.nextSetBit(d + 1)) {
                        Queue q = queues.get(apqn(a, d));
                        if (q == null || !"vfio_ap".equals(q.driver())) {
                            culprits.put(m.number() << 24 | apqn(a, d), 1);
                            bad.add(String.format("%02x.%04x %s", a, d, q == null ? "has no queue device"
                                    : q.driver() == null ? "is unbound" : "is bound to " + q.driver()));
                        }
                    }
                    if (!bad.isEmpty()) {
                        why = Why.ADAPTER_RULE;
                        reason = String.join(", ", bad) + ": vfio_ap_mdev_filter_matrix drops an adapter if any of"
                                + " its assigned queues is not bound to vfio_ap";
                    }
                }
                if (computed) {
                    // no whole guest_matrix: the rule decides (vfio_ap_mdev_filter_matrix)
                    inGuest = reason == null;
                }
                if (inGuest && reason != null && !computed) {
                    notes.add(new Note(m.number(), a, null, String.format(
                            "adapter %02x is in guest_matrix although %s (vfio_ap has not filtered since)", a, reason)));
                } else if (!inGuest) {
                    if (reason == null) { // only with a whole guest_matrix
                        why = Why.NOT_REFILTERED;
                        reason = "every assigned queue is bound to vfio_ap, but vfio_ap has not filtered again since"
                                + " a removal (unassign and unbind only take away; the next assign or queue probe"
                                + " filters again)";
                    }
                    adapterWhy.put(m.number() << 8 | a, why);
                    notes.add(new Note(m.number(), a, why, String.format("adapter %02x: %s", a, reason)));
                }
            }
        }

        List<Adapter> adapterRows = new ArrayList<>();
        Map<Integer, Cell> cells = new LinkedHashMap<>();
        for (int a : rows) {
            Adapter card = cards.getOrDefault(a, new Adapter(a, qciApm.get(a) ? "?" : "", ""));
            adapterRows.add(card);
            for (int d : cols) {
                Queue q = queues.get(apqn(a, d));
                Mdev owner = owner(mdevs, a, d);
                String marks = q == null ? "" : marks(Optional.ofNullable(q.online()), Optional.ofNullable(q.config()),
                        Optional.ofNullable(q.chkstop()));
                Kind kind;
                Why why = null;
                String detail;
                if (owner != null) {
                    boolean inGuest = owner.guestApm() != null
                            ? owner.guestApm().get(a) && owner.guestAqm().get(d)
                            : !adapterWhy.containsKey(owner.number() << 8 | a) && (!haveQci || qciAqm.get(d));
                    if (inGuest) {
                        kind = owner.guest() != null ? Kind.GUEST : Kind.ASSIGNED;
                        detail = owner.guest() != null ? "given to " + owner.guest() + " (mdev " + owner.number() + ")"
                                : "assigned to mdev " + owner.number();
                    } else {
                        kind = Kind.FILTERED;
                        Why aw = adapterWhy.get(owner.number() << 8 | a);
                        if (haveQci && (!qciAqm.get(d) || !qciApm.get(a))) {
                            why = Why.NOT_CONFIGURED;
                            detail = "assigned to mdev " + owner.number() + ", not in the host configuration";
                        } else if (culprits.containsKey(owner.number() << 24 | apqn(a, d))) {
                            why = Why.QUEUE;
                            detail = "assigned to mdev " + owner.number() + ", " + (q == null ? "no queue device"
                                    : q.driver() == null ? "unbound" : "bound to " + q.driver()) + ": adapter filtered";
                        } else if (aw == Why.ADAPTER_RULE) {
                            why = Why.ADAPTER_RULE;
                            detail = "assigned to mdev " + owner.number() + ", filtered with its adapter";
                        } else {
                            why = Why.NOT_REFILTERED;
                            detail = "assigned to mdev " + owner.number() + ", not in guest_matrix (not re-filtered)";
                        }
                    }
                } else if (q == null) {
                    kind = Kind.NOT_CONFIGURED;
                    detail = "no queue: not in the host configuration";
                } else if (q.driver() == null) {
                    boolean reserved = apmask.get(a) && aqmask.get(d);
                    kind = reserved ? Kind.HOST_UNBOUND : Kind.FREE_UNBOUND;
                    detail = reserved ? "reserved for the host (apmask, aqmask), unbound" : "free for vfio_ap, unbound";
                } else if (q.driver().equals("vfio_ap")) {
                    kind = Kind.FREE;
                    detail = "bound to vfio_ap, unassigned";
                } else {
                    kind = Kind.HOST;
                    detail = "bound to " + q.driver();
                }
                cells.put(apqn(a, d), new Cell(a, d, kind, owner == null ? 0 : owner.number(), why, marks, detail));
            }
        }
        List<ControlCell> control = new ArrayList<>();
        for (int d : cols) {
            List<Integer> owners = new ArrayList<>();
            for (Mdev m : mdevs) {
                if (m.adm().get(d)) {
                    owners.add(m.number());
                }
            }
            control.add(new ControlCell(d, !haveQci || qciAdm.get(d), owners));
        }
        List<String> caveats = new ArrayList<>();
        // the simulator's switch (debugfs) that serves both lists whole; absent on a real system
        String hint = v.read(WHOLE_MATRIX).isPresent() ? "; " + WHOLE_MATRIX + " 1 serves the whole list" : "";
        for (Mdev m : mdevs) {
            switch (m.source()) {
                case GUEST_COMPUTED -> caveats.add(String.format("mdev %d: guest_matrix %s, so its guest is computed "
                        + "from the assignment (ap_config), the bindings and the host configuration by the rule of "
                        + "vfio_ap_mdev_filter_matrix (an adapter not re-filtered since a removal is not seen)%s",
                        m.number(), v.read(M_DIR + m.uuid() + "/guest_matrix").isPresent()
                                ? "is cut at 4095 bytes (one sysfs page)" : "is missing", hint));
                case MATRIX_CUT -> caveats.add(String.format("mdev %d: matrix is cut at 4095 bytes (one sysfs page) and "
                        + "there is no ap_config: the assignment shown is the list's whole lines, the guest is "
                        + "computed by the rule of vfio_ap_mdev_filter_matrix%s", m.number(), hint));
                default -> { }
            }
        }
        return new Matrix(v.describe(), adapterRows, new ArrayList<>(cols), cells, control, mdevs, notes, caveats);
    }

    /** The mdevs of the matrix device, numbered from 1 in name order; no guests yet. */
    private static List<Mdev> readMdevs(SysfsView v) {
        List<Mdev> mdevs = new ArrayList<>();
        for (String u : v.list("devices/vfio_ap/matrix")) {
            String dir = "devices/vfio_ap/matrix/" + u;
            Optional<String> matrix = v.read(dir + "/matrix");
            if (!UUID.matcher(u).matches() || matrix.isEmpty()) {
                continue;
            }
            BitSet apm = new BitSet();
            BitSet aqm = new BitSet();
            Optional<String> apConfig = line(v, dir + "/ap_config");
            BitSet adm;
            Source source = Source.FILES;
            if (apConfig.isPresent() && apConfig.get().split(",").length == 3) {
                // ap_config (201 bytes) holds the whole assignment, also where matrix is cut
                String[] m = apConfig.get().split(",");
                apm = parseMask(m[0]);
                aqm = parseMask(m[1]);
                adm = parseMask(m[2]);
            } else {
                if (cut(matrix.get())) {
                    source = Source.MATRIX_CUT;
                }
                parseApqns(matrix.get(), apm, aqm);
                adm = new BitSet();
                for (String l : v.read(dir + "/control_domains").orElse("").split("\n")) {
                    if (!l.isBlank()) {
                        adm.set(Integer.parseInt(l.strip(), 16));
                    }
                }
            }
            BitSet gApm = null;
            BitSet gAqm = null;
            Optional<String> gm = v.read(dir + "/guest_matrix");
            if (gm.isPresent() && !cut(gm.get())) {
                gApm = new BitSet();
                gAqm = new BitSet();
                parseApqns(gm.get(), gApm, gAqm);
            } else if (source == Source.FILES) {
                source = Source.GUEST_COMPUTED;
            }
            mdevs.add(new Mdev(mdevs.size() + 1, u, null, apm, aqm, adm, gApm, gAqm, source));
        }

        return mdevs;
    }

    private static Mdev owner(List<Mdev> mdevs, int a, int d) {
        for (Mdev m : mdevs) {
            if (m.apm().get(a) && m.aqm().get(d)) {
                return m;
            }
        }
        return null;
    }

    /** The kernel's status_show (vfio_ap_drv.c) says "in use" for a queue in the shadow of an mdev with a KVM. */
    private static boolean inUse(BitSet apm, BitSet aqm, Map<Integer, Queue> queues) {
        for (var e : queues.entrySet()) {
            int a = e.getKey() >>> 16;
            int d = e.getKey() & 0xffff;
            if (apm.get(a) && aqm.get(d) && "in use".equals(e.getValue().status())) {
                return true;
            }
        }
        return false;
    }

    /** The simulator's guests (debugfs), uuid to guest name; empty on a real system. */
    private static Map<String, String> guests(SysfsView v) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String g : v.list(GUESTS)) {
            for (String l : v.read(GUESTS + "/" + g + "/status").orElse("").split("\n")) {
                if (l.startsWith("mdev: ") && UUID.matcher(l.substring(6).strip()).matches()) {
                    out.put(l.substring(6).strip(), g);
                }
            }
        }
        return out;
    }

    private static String marks(Optional<String> online, Optional<String> config, Optional<String> chkstop) {
        StringBuilder sb = new StringBuilder();
        if (online.filter("0"::equals).isPresent()) {
            sb.append('~');
        }
        if (config.filter("0"::equals).isPresent()) {
            sb.append('%');
        }
        if (chkstop.filter("1"::equals).isPresent()) {
            sb.append('#');
        }
        return sb.toString();
    }

    private static Optional<String> line(SysfsView v, String path) {
        return v.read(path).map(String::strip);
    }

    private static int apqn(int adapter, int domain) {
        return adapter << 16 | domain;
    }

    private static BitSet mask(SysfsView v, String path) {
        return line(v, path).map(Matrix::parseMask).orElseGet(BitSet::new);
    }

    /** A sysfs mask, {@code 0x} and 64 hex digits, bit 0 leftmost (the AP masks' inverted bit order). */
    static BitSet parseMask(String s) {
        BitSet b = new BitSet();
        String h = s.strip();
        if (h.startsWith("0x")) {
            h = h.substring(2);
        }
        for (int i = 0; i < h.length(); i++) {
            int nib = Character.digit(h.charAt(i), 16);
            if (nib < 0) {
                return new BitSet();
            }
            for (int k = 0; k < 4; k++) {
                if ((nib & (8 >> k)) != 0) {
                    b.set(i * 4 + k);
                }
            }
        }
        return b;
    }

    /** The lines of matrix_show/guest_matrix_show: {@code AA.DDDD}, {@code AA.} or {@code .DDDD}. */
    static void parseApqns(String text, BitSet apm, BitSet aqm) {
        // a cut list ends in part of a line: only whole lines count
        String whole = cut(text) ? text.substring(0, text.lastIndexOf('\n') + 1) : text;
        for (String l : whole.split("\n")) {
            int dot = l.indexOf('.');
            if (dot < 0) {
                continue;
            }
            String a = l.substring(0, dot).strip();
            String d = l.substring(dot + 1).strip();
            try {
                if (!a.isEmpty()) {
                    apm.set(Integer.parseInt(a, 16));
                }
                if (!d.isEmpty()) {
                    aqm.set(Integer.parseInt(d, 16));
                }
            } catch (NumberFormatException e) {
                // not a line of the format; ignore it
            }
        }
    }
}
