package org.apsysfs.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import org.apsysfs.Daemon;
import org.apsysfs.base.Device;
import org.apsysfs.bus.ApBus;
import org.apsysfs.bus.ApCard;
import org.apsysfs.bus.ApQueue;
import org.apsysfs.hardware.ApHardware;
import org.apsysfs.hardware.ApMask;
import org.apsysfs.hardware.Apqn;
import org.apsysfs.hardware.MachineSpec;
import org.apsysfs.hardware.MachineSpecException;
import org.apsysfs.kernel.Clock;
import org.apsysfs.kvm.Kvm;
import org.apsysfs.sysfs.SysfsPaths;
import org.apsysfs.vfio_ap.MatrixMdev;
import org.apsysfs.zcrypt.Cex4Drivers;

/**
 * The saved-state format (docs/state-format.md): what {@link #dump} writes and
 * {@link #restore} boots a system from.
 *
 * <p>A dump holds what a user or operator can change and a reboot would not bring back: the
 * machine as it is now (a machine file), adapters taken out of the host configuration, the
 * AP bus files, every device whose binding, {@code driver_override} or {@code online} differs
 * from what the bus gives a new device, the mdevs with their assignments, the guests with the
 * mdev they have open and their interrupt registrations, and the injected faults. A restore
 * boots the machine and replays the writes that make the rest, through the same stores a user
 * writes to, so a state that the stores refuse is refused as a whole.
 *
 * <p>Not saved (as after a reboot): counters, the kernel log and uevents, resets in progress,
 * permission and time changes made with chmod/chown/touch, the guests' last PQAP results.
 */
public final class StateFormat {
    public static final String FORMAT = "apsysfs-state";
    public static final int VERSION = 1;

    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final String CREATE = "/" + SysfsPaths.MDEV_CREATE;
    private static final String MATRIX = "/" + SysfsPaths.MATRIX;
    private static final String CONTROL = "/" + SysfsPaths.DEBUG;
    private static final String[] BUS_FILES = {"ap_domain", "config_time", "poll_thread", "poll_timeout"};
    private static final String[] AUTOPROBE_BUSES = {"ap", "mdev", "matrix"};

    private StateFormat() {
    }

    // ------------------------------------------------------------------ dump

