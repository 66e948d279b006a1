package org.apsysfs.hardware;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The immutable description of a simulated machine's AP configuration, as read from a machine
 * file (format: docs/machine-format.md). {@link ApHardware} is built from it.
 *
 * @param name the machine's name (informational)
 * @param qciInstalled whether PQAP(QCI) is available (without it the kernel assumes every ID up
 *     to 63/15 is configured and the mask files say "not supported")
 * @param features the QCI facility flags
 * @param na the QCI Na field (max adapter ID; honoured with APXA when non-zero)
 * @param nd the QCI Nd field (max domain ID; honoured with APXA when non-zero)
 * @param resetLatencyNanos how long a ZAPQ/RAPQ reset stays in progress
 * @param sclpConfigurable whether SCLP can configure adapters on/off (card {@code config} writes)
 * @param adapters the installed adapters, ascending by ID; all of them start in the APM
 * @param usageDomains the initial AQM
 * @param controlDomains the initial ADM
 */
public record MachineSpec(String name, boolean qciInstalled, Set<ApFeature> features, int na, int nd,
                          long resetLatencyNanos, boolean sclpConfigurable, List<AdapterSpec> adapters,
                          ApMask usageDomains, ApMask controlDomains) {

    /** Names of the machines embedded as resources. */
    public static final List<String> BUILTIN = List.of("default", "full");

    /** Default reset latency (5 ms) when the file does not say. */
    public static final long DEFAULT_RESET_LATENCY_NANOS = 5_000_000L;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    public MachineSpec {
        features = Collections.unmodifiableSet(features.isEmpty() ? EnumSet.noneOf(ApFeature.class)
                : EnumSet.copyOf(features));
        adapters = List.copyOf(adapters);
    }

    public boolean has(ApFeature f) {
        return features.contains(f);
    }

    /** The highest adapter ID in use: Na with APXA (if non-zero), else 63. */
    public int maxAdapterId() {
        return has(ApFeature.APXA) && na != 0 ? na : 63;
    }

    /** The highest domain ID in use: Nd with APXA (if non-zero), else 15. */
    public int maxDomainId() {
        return has(ApFeature.APXA) && nd != 0 ? nd : 15;
    }

    /** The APM the machine starts with: the IDs of all installed adapters. */
    public ApMask adapterMask() {
        ApMask m = ApMask.empty();
        for (AdapterSpec a : adapters) {
            m = m.with(a.id());
        }
        return m;
    }

    /**
     * This machine as a machine file (docs/machine-format.md) that {@link #parse} reads back
     * into an equal description: fields at their defaults are left out and neighbouring
     * adapters that differ only in their ID are written as one range.
     */
    public com.fasterxml.jackson.databind.node.ObjectNode toJson() {
        com.fasterxml.jackson.databind.node.ObjectNode root = MAPPER.createObjectNode();
        root.put("name", name);
        if (!qciInstalled) {
            root.put("qci", false);
        }
        com.fasterxml.jackson.databind.node.ArrayNode f = root.putArray("features");
        for (ApFeature x : ApFeature.values()) {
            if (features.contains(x)) {
                f.add(x.name());
            }
        }
        if (na != 0) {
            root.put("maxAdapterId", na);
        }
        if (nd != 0) {
            root.put("maxDomainId", nd);
        }
        if (resetLatencyNanos != DEFAULT_RESET_LATENCY_NANOS) {
            root.put("resetLatencyMs", resetLatencyNanos / 1_000_000d);
        }
        if (!sclpConfigurable) {
            root.put("sclp", false);
        }
        com.fasterxml.jackson.databind.node.ArrayNode arr = root.putArray("adapters");
        com.fasterxml.jackson.databind.node.ObjectNode run = null;
        int runFrom = -1;
        int runTo = -1;
        for (AdapterSpec a : adapters) {
            com.fasterxml.jackson.databind.node.ObjectNode body = adapterBody(a);
            if (run != null && a.id() == runTo + 1 && body.equals(run)) {
                runTo = a.id();
                continue;
            }
            if (run != null) {
                arr.add(withId(run, runFrom, runTo));
            }
            run = body;
            runFrom = runTo = a.id();
        }
        if (run != null) {
            arr.add(withId(run, runFrom, runTo));
        }
        root.set("usageDomains", idRanges(usageDomains));
        root.set("controlDomains", idRanges(controlDomains));
        return root;
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode withId(
            com.fasterxml.jackson.databind.node.ObjectNode body, int from, int to) {
        com.fasterxml.jackson.databind.node.ObjectNode o = MAPPER.createObjectNode();
        o.put("id", from == to ? String.format("0x%02x", from) : String.format("0x%02x-0x%02x", from, to));
        o.setAll(body);
        return o;
    }

    /** An adapter's fields that differ from what the reader would assume, without its ID. */
    private com.fasterxml.jackson.databind.node.ObjectNode adapterBody(AdapterSpec a) {
        com.fasterxml.jackson.databind.node.ObjectNode o = MAPPER.createObjectNode();
        ApMode mode = a.mode();
        o.put("model", a.model().toString());
        if (a.rawType() != a.model().apType()) {
            o.put("rawType", a.rawType());
        }
        if (a.compatType() != Math.min(a.rawType(), 14)) {
            o.put("compatType", a.compatType());
        }
        if (a.functions() != AdapterSpec.defaultFunctions(mode, has(ApFeature.APXA))) {
            o.put("functions", String.format("0x%08X", a.functions()));
        }
        if (a.qd() != 7) {
            o.put("qd", a.qd());
        }
        if (a.ml() != 0) {
            o.put("ml", a.ml());
        }
        if (a.domainsField() != maxDomainId()) {
            o.put("domains", a.domainsField());
        }
        if (a.seBindState() != 0) {
            o.put("seBindState", a.seBindState());
        }
        if (!a.configured()) {
            o.put("configured", false);
        }
        if (a.checkstopped()) {
            o.put("checkstopped", true);
        }
        if (mode != ApMode.ACCEL && !a.serial().equals(AdapterSpec.defaultSerial(a.id(), mode))) {
            o.put("serial", a.serial());
        }
        if (a.ep11() != null && !a.ep11().equals(AdapterSpec.defaultEp11())) {
            com.fasterxml.jackson.databind.node.ObjectNode e = o.putObject("ep11");
            e.put("apiOrdinal", a.ep11().apiOrdinal());
            e.put("fwVersion", a.ep11().fwMajor() + "." + a.ep11().fwMinor());
            com.fasterxml.jackson.databind.node.ArrayNode m = e.putArray("opModes");
            a.ep11().opModes().forEach(m::add);
        }
        if (mode != ApMode.ACCEL && !a.mkvps().equals(AdapterSpec.defaultMkvps(mode))) {
            com.fasterxml.jackson.databind.node.ObjectNode m = o.putObject("mkvps");
            a.mkvps().forEach(m::put);
        }
        return o;
    }

    /** Domain IDs as ranges ("0x0004", "0x0010-0x001f"). */
    private static com.fasterxml.jackson.databind.node.ArrayNode idRanges(ApMask m) {
        com.fasterxml.jackson.databind.node.ArrayNode arr = MAPPER.createArrayNode();
        m.ranges("0x%04x").forEach(arr::add);
        return arr;
    }

    /** Reads and validates a machine file. */
    public static MachineSpec load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new MachineSpecException(file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /** One of the machines embedded as resources ({@link #BUILTIN}). */
    public static MachineSpec builtin(String name) {
        if (!BUILTIN.contains(name)) {
            throw new MachineSpecException("no built-in machine \"" + name + "\" (expected one of "
                    + String.join(", ", BUILTIN) + ")");
        }
        String res = "/machines/" + name + ".json";
        try (InputStream in = MachineSpec.class.getResourceAsStream(res)) {
            if (in == null) {
                throw new MachineSpecException("built-in machine resource " + res + " is missing");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "builtin:" + name);
        } catch (IOException e) {
            throw new MachineSpecException(res + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Parses and validates machine-file text.
     *
     * @param source names the file in messages about JSON syntax
     */
    public static MachineSpec parse(String json, String source) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new MachineSpecException(source + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new MachineSpecException(source + ": the machine file must be a JSON object");
        }
        return new Reader().read(root);
    }

    /** Validating reader; every error names the JSON path. */
    private static final class Reader {
        private static final Set<String> ROOT_FIELDS = Set.of("name", "description", "qci", "features",
                "maxAdapterId", "maxDomainId", "resetLatencyMs", "sclp", "adapters", "usageDomains",
                "controlDomains");
        private static final Set<String> ADAPTER_FIELDS = Set.of("id", "model", "rawType", "compatType",
                "functions", "qd", "ml", "domains", "seBindState", "configured", "checkstopped", "serial",
                "ep11", "mkvps", "comment");
        private static final Set<String> EP11_FIELDS = Set.of("apiOrdinal", "fwVersion", "opModes");
        static final List<String> EP11_OP_MODES = List.of("FIPS2009", "BSI2009", "FIPS2011", "BSI2011",
                "SIGG-IMPORT", "SIGG", "BSICC2017", "FIPS2021", "FIPS2024");

        MachineSpec read(JsonNode root) {
            unknownFields(root, ROOT_FIELDS, "");
            String name = root.has("name") ? text(root.get("name"), "name") : "unnamed";
            if (root.has("description")) {
                text(root.get("description"), "description");
            }
            boolean qci = bool(root, "qci", "qci", true);
            Set<ApFeature> features = EnumSet.noneOf(ApFeature.class);
            if (root.has("features")) {
                JsonNode f = root.get("features");
                if (!f.isArray()) {
                    throw err("features", "must be an array of feature names");
                }
                for (int i = 0; i < f.size(); i++) {
                    String p = "features[" + i + "]";
                    String s = text(f.get(i), p);
                    ApFeature feat;
                    try {
                        feat = ApFeature.valueOf(s);
                    } catch (IllegalArgumentException e) {
                        throw err(p, "unknown feature \"" + s + "\" (expected APSC, APXA, QACT, RC8A or APSB)");
                    }
                    if (!features.add(feat)) {
                        throw err(p, "feature " + s + " listed twice");
                    }
                }
            }
            if (!qci && !features.isEmpty()) {
                throw err("features", "features need QCI, but \"qci\" is false");
            }
            int na = root.has("maxAdapterId") ? intIn(root.get("maxAdapterId"), "maxAdapterId", 0, 255) : 0;
            int nd = root.has("maxDomainId") ? intIn(root.get("maxDomainId"), "maxDomainId", 0, 255) : 0;
            boolean apxa = features.contains(ApFeature.APXA);
            if (!apxa && (na > 63 || nd > 15)) {
                throw err(na > 63 ? "maxAdapterId" : "maxDomainId",
                        "above " + (na > 63 ? "63" : "15") + " needs the APXA feature");
            }
            int maxA = apxa && na != 0 ? na : 63;
            int maxD = apxa && nd != 0 ? nd : 15;
            long latency = DEFAULT_RESET_LATENCY_NANOS;
            if (root.has("resetLatencyMs")) {
                JsonNode l = root.get("resetLatencyMs");
                if (!l.isNumber() || l.asDouble() < 0 || l.asDouble() > 3_600_000) {
                    throw err("resetLatencyMs", "must be a number of milliseconds 0..3600000");
                }
                latency = Math.round(l.asDouble() * 1_000_000d);
            }
            boolean sclp = bool(root, "sclp", "sclp", true);

            if (!root.has("adapters")) {
                throw err("adapters", "missing (an array of adapters, may be empty)");
            }
            JsonNode arr = root.get("adapters");
            if (!arr.isArray()) {
                throw err("adapters", "must be an array");
            }
            Map<Integer, String> definedBy = new LinkedHashMap<>();
            List<AdapterSpec> adapters = new ArrayList<>();
            for (int i = 0; i < arr.size(); i++) {
                readAdapter(arr.get(i), "adapters[" + i + "]", apxa, maxA, maxD, definedBy, adapters);
            }
            adapters.sort((x, y) -> Integer.compare(x.id(), y.id()));
            ApMask aqm = domains(root, "usageDomains", maxD);
            ApMask adm = domains(root, "controlDomains", maxD);
            return new MachineSpec(name, qci, features, na, nd, latency, sclp, adapters, aqm, adm);
        }

        private void readAdapter(JsonNode a, String path, boolean apxa, int maxA, int maxD,
                                 Map<Integer, String> definedBy, List<AdapterSpec> out) {
            if (!a.isObject()) {
                throw err(path, "must be an object");
            }
            unknownFields(a, ADAPTER_FIELDS, path + ".");
            if (!a.has("id")) {
                throw err(path + ".id", "missing");
            }
            int[] range = idRange(a.get("id"), path + ".id", maxA, "adapter");
            if (!a.has("model")) {
                throw err(path + ".model", "missing");
            }
            String modelText = text(a.get("model"), path + ".model");
            ApModel model;
            try {
                model = ApModel.parse(modelText);
            } catch (IllegalArgumentException e) {
                throw err(path + ".model", "unknown model \"" + modelText + "\" (expected CEX4A..CEX8P)");
            }
            ApMode mode = model.mode();
            int rawType = a.has("rawType") ? intIn(a.get("rawType"), path + ".rawType", 1, 255) : model.apType();
            int compat;
            if (a.has("compatType")) {
                compat = intIn(a.get("compatType"), path + ".compatType", 0, 14);
                if (compat != 0 && compat < 10) {
                    throw err(path + ".compatType", "must be 0 (not mappable) or 10..14, got " + compat);
                }
            } else {
                compat = Math.min(rawType, 14);
            }
            int functions = AdapterSpec.defaultFunctions(mode, apxa);
            if (a.has("functions")) {
                long f = number(a.get("functions"), path + ".functions", 0, 0xFFFFFFFFL);
                functions = (int) f;
                if ((functions & TapqInfo.FN_BS_MASK) != 0) {
                    throw err(path + ".functions", "must not contain the SE bind-state bits 0x0000C000 "
                            + "(use seBindState)");
                }
                if (ApMode.ofFunctions(functions) != mode) {
                    throw err(path + ".functions", String.format("0x%08X does not have exactly the %s mode bit "
                            + "0x%08X of model %s", functions, mode.ueventMode(), mode.functionBit(), modelText));
                }
            }
            int qd = a.has("qd") ? intIn(a.get("qd"), path + ".qd", 0, 15) : 7;
            int ml = a.has("ml") ? intIn(a.get("ml"), path + ".ml", 0, 15) : 0;
            int doms = a.has("domains") ? intIn(a.get("domains"), path + ".domains", 0, 255) : maxD;
            int bs = a.has("seBindState") ? intIn(a.get("seBindState"), path + ".seBindState", 0, 3) : 0;
            boolean configured = bool(a, "configured", path + ".configured", true);
            boolean checkstopped = bool(a, "checkstopped", path + ".checkstopped", false);
            String serial = null;
            if (a.has("serial")) {
                serial = text(a.get("serial"), path + ".serial");
                if (mode == ApMode.ACCEL) {
                    throw err(path + ".serial", "accelerators have no serial number");
                }
                if (serial.length() > 16 || !serial.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                    throw err(path + ".serial", "must be at most 16 printable ASCII characters without blanks");
                }
            }
            AdapterSpec.Ep11Info ep11 = mode == ApMode.EP11 ? AdapterSpec.defaultEp11() : null;
            if (a.has("ep11")) {
                if (mode != ApMode.EP11) {
                    throw err(path + ".ep11", "only EP11 adapters (CEXnP) have EP11 information");
                }
                ep11 = readEp11(a.get("ep11"), path + ".ep11", ep11);
            }
            Map<String, String> mkvps = AdapterSpec.defaultMkvps(mode);
            if (a.has("mkvps")) {
                mkvps = readMkvps(a.get("mkvps"), path + ".mkvps", mode, mkvps);
            }
            for (int id = range[0]; id <= range[1]; id++) {
                String prev = definedBy.putIfAbsent(id, path);
                if (prev != null) {
                    throw err(path + ".id", String.format("adapter 0x%02x is already defined by %s", id, prev));
                }
                out.add(new AdapterSpec(id, model, rawType, compat, functions, qd, ml, doms, bs, configured,
                        checkstopped, serial != null ? serial : AdapterSpec.defaultSerial(id, mode), ep11, mkvps));
            }
        }

        private AdapterSpec.Ep11Info readEp11(JsonNode e, String path, AdapterSpec.Ep11Info def) {
            if (!e.isObject()) {
                throw err(path, "must be an object");
            }
            unknownFields(e, EP11_FIELDS, path + ".");
            int api = e.has("apiOrdinal") ? intIn(e.get("apiOrdinal"), path + ".apiOrdinal", 0, 65535)
                    : def.apiOrdinal();
            int major = def.fwMajor();
            int minor = def.fwMinor();
            if (e.has("fwVersion")) {
                String v = text(e.get("fwVersion"), path + ".fwVersion");
                String[] parts = v.split("\\.", -1);
                try {
                    if (parts.length != 2) {
                        throw new NumberFormatException();
                    }
                    major = Integer.parseInt(parts[0]);
                    minor = Integer.parseInt(parts[1]);
                    if (major < 0 || minor < 0 || major > 255 || minor > 255) {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException x) {
                    throw err(path + ".fwVersion", "must look like \"7.45\" (major.minor, each 0..255), got \""
                            + v + "\"");
                }
            }
            List<String> modes = def.opModes();
            if (e.has("opModes")) {
                JsonNode m = e.get("opModes");
                if (!m.isArray()) {
                    throw err(path + ".opModes", "must be an array of mode names");
                }
                List<String> l = new ArrayList<>();
                for (int i = 0; i < m.size(); i++) {
                    String s = text(m.get(i), path + ".opModes[" + i + "]");
                    if (!EP11_OP_MODES.contains(s)) {
                        throw err(path + ".opModes[" + i + "]", "unknown EP11 mode \"" + s + "\" (expected one of "
                                + String.join(" ", EP11_OP_MODES) + ")");
                    }
                    l.add(s);
                }
                // print order is the kernel's table order
                l.sort((x, y) -> Integer.compare(EP11_OP_MODES.indexOf(x), EP11_OP_MODES.indexOf(y)));
                modes = l.stream().distinct().toList();
            }
            return new AdapterSpec.Ep11Info(api, major, minor, modes);
        }

        private Map<String, String> readMkvps(JsonNode m, String path, ApMode mode, Map<String, String> def) {
            if (mode == ApMode.ACCEL) {
                throw err(path, "accelerators have no master keys");
            }
            if (!m.isObject()) {
                throw err(path, "must be an object mapping a register name to its value text");
            }
            Map<String, String> out = new LinkedHashMap<>(def);
            for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                String p = path + "." + e.getKey();
                if (!def.containsKey(e.getKey())) {
                    throw err(p, "unknown register for a " + mode.ueventMode() + " adapter (expected one of "
                            + String.join(", ", def.keySet()) + ")");
                }
                String v = text(e.getValue(), p);
                String form = mkvpForm(e.getKey());
                if (!v.matches(form)) {
                    throw err(p, "must be what the kernel can print for this register (" + form.replace("\\*", "*")
                            + ", 0x* for a per-queue pattern), got \"" + v + "\"");
                }
                out.put(e.getKey(), v);
            }
            return out;
        }

        /**
         * The forms the kernel prints for a master-key register (cca_mkvps_show,
         * ep11_mkvps_show): CCA {@code <state> 0x<16 hex>} (ASYM: 32), states empty, partial,
         * full for NEW and invalid, valid for CUR/OLD, or {@code - -}; EP11 {@code WK CUR}
         * {@code invalid -}, {@code valid 0x<64 hex>} or {@code - -}, {@code WK NEW}
         * {@code empty -}, {@code uncommitted|committed 0x<64 hex>} or {@code - -}.
         */
        static String mkvpForm(String register) {
            if (register.equals("WK CUR")) {
                return "invalid -|valid 0x([0-9a-f]{64}|\\*)|- -";
            }
            if (register.equals("WK NEW")) {
                return "empty -|(uncommitted|committed) 0x([0-9a-f]{64}|\\*)|- -";
            }
            String hex = "0x([0-9a-f]{" + (register.startsWith("ASYM") ? 32 : 16) + "}|\\*)";
            String states = register.endsWith("NEW") ? "(empty|partial|full)" : "(invalid|valid)";
            return states + " " + hex + "|- -";
        }

        private ApMask domains(JsonNode root, String field, int maxD) {
            if (!root.has(field)) {
                return ApMask.empty();
            }
            JsonNode d = root.get(field);
            if (!d.isArray()) {
                throw err(field, "must be an array of domain IDs or ranges");
            }
            ApMask m = ApMask.empty();
            for (int i = 0; i < d.size(); i++) {
                int[] r = idRange(d.get(i), field + "[" + i + "]", maxD, "domain");
                m = m.or(ApMask.range(r[0], r[1]));
            }
            return m;
        }

        /** An ID (number, "12", "0x0c") or a range "A-B"; both ends must be <= max. */
        private int[] idRange(JsonNode n, String path, int max, String what) {
            int lo;
            int hi;
            if (n.isIntegralNumber()) {
                lo = hi = n.canConvertToInt() ? n.asInt() : -1;
                if (lo < 0 || lo > 255) {
                    throw err(path, what + " id " + n.asText() + " is outside 0..255");
                }
            } else if (n.isTextual()) {
                String s = n.asText().trim();
                int dash = s.indexOf('-', 1);
                if (dash < 0) {
                    lo = hi = parseId(s, path, what);
                } else {
                    lo = parseId(s.substring(0, dash), path, what);
                    hi = parseId(s.substring(dash + 1), path, what);
                    if (lo > hi) {
                        throw err(path, "range \"" + s + "\" ends before it starts");
                    }
                }
            } else {
                throw err(path, "must be an id (number or string such as \"0x0b\") or a range \"A-B\"");
            }
            if (hi > max) {
                throw err(path, String.format("%s id %d (0x%x) is above the maximum %s id %d of this machine",
                        what, hi, hi, what, max));
            }
            return new int[] {lo, hi};
        }

        private int parseId(String s, String path, String what) {
            String t = s.trim();
            int v;
            try {
                if (t.startsWith("0x") || t.startsWith("0X")) {
                    v = Integer.parseInt(t.substring(2), 16);
                } else if (t.chars().allMatch(Character::isDigit) && !t.isEmpty()) {
                    v = Integer.parseInt(t, 10);
                } else {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw err(path, "\"" + s + "\" is not " + ("adapter".equals(what) ? "an " : "a ") + what
                        + " id (decimal or 0x-prefixed hex)");
            }
            if (v < 0 || v > 255) {
                throw err(path, what + " id " + t + " is outside 0..255");
            }
            return v;
        }

        private long number(JsonNode n, String path, long min, long max) {
            long v;
            if (n.isIntegralNumber() && n.canConvertToLong()) {
                v = n.asLong();
            } else if (n.isTextual()) {
                String t = n.asText().trim();
                try {
                    v = t.startsWith("0x") || t.startsWith("0X") ? Long.parseLong(t.substring(2), 16)
                            : Long.parseLong(t);
                } catch (NumberFormatException e) {
                    throw err(path, "\"" + t + "\" is not a number (decimal or 0x-prefixed hex)");
                }
            } else {
                throw err(path, "must be a number");
            }
            if (v < min || v > max) {
                throw err(path, String.format("%d is outside %d..%d", v, min, max));
            }
            return v;
        }

        private int intIn(JsonNode n, String path, int min, int max) {
            return (int) number(n, path, min, max);
        }

        private boolean bool(JsonNode obj, String field, String path, boolean def) {
            if (!obj.has(field)) {
                return def;
            }
            JsonNode n = obj.get(field);
            if (!n.isBoolean()) {
                throw err(path, "must be true or false");
            }
            return n.asBoolean();
        }

        private String text(JsonNode n, String path) {
            if (!n.isTextual()) {
                throw err(path, "must be a string");
            }
            return n.asText();
        }

        private void unknownFields(JsonNode obj, Set<String> known, String prefix) {
            for (Iterator<String> it = obj.fieldNames(); it.hasNext();) {
                String f = it.next();
                if (!known.contains(f)) {
                    List<String> k = new ArrayList<>(known);
                    Collections.sort(k);
                    throw err(prefix + f, "unknown field (known: " + String.join(", ", k) + ")");
                }
            }
        }

        private static MachineSpecException err(String path, String problem) {
            return new MachineSpecException(path + ": " + problem);
        }
    }
}
