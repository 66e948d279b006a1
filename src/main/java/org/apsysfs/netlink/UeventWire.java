package org.apsysfs.netlink;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.apsysfs.kernel.Uevents;

/**
 * A uevent in the kernel's wire format, as {@code kobject_uevent_env} (lib/kobject_uevent.c)
 * builds it: {@code ACTION@DEVPATH\0} then {@code ACTION=}, {@code DEVPATH=},
 * {@code SUBSYSTEM=}, the device's variables and {@code SEQNUM=}, each NUL-terminated;
 * wrapped in the netlink header that {@code uevent_net_rcv} expects of an injected message
 * ({@code netlink_rcv_skb} passes on only requests of a type from {@code NLMSG_MIN_TYPE}).
 */
public final class UeventWire {
    /** {@code NLMSG_HDRLEN}. */
    static final int NLMSG_HDRLEN = 16;
    /** {@code NLMSG_MIN_TYPE}: lower types are netlink's own control messages. */
    static final short NLMSG_MIN_TYPE = 0x10;
    /** {@code NLM_F_REQUEST}. */
    static final short NLM_F_REQUEST = 1;

    private UeventWire() {
    }

    /** The payload: {@code ACTION@DEVPATH\0KEY=VALUE\0...SEQNUM=N\0}. */
    public static byte[] payload(Uevents.Event e) {
        String devpath = e.devpath();
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        put(out, e.action() + "@" + devpath);
        put(out, "ACTION=" + e.action());
        put(out, "DEVPATH=" + devpath);
        if (e.subsystem() != null) {
            put(out, "SUBSYSTEM=" + e.subsystem());
        }
        for (String v : e.env()) {
            put(out, v);
        }
        put(out, "SEQNUM=" + e.seqnum());
        return out.toByteArray();
    }

    /** The payload behind a netlink header, ready to be sent to the kernel. */
    public static byte[] message(Uevents.Event e) {
        byte[] p = payload(e);
        ByteBuffer b = ByteBuffer.allocate(NLMSG_HDRLEN + p.length).order(ByteOrder.nativeOrder());
        b.putInt(NLMSG_HDRLEN + p.length); // nlmsg_len
        b.putShort(NLMSG_MIN_TYPE); // nlmsg_type
        b.putShort(NLM_F_REQUEST); // nlmsg_flags
        b.putInt(0); // nlmsg_seq
        b.putInt(0); // nlmsg_pid
        b.put(p);
        return b.array();
    }

    private static void put(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        out.write(0);
    }
}