    /** The state of {@code d} as a document. */
    public static ObjectNode dump(Daemon d) {
        SysfsIo io = new SysfsIo(d.kernel().sysfs());
        ApHardware hw = d.hardware();
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        root.set("machine", hw.currentSpec().toJson());

        ObjectNode host = root.putObject("host");
        host.set("adaptersOutOfConfig", adapterIds(hw.adaptersOutOfConfig()));

        ObjectNode bus = root.putObject("bus");
        // the masks from the model, not their files: apmask_show takes ap_attr_mutex, which a
        // store may hold for as long as the kernel's would (an assignment whose queue reset
        // does not end)
        bus.put("apmask", d.apBus().apmask().format());
        bus.put("aqmask", d.apBus().aqmask().format());
        for (String f : BUS_FILES) {
            bus.put(f, io.read("/bus/ap/" + f));
        }
        ObjectNode probe = bus.putObject("drivers_autoprobe");
        for (String b : AUTOPROBE_BUSES) {
            String p = "/bus/" + b + "/drivers_autoprobe";
            if (io.exists(p)) {
                probe.put(b, io.read(p));
            }
        }

        ObjectNode devices = root.putObject("devices");
        ApBus apBus = d.apBus();
        for (Device dev : apBus.devices()) {
            ObjectNode e = MAPPER.createObjectNode();
            String expected;
            Boolean online;
            if (dev instanceof ApQueue q) {
                String ov = q.driverOverride();
                if (ov != null) {
                    e.put("driver_override", ov);
                }
                expected = ov != null ? ov : apBus.reservedForDefault(q.apid(), q.domain()) ? "cex4queue" : "vfio_ap";
                online = Cex4Drivers.onlineFlag(q);
            } else if (dev instanceof ApCard c) {
                expected = "cex4card";
                online = Cex4Drivers.onlineFlag(c);
            } else {
                continue;
            }
            String actual = dev.driver() == null ? null : dev.driver().name();
            if (!Objects.equals(actual, expected)) {
                e.put("driver", actual);
            }
            if (online != null && !online) {
                e.put("online", false);
            }
            if (!e.isEmpty()) {
                devices.set(dev.name(), e);
            }
        }

        ArrayNode mdevs = root.putArray("mdevs");
        Map<Kvm, MatrixMdev> openBy = new LinkedHashMap<>();
        // a guest without a CRYCB may have several vfio_ap mdevs open (vfio_ap_mdev_set_kvm)
        Map<Kvm, java.util.List<MatrixMdev>> alsoOpenBy = new LinkedHashMap<>();
        for (MatrixMdev m : d.vfioAp().matrixDev().mdevs()) {
            ObjectNode o = mdevs.addObject();
            o.put("uuid", m.name());
            o.put("type", "vfio_ap-passthrough");
            // from the model, not the tree: an mdev being removed has no files any more
            MatrixMdev.Assignments c = m.assignments();
            o.set("adapters", adapterIds(c.adapters()));
            o.set("domains", domainIds(c.domains()));
            o.set("control_domains", domainIds(c.controlDomains()));
            Kvm k = m.vfioDevice().openKvm();
            if (k != null && openBy.putIfAbsent(k, m) != null) {
                alsoOpenBy.computeIfAbsent(k, x -> new java.util.ArrayList<>()).add(m);
            }
        }

        ArrayNode guests = root.putArray("guests");
        for (Kvm k : d.guests().all()) {
            ObjectNode g = guests.addObject();
            g.put("name", k.name());
            g.put("crycb", k.hasCrycb());
            g.put("gisa", k.hasGisa());
            g.put("protected", k.protectedVm());
            g.put("memory", k.memorySize());
            MatrixMdev m = openBy.get(k);
            g.put("mdev", m == null ? null : m.name());
            if (alsoOpenBy.containsKey(k)) {
                ArrayNode more = g.putArray("more_mdevs");
                for (MatrixMdev x : alsoOpenBy.get(k)) {
                    more.add(x.name());
                }
            }
            ArrayNode irqs = g.putArray("interrupts");
            if (m != null) {
                SortedMap<Integer, long[]> regs = d.vfioAp().interruptRegistrations(m);
                for (Map.Entry<Integer, long[]> r : regs.entrySet()) {
                    ObjectNode i = irqs.addObject();
                    i.put("apqn", Apqn.name(r.getKey()));
                    i.put("isc", r.getValue()[0]);
                    i.put("nib", "0x" + Long.toHexString(r.getValue()[1]));
                }
            }
        }

        ArrayNode faults = root.putArray("faults");
        hw.faultCommands().forEach(faults::add);
        return root;
    }

