package org.apsysfs.fuse;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.apsysfs.sysfs.KernfsDir;
import org.apsysfs.sysfs.KernfsNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-entry dentry timeouts: LOOKUP replies for {@linkplain KernfsDir#permanent() permanent}
 * directories ({@code /sys/bus}, {@code bus/ap}, {@code bus/ap/devices},
 * {@code devices/vfio_ap/matrix}, ...) tell the kernel to keep the dentry for
 * {@link #PERMANENT_SECONDS}; every other entry keeps the mount's {@code entry_timeout=0}.
 *
 * <p>Why: with {@code entry_timeout=0} every path walk looks up every component again, so
 * {@code cat /sys/bus/ap/apmask} costs two LOOKUPs of directories that cannot go away, and
 * {@code ls -l bus/ap/devices} three per name and syscall. Real sysfs keeps such dentries in
 * the dcache too. Nothing a user sees changes: these directories are never removed (a model
 * bug if one is: {@link KernfsDir#markPermanent}); their attributes ({@code attr_timeout=0}),
 * their listings and every entry below them are still asked for each time.
 *
 * <p>How: libfuse 2's high-level API takes one entry timeout for all entries, so this class
 * puts itself in the channel's {@code send} slot ({@code struct fuse_chan_ops}) and patches
 * {@code entry_valid} in the {@code struct fuse_entry_out} of a successful LOOKUP reply
 * before handing the reply to libfuse's own send. Requests are processed and answered on the
 * thread that received them ({@link FuseLoop}), so a per-thread {@link Request} carries the
 * opcode (set by the loop) and what the lookup found (set by the getattr callback) to the
 * send on the same thread. If the channel does not look as expected (a libfuse other than
 * 2.9's layout), nothing is installed and all entries keep timeout 0.
 */
final class EntryTimeouts {
    private static final Logger LOG = LoggerFactory.getLogger(EntryTimeouts.class);
    private static final MemoryIO IO = MemoryIO.getInstance();
    /** {@code FUSE_LOOKUP} in {@code enum fuse_opcode}. */
    static final int FUSE_LOOKUP = 1;
    /** How long the kernel may keep the dentry of a permanent directory. */
    static final long PERMANENT_SECONDS = 24 * 3600;
    /** {@code offsetof(struct fuse_chan, op.send)}, {@code .se}, {@code .fd}, {@code .bufsize} in libfuse 2.9. */
    private static final long CH_SEND = 8;
    private static final long CH_SESSION = 24;
    private static final long CH_FD = 32;
    private static final long CH_BUFSIZE = 40;
    /** {@code struct iovec}: base, len. */
    private static final long IOV_SIZE = 16;
    /** {@code struct fuse_out_header}: len u32, error s32, unique u64. */
    private static final long OUT_ERROR = 4;
    /** {@code struct fuse_entry_out}: nodeid, generation, entry_valid u64 @16, ..., entry_valid_nsec u32 @32. */
    private static final long ENTRY_VALID = 16;
    private static final long ENTRY_VALID_NSEC = 32;
    private static final long ENTRY_OUT_MIN = 40;
    private static final ThreadLocal<Request> CURRENT = ThreadLocal.withInitial(Request::new);
    private static final CallContext SEND_CONTEXT = CallContext.getCallContext(Type.SINT32,
            new Type[] {Type.POINTER, Type.POINTER, Type.UINT64}, CallingConvention.DEFAULT, false);

    /** The request a thread is processing. */
    static final class Request {
        /** Opcode of the request being processed; 0 when none. */
        int opcode;
        /** The last lookup on this thread found a permanent directory. */
        boolean permanent;
    }

    /** {@code int (*send)(struct fuse_chan *ch, const struct iovec iov[], size_t count)} */
    public interface Send {
        @jnr.ffi.annotations.Delegate
        int send(long ch, long iov, long count);
    }

    private final long originalSend;
    /** Kept reachable: the closure and its native stub live as long as the channel. */
    @SuppressWarnings("unused")
    private final Object[] keep;
    private final java.util.concurrent.atomic.LongAdder patched = new java.util.concurrent.atomic.LongAdder();

    private EntryTimeouts(long originalSend, Object[] keep) {
        this.originalSend = originalSend;
        this.keep = keep;
    }

    /** The calling thread's request record (a loop thread keeps it for its life). */
    static Request request() {
        return CURRENT.get();
    }

    /** Called by the getattr callbacks (a LOOKUP is a getattr of the path): what was found. */
    static void lookedUp(KernfsNode n) {
        CURRENT.get().permanent = n instanceof KernfsDir d && d.permanent();
    }

    /**
     * Installs the send hook in {@code channel} if it has libfuse 2.9's layout.
     *
     * @return the hook, or null if the channel did not look right (nothing changed)
     */
    static EntryTimeouts install(Runtime runtime, Pointer channel, Pointer session, int fd, long bufsize) {
        if (!RawLayout.OK || channel == null) {
            return null;
        }
        long ch = channel.address();
        if (IO.getAddress(ch + CH_SESSION) != session.address() || IO.getInt(ch + CH_FD) != fd
                || IO.getLong(ch + CH_BUFSIZE) != bufsize || IO.getAddress(ch + CH_SEND) == 0) {
            LOG.warn("apsysfs: unexpected struct fuse_chan layout; every entry keeps entry_timeout");
            return null;
        }
        long original = IO.getAddress(ch + CH_SEND);
        Object[] keep = new Object[2];
        EntryTimeouts t = new EntryTimeouts(original, keep);
        Send hook = t::send;
        Pointer stub = runtime.getClosureManager().getClosurePointer(Send.class, hook);
        keep[0] = hook;
        keep[1] = stub;
        IO.putAddress(ch + CH_SEND, stub.address());
        return t;
    }

    /** Successful LOOKUP replies whose entry_valid was raised. */
    long patched() {
        return patched.sum();
    }

    private int send(long ch, long iov, long count) {
        Request r = CURRENT.get();
        if (r.opcode == FUSE_LOOKUP && r.permanent && count >= 2) {
            long header = IO.getAddress(iov);
            long arg = IO.getAddress(iov + IOV_SIZE);
            long argLen = IO.getLong(iov + IOV_SIZE + 8);
            if (header != 0 && IO.getInt(header + OUT_ERROR) == 0 && arg != 0 && argLen >= ENTRY_OUT_MIN) {
                IO.putLong(arg + ENTRY_VALID, PERMANENT_SECONDS);
                IO.putInt(arg + ENTRY_VALID_NSEC, 0);
                patched.increment();
            }
        }
        r.permanent = false;
        return (int) Invoker.getInstance().invokeL3(SEND_CONTEXT, originalSend, ch, iov, count);
    }
}