    /** The document as text: indented JSON ending in a newline. */
    public static String render(JsonNode doc) {
        try {
            return MAPPER.writeValueAsString(doc) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ArrayNode adapterIds(ApMask m) {
        ArrayNode a = MAPPER.createArrayNode();
        m.ranges("0x%02x").forEach(a::add);
        return a;
    }

    private static ArrayNode domainIds(ApMask m) {
        ArrayNode a = MAPPER.createArrayNode();
        m.ranges("0x%04x").forEach(a::add);
        return a;
    }

    // ------------------------------------------------------------------ parse

    /**
     * Parses state text.
     *
     * @return null if the text is a JSON document cut short (more may follow)
     * @throws StateException if it is not JSON
     */
    public static JsonNode parseOrIncomplete(String text, String source) {
        try {
            JsonNode n = MAPPER.readTree(text);
            if (n == null || n.isMissingNode()) {
                return null;
            }
            return n;
        } catch (JsonEOFException e) {
            return null;
        } catch (JsonProcessingException e) {
            if (String.valueOf(e.getOriginalMessage()).contains("end-of-input")) {
                return null;
            }
            throw new StateException(source + ": not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr() + ")" : ""));
        }
    }

    /** Parses state text that must be complete. */
    public static JsonNode parse(String text, String source) {
        if (text.isBlank()) {
            throw new StateException(source + ": empty (a state file is never empty; it may have been truncated)");
        }
        JsonNode n = parseOrIncomplete(text, source);
        if (n == null) {
            throw new StateException(source + ": not valid JSON: the document ends early (truncated?)");
        }
        return n;
    }

    // ------------------------------------------------------------------ restore

    /**
     * Boots a new system in the state {@code doc} describes. Nothing outside the new system is
     * touched; on failure it is shut down again and the exception names the field.
     */
    public static Daemon restore(JsonNode doc, Clock clock) {
        Doc r = new Doc(doc);
        r.header();
        MachineSpec spec;
        try {
            JsonNode m = r.obj(doc, "machine");
            spec = MachineSpec.parse(m.toString(), "machine");
        } catch (MachineSpecException e) {
            throw new StateException("machine." + e.getMessage().replaceFirst("^machine: ", ""), e);
        }
        ObjectNode hostNode = r.obj(doc, "host");
        r.known(hostNode, "host", Set.of("adaptersOutOfConfig"));
        ApMask out = r.ids(hostNode, "host.adaptersOutOfConfig", "adaptersOutOfConfig", spec.maxAdapterId());
        for (int id : out.ids()) {
            if (spec.adapters().stream().noneMatch(a -> a.id() == id)) {
                throw new StateException(String.format("host.adaptersOutOfConfig: adapter 0x%02x is not installed", id));
            }
        }
        r.obj(doc, "bus");
        Daemon d = Daemon.create(spec, clock, hw -> {
            for (int id : out.ids()) {
                hw.removeAdapter(id);
            }
        });
        try {
            replay(r, d);
            return d;
        } catch (RuntimeException e) {
            d.shutdown();
            d.kernel().sysfs().retire();
            throw e;
        }
    }

    private static void replay(Doc r, Daemon d) {
        JsonNode doc = r.root;
        SysfsIo io = new SysfsIo(d.kernel().sysfs());

        // the AP bus: masks, then overrides (the kernel refuses overrides while masks are in use)
        ObjectNode bus = r.obj(doc, "bus");
        List<String> busFields = new ArrayList<>(List.of("apmask", "aqmask", "drivers_autoprobe"));
        busFields.addAll(List.of(BUS_FILES));
        r.known(bus, "bus", Set.copyOf(busFields));
        // the masks after the first scan, as they were set on the running system: queues pass
        // through the default drivers first, which leaves them in the state machine's idle state
        // (a queue that was never initialised by zcrypt shows "Reset in progress." in reset)
        for (String f : new String[] {"apmask", "aqmask"}) {
            writeIfDifferent(io, "bus." + f, "/bus/ap/" + f, r.text(bus, "bus." + f, f));
        }
        ObjectNode devices = r.obj(doc, "devices");
        ApBus apBus = d.apBus();
        for (Iterator<Map.Entry<String, JsonNode>> it = devices.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String where = "devices." + e.getKey();
            if (!e.getValue().isObject()) {
                throw new StateException(where + ": must be an object");
            }
            r.known((ObjectNode) e.getValue(), where, Set.of("driver", "driver_override", "online"));
            Device dev = apBus.device(e.getKey());
            if (dev == null) {
                throw new StateException(where + ": no such device on the restored machine");
            }
            JsonNode ov = e.getValue().get("driver_override");
            if (ov != null) {
                if (!(dev instanceof ApQueue)) {
                    throw new StateException(where + ".driver_override: only queues have a driver_override");
                }
                io.write(where + ".driver_override", "/bus/ap/devices/" + e.getKey() + "/driver_override",
                        r.text(ov, where + ".driver_override") + "\n");
            }
        }
        for (String f : BUS_FILES) {
            writeIfDifferent(io, "bus." + f, "/bus/ap/" + f, r.text(bus, "bus." + f, f));
        }

        // mdevs and their assignments (ap_config: all or nothing per mdev)
        ArrayNode mdevs = r.arr(doc, "mdevs");
        for (int i = 0; i < mdevs.size(); i++) {
            String where = "mdevs[" + i + "]";
            JsonNode m = mdevs.get(i);
            if (!m.isObject()) {
                throw new StateException(where + ": must be an object");
            }
            r.known((ObjectNode) m, where, Set.of("uuid", "type", "adapters", "domains", "control_domains"));
            String uuid = r.text(m, where + ".uuid", "uuid");
            String type = r.text(m, where + ".type", "type");
            if (!type.equals("vfio_ap-passthrough")) {
                throw new StateException(where + ".type: unknown mdev type '" + type + "' (vfio_ap-passthrough)");
            }
            io.write(where + ".uuid", CREATE, uuid + "\n");
            ApMask apm = r.ids(m, where + ".adapters", "adapters", 255);
            ApMask aqm = r.ids(m, where + ".domains", "domains", 255);
            ApMask adm = r.ids(m, where + ".control_domains", "control_domains", 255);
            if (!apm.isEmpty() || !aqm.isEmpty() || !adm.isEmpty()) {
                io.write(where, MATRIX + uuid.toLowerCase(Locale.ROOT) + "/ap_config",
                        apm.format() + "," + aqm.format() + "," + adm.format() + "\n");
            }
        }

        // bindings that differ from what the bus gave, then the zcrypt online flags
        List<Map.Entry<String, JsonNode>> onlines = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = devices.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String where = "devices." + e.getKey();
            Device dev = apBus.device(e.getKey());
            if (e.getValue().has("driver")) {
                JsonNode t = e.getValue().get("driver");
                String target = t.isNull() ? null : r.text(t, where + ".driver");
                String now = dev.driver() == null ? null : dev.driver().name();
                if (!Objects.equals(now, target)) {
                    if (now != null) {
                        io.write(where + ".driver", "/bus/ap/drivers/" + now + "/unbind", dev.name() + "\n");
                    }
                    if (target != null) {
                        io.write(where + ".driver", "/bus/ap/drivers/" + target + "/bind", dev.name() + "\n");
                    }
                }
            }
            if (e.getValue().has("online")) {
                onlines.add(e);
            }
        }
        onlines.sort((a, b) -> Boolean.compare(apBus.device(b.getKey()) instanceof ApCard,
                apBus.device(a.getKey()) instanceof ApCard));
        for (Map.Entry<String, JsonNode> e : onlines) {
            String where = "devices." + e.getKey() + ".online";
            JsonNode v = e.getValue().get("online");
            if (!v.isBoolean()) {
                throw new StateException(where + ": must be true or false");
            }
            Device dev = apBus.device(e.getKey());
            boolean ok = dev instanceof ApCard c ? Cex4Drivers.restoreOnlineFlag(c, v.asBoolean())
                    : Cex4Drivers.restoreOnlineFlag((ApQueue) dev, v.asBoolean());
            if (!ok) {
                throw new StateException(where + ": " + e.getKey() + " is not bound to a zcrypt driver");
            }
        }

        // guests: create, open their mdev, register their interrupts (once the resets that
        // binding to vfio_ap started are over: AQIC is refused while a reset is in progress)
        ArrayNode guests = r.arr(doc, "guests");
        boolean waited = false;
        for (int i = 0; i < guests.size(); i++) {
            String where = "guests[" + i + "]";
            JsonNode g = guests.get(i);
            if (!g.isObject()) {
                throw new StateException(where + ": must be an object");
            }
            r.known((ObjectNode) g, where, Set.of("name", "crycb", "gisa", "protected", "memory", "mdev", "more_mdevs",
                    "interrupts"));
            String name = r.text(g, where + ".name", "name");
            StringBuilder opts = new StringBuilder(name);
            if (!r.bool(g, where + ".crycb", "crycb", true)) {
                opts.append(" nocrycb");
            }
            if (!r.bool(g, where + ".gisa", "gisa", true)) {
                opts.append(" nogisa");
            }
            if (r.bool(g, where + ".protected", "protected", false)) {
                opts.append(" protected");
            }
            if (g.has("memory")) {
                JsonNode mem = g.get("memory");
                if (!mem.canConvertToLong() || !mem.isIntegralNumber()) {
                    throw new StateException(where + ".memory: must be a number of bytes");
                }
                opts.append(" mem=").append(mem.asLong());
            }
            io.write(where + ".name", CONTROL + "guests/create", opts + "\n");
            JsonNode mdev = g.get("mdev");
            if (mdev != null && !mdev.isNull()) {
                io.write(where + ".mdev", CONTROL + "guests/" + name + "/attach", r.text(mdev, where + ".mdev") + "\n");
            }
            if (g.has("more_mdevs")) {
                JsonNode more = g.get("more_mdevs");
                if (!more.isArray()) {
                    throw new StateException(where + ".more_mdevs: must be an array of mdev UUIDs");
                }
                for (int j = 0; j < more.size(); j++) {
                    String w = where + ".more_mdevs[" + j + "]";
                    io.write(w, CONTROL + "guests/" + name + "/attach", r.text(more.get(j), w) + "\n");
                }
            }
            if (g.has("interrupts")) {
                JsonNode irqs = g.get("interrupts");
                if (!irqs.isArray()) {
                    throw new StateException(where + ".interrupts: must be an array");
                }
                for (int j = 0; j < irqs.size(); j++) {
                    String w = where + ".interrupts[" + j + "]";
                    JsonNode q = irqs.get(j);
                    if (!q.isObject()) {
                        throw new StateException(w + ": must be an object");
                    }
                    r.known((ObjectNode) q, w, Set.of("apqn", "isc", "nib"));
                    String apqn = r.text(q, w + ".apqn", "apqn");
                    JsonNode isc = q.get("isc");
                    if (isc == null || !isc.isIntegralNumber()) {
                        throw new StateException(w + ".isc: must be a number 0..7");
                    }
                    String nib = r.text(q, w + ".nib", "nib");
                    if (!waited) {
                        awaitResets(d);
                        waited = true;
                    }
                    io.write(w, CONTROL + "guests/" + name + "/pqap",
                            "aqic " + apqn + " enable " + isc.asInt() + " " + nib + "\n");
                    String res = io.read(CONTROL + "guests/" + name + "/pqap");
                    if (!res.contains(" rc=0x00 ")) {
                        throw new StateException(w + ": cannot be restored: the guest's AQIC got " + res.strip());
                    }
                }
            }
        }

        // automatic probing, last: the replayed binds above are explicit
        if (bus.has("drivers_autoprobe")) {
            JsonNode p = bus.get("drivers_autoprobe");
            if (!p.isObject()) {
                throw new StateException("bus.drivers_autoprobe: must be an object (bus name: 0 or 1)");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                String where = "bus.drivers_autoprobe." + e.getKey();
                writeIfDifferent(io, where, "/bus/" + e.getKey() + "/drivers_autoprobe", r.text(e.getValue(), where));
            }
        }

        // let the resets the probes started end (a restored system starts settled), then the
        // faults, last, so that they do not disturb the restore itself
        awaitResets(d);
        ArrayNode faults = r.arr(doc, "faults");
        for (int i = 0; i < faults.size(); i++) {
            io.write("faults[" + i + "]", CONTROL + "faults", r.text(faults.get(i), "faults[" + i + "]") + "\n");
        }
    }

    /** Waits (on the system's clock) until resets started now have ended: the machine's reset latency. */
    private static void awaitResets(Daemon d) {
        d.kernel().clock().sleepMillis(d.hardware().spec().resetLatencyNanos() / 1_000_000L + 1);
    }

    private static void writeIfDifferent(SysfsIo io, String where, String path, String value) {
        if (!io.exists(path)) {
            throw new StateException(where + ": cannot be restored: " + path + " does not exist");
        }
        if (!io.read(path).equals(value)) {
            io.write(where, path, value + "\n");
        }
    }

    /** Field access with messages that name the JSON path. */
    private static final class Doc {
        final JsonNode root;

        Doc(JsonNode root) {
            this.root = root;
        }

        void header() {
            if (!root.isObject()) {
                throw new StateException("the state must be a JSON object");
            }
            known((ObjectNode) root, "", Set.of("format", "version", "machine", "host", "bus", "devices", "mdevs",
                    "guests", "faults"));
            JsonNode f = root.get("format");
            if (f == null || !f.isTextual() || !f.asText().equals(FORMAT)) {
                throw new StateException("format: must be \"" + FORMAT + "\" (this is not an apsysfs state)");
            }
            JsonNode v = root.get("version");
            if (v == null || !v.isIntegralNumber() || v.asInt() != VERSION) {
                throw new StateException("version: must be " + VERSION + ", got " + v);
            }
            for (String s : new String[] {"machine", "host", "bus", "devices", "mdevs", "guests", "faults"}) {
                if (!root.has(s)) {
                    throw new StateException(s + ": missing");
                }
            }
        }

        ObjectNode obj(JsonNode parent, String field) {
            JsonNode n = parent.get(field);
            if (n == null || !n.isObject()) {
                throw new StateException(field + ": must be an object");
            }
            return (ObjectNode) n;
        }

        ArrayNode arr(JsonNode parent, String field) {
            JsonNode n = parent.get(field);
            if (n == null || !n.isArray()) {
                throw new StateException(field + ": must be an array");
            }
            return (ArrayNode) n;
        }

        String text(JsonNode parent, String where, String field) {
            JsonNode n = parent.get(field);
            if (n == null) {
                throw new StateException(where + ": missing");
            }
            return text(n, where);
        }

        String text(JsonNode n, String where) {
            if (n.isTextual()) {
                return n.asText();
            }
            if (n.isIntegralNumber()) {
                return n.asText();
            }
            throw new StateException(where + ": must be a string");
        }

        boolean bool(JsonNode parent, String where, String field, boolean def) {
            JsonNode n = parent.get(field);
            if (n == null) {
                return def;
            }
            if (!n.isBoolean()) {
                throw new StateException(where + ": must be true or false");
            }
            return n.asBoolean();
        }

        /** A list of IDs or ranges "A-B" (hex with 0x or decimal) as a mask. */
        ApMask ids(JsonNode parent, String where, String field, int max) {
            JsonNode n = parent.get(field);
            if (n == null) {
                throw new StateException(where + ": missing");
            }
            if (!n.isArray()) {
                throw new StateException(where + ": must be an array of IDs or ranges");
            }
            ApMask m = ApMask.empty();
            for (int i = 0; i < n.size(); i++) {
                String w = where + "[" + i + "]";
                String s = text(n.get(i), w).trim();
                int dash = s.indexOf('-', 1);
                int lo = id(dash < 0 ? s : s.substring(0, dash), w, max);
                int hi = dash < 0 ? lo : id(s.substring(dash + 1), w, max);
                if (lo > hi) {
                    throw new StateException(w + ": range '" + s + "' ends before it starts");
                }
                m = m.or(ApMask.range(lo, hi));
            }
            return m;
        }

        private static int id(String s, String where, int max) {
            int v;
            try {
                v = s.startsWith("0x") || s.startsWith("0X") ? Integer.parseInt(s.substring(2), 16) : Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new StateException(where + ": '" + s + "' is not an ID (decimal or 0x hex)");
            }
            if (v < 0 || v > max) {
                throw new StateException(where + ": ID " + s + " is outside 0.." + max);
            }
            return v;
        }

        void known(ObjectNode o, String where, Set<String> fields) {
            for (Iterator<String> it = o.fieldNames(); it.hasNext();) {
                String f = it.next();
                if (!fields.contains(f)) {
                    List<String> k = new ArrayList<>(fields);
                    java.util.Collections.sort(k);
                    throw new StateException((where.isEmpty() ? "" : where + ".") + f + ": unknown field (known: "
                            + String.join(", ", k) + ")");
                }
            }
        }
    }
}
