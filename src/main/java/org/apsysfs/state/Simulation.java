package org.apsysfs.state;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.apsysfs.Daemon;
import org.apsysfs.kernel.Clock;
import org.apsysfs.kernel.Cmdline;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.locking.Guard;
import org.apsysfs.locking.KMutex;
import org.apsysfs.locking.LockClass;
import org.apsysfs.sysfs.Attribute;
import org.apsysfs.sysfs.AttributeGroup;
import org.apsysfs.sysfs.Kernfs;
import org.apsysfs.sysfs.KernfsAttr;

/**
 * The system a mount serves, and its saved state.
 *
 * <p>It holds the current {@link Daemon} and hands its tree to the FUSE edge request by
 * request, so that loading a state (the control file {@code kernel/debug/apsysfs/state}) can
 * replace the whole system at once: the new system is booted and replayed off to the side and
 * only a complete one is put in place; the old tree is retired (open files get ENODEV, as
 * kernfs gives for removed nodes).
 *
 * <p>With a state file ({@code --state FILE}) every store that changed the state is followed,
 * before the write returns, by an atomic save of the whole state ({@link StateFile}). If the
 * save fails (a full disk: ENOSPC, else EIO) the write fails and the system is put back to
 * the last saved state, so what the file holds and what the tree shows never part.
 *
 * <p>Locking: {@code state_mutex} ({@link #STATE_MUTEX}, a {@link KMutex} the lock validator
 * knows, outermost of all: taken with no other lock held). It is never held while a store
 * runs: stores run concurrently and may block for as long as the kernel's do (an mdev
 * {@code remove} waits for its guest, a queue reset waits for the hardware) without holding
 * anything of ours. After a store returns, the save takes {@code state_mutex}, dumps the model
 * (each part under the model's own locks) and writes the file; dumping for a read of
 * {@code state}, loading and rebooting take it too. So every acknowledged store is in the file
 * before its write returns, and a save never waits for a store that is itself waiting.
 */
public final class Simulation implements Kernfs.StoreHook {
    /** {@code state_mutex}: serialises saving, dumping, loading and rebooting; never held across a store. */
    public static final LockClass STATE_MUTEX = org.apsysfs.locking.LockRank.STATE_MUTEX.cls();

    private static final AttributeGroup<Simulation> STATE_ATTRS = AttributeGroup.of(
            Attribute.document("state", 0644, Simulation::stateShow, Simulation::stateStore),
            Attribute.wo("reboot", Simulation::rebootStore),
            Attribute.ro("cmdline", s -> s.current.cmdline().text() + "\n"));

    private final Clock clock;
    private final StateFile file;
    private final KMutex stateMutex = new KMutex(STATE_MUTEX);
    private volatile Daemon current;
    /** The text last written to {@link #file}; guarded by state_mutex. */
    private String saved;

    private Simulation(Daemon d, Clock clock, StateFile file) {
        this.clock = clock;
        this.file = file;
        adopt(d);
        this.current = d;
    }

    /** Serves {@code d} without a state file (the control file can still dump and load). */
    public static Simulation of(Daemon d) {
        synchronized (d) {
            if (d.kernel().controlDir().child("state") instanceof KernfsAttr a && a.owner() instanceof Simulation s) {
                return s;
            }
            return new Simulation(d, d.kernel().clock(), null);
        }
    }

    /**
     * Starts with a state file: restores it if it exists, else boots {@code machine} and saves
     * its state there first.
     *
     * @throws StateException if the file cannot be read or is not a usable state (it is left
     *     untouched), or a new file cannot be written
     * @throws IllegalArgumentException if {@code machine} is needed and is bad
     */
    public static Simulation withStateFile(String machine, Clock clock, Path path) {
        StateFile f = new StateFile(path);
        f.removeStaleTemporaries();
        if (f.exists()) {
            String text = f.read();
            Daemon d = StateFormat.restore(StateFormat.parse(text, "state"), clock);
            Simulation s = new Simulation(d, clock, f);
            s.saved = render(d);
            d.kernel().log().info("apsysfs: state: restored from %s", f.path());
            return s;
        }
        Daemon d = Daemon.create(machine, clock);
        Simulation s = new Simulation(d, clock, f);
        String text = render(d);
        try {
            f.write(text);
        } catch (IOException e) {
            d.shutdown();
            throw new StateException(f.path() + ": cannot create the state file: " + e.getMessage(), e);
        }
        s.saved = text;
        d.kernel().log().info("apsysfs: state: new state file %s", f.path());
        return s;
    }

    /** The system served now. */
    public Daemon daemon() {
        return current;
    }

    /** The tree served now (what the FUSE edge resolves each request in). */
    public Kernfs kernfs() {
        return current.kernel().sysfs();
    }

    public Optional<StateFile> stateFile() {
        return Optional.ofNullable(file);
    }

    /**
     * Replaces the system with the one {@code doc} describes (and saves it, with a state file).
     *
     * @throws StateException if the state cannot be restored; nothing changed
     * @throws IOException if it cannot be saved; nothing changed
     */
    public void load(JsonNode doc) throws IOException {
        try (Guard g = stateMutex.lock()) {
            Daemon nd = StateFormat.restore(doc, clock);
            if (file != null) {
                String text = render(nd);
                try {
                    file.write(text);
                } catch (IOException e) {
                    nd.shutdown();
                    nd.kernel().sysfs().retire();
                    throw e;
                }
                saved = text;
            }
            swap(nd);
        }
    }

    /**
     * Reboots the simulated host with {@code cmdline}: a fresh kernel on the same machine
     * (its hardware as it is now: installed adapters, those taken out of the configuration,
     * configured-off and check-stopped adapters) boots and replaces the running one, as a
     * state load does; the kernel's state (masks, bindings, mdevs, guests, injected faults, log,
     * uevents) is gone. With a state file the new state is saved first.
     *
     * @throws KernelException EINVAL if a parameter is bad, ENOSPC/EIO if the state cannot be
     *     saved; nothing changed
     */
    public void reboot(Cmdline cmdline) {
        try (Guard g = stateMutex.lock()) {
            Daemon cur = current;
            org.apsysfs.hardware.MachineSpec spec = cur.hardware().currentSpec();
            java.util.List<Integer> out = new java.util.ArrayList<>();
            for (int id : cur.hardware().adaptersOutOfConfig().ids()) {
                out.add(id);
            }
            Daemon nd = Daemon.create(spec, clock, hw -> out.forEach(hw::removeAdapter), cmdline);
            if (file != null) {
                String text = render(nd);
                try {
                    file.write(text);
                } catch (IOException e) {
                    nd.shutdown();
                    nd.kernel().sysfs().retire();
                    throw KernelException.of(StateFile.errnoOf(e), "apsysfs: reboot: cannot save %s (%s); nothing changed",
                            file.path(), e.getMessage());
                }
                saved = text;
            }
            nd.kernel().log().info("apsysfs: reboot: booted%s", cmdline.text().isEmpty() ? "" : " with " + cmdline.text());
            swap(nd);
        }
    }

    /** {@code reboot} store: the written text is the kernel command line of the new boot. */
    private void rebootStore(String buf) {
        String line = org.apsysfs.base.Uevent.cstr(buf);
        reboot(Cmdline.parse(line));
    }

    /** Saves the current state if it differs from the file (on exit). */
    public void saveNow() throws IOException {
        if (file == null) {
            return;
        }
        try (Guard g = stateMutex.lock()) {
            String text = render(current);
            if (!text.equals(saved)) {
                file.write(text);
                saved = text;
            }
        }
    }

    /** Stops the current system's background work. */
    public void close() {
        current.shutdown();
    }

    private static String render(Daemon d) {
        return StateFormat.render(StateFormat.dump(d));
    }

    private void adopt(Daemon d) {
        d.kernel().sysfs().setStoreHook(this);
        d.kernel().controlDir().addGroup(STATE_ATTRS, this);
    }

    /** Puts {@code nd} in place of the current system; state_mutex held. */
    private void swap(Daemon nd) {
        Daemon old = current;
        adopt(nd);
        current = nd;
        old.kernel().sysfs().retire();
        old.shutdown();
        for (ServeHook h : serveHooks) {
            h.served(nd, true);
        }
    }

    /** Told of every system the mount serves, once it is in place. */
    public interface ServeHook {
        /**
         * {@code d} is served now; {@code booted} if it replaced another one (a reboot or a
         * loaded state), false for the system served when the hook was added.
         */
        void served(Daemon d, boolean booted);
    }

    private final java.util.List<ServeHook> serveHooks = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Adds {@code h} and tells it of the system served now. */
    public void onServe(ServeHook h) {
        try (Guard g = stateMutex.lock()) {
            serveHooks.add(h);
            h.served(current, false);
        }
    }

    // ------------------------------------------------------------------ Kernfs.StoreHook

    @Override
    public void around(Kernfs fs, KernfsAttr attr, Runnable store) {
        // no lock of ours around the store: it may block as long as the kernel's store would
        store.run();
        if (attr.owner() == this) {
            // the state file itself: a load or reboot takes state_mutex and saves by itself
            return;
        }
        if (file != null) {
            persist(fs, attr);
        }
    }

    /** Saves after a store on {@code fs}; undoes the store if the save fails. */
    private void persist(Kernfs fs, KernfsAttr attr) {
        try (Guard g = stateMutex.lock()) {
            Daemon d = current;
            if (d.kernel().sysfs() != fs) {
                throw KernelException.of(Errno.ENODEV,
                        "apsysfs: state: the system was replaced while %s was written; the write is lost", attr.path());
            }
            String text = render(d);
            if (text.equals(saved)) {
                return;
            }
            try {
                file.write(text);
                saved = text;
            } catch (IOException e) {
                Errno errno = StateFile.errnoOf(e);
                String why = String.format("apsysfs: state: cannot save %s (%s): the write to %s was undone",
                        file.path(), e.getMessage(), attr.path());
                Daemon back;
                try {
                    back = StateFormat.restore(StateFormat.parse(saved, "saved state"), clock);
                } catch (RuntimeException r) {
                    d.kernel().log().err("apsysfs: state: cannot save %s (%s) nor go back to the saved state: %s",
                            file.path(), e.getMessage(), r.getMessage());
                    throw KernelException.of(Errno.EIO, "apsysfs: state: cannot save %s: %s", file.path(), e.getMessage());
                }
                swap(back);
                back.kernel().log().err("%s", why);
                throw KernelException.of(errno, why);
            }
        }
    }

    // ------------------------------------------------------------------ the control file

    private String stateShow() {
        // state_mutex is held only for a dump and a file write, never across a store, so a
        // store that is blocked (an mdev remove waiting for its guest) does not hold up a read
        try (Guard g = stateMutex.lock()) {
            return render(current);
        }
    }

    /**
     * {@code state} store: the written text, collected from offset 0, is applied once it is a
     * complete JSON document. EINVAL if it is not JSON or not a state that can be restored
     * (nothing changes); ENOSPC/EIO if it cannot be saved (nothing changes).
     */
    private boolean stateStore(CharSequence collected) {
        // a state is an object: until the text ends in '}' it cannot be complete (spares a copy
        // and a parse of the whole text on every one of the many writes a long document takes)
        int first = 0;
        while (first < collected.length() && Character.isWhitespace(collected.charAt(first))) {
            first++;
        }
        int last = collected.length() - 1;
        while (last >= first && Character.isWhitespace(collected.charAt(last))) {
            last--;
        }
        if (first > last) {
            return false;
        }
        if (collected.charAt(first) != '{') {
            throw KernelException.of(Errno.EINVAL, "apsysfs: state: refused: a state is a JSON object ({...}), "
                    + "this starts with '%s'", org.apsysfs.kernel.Printable.of(String.valueOf(collected.charAt(first))));
        }
        if (collected.charAt(last) != '}') {
            return false;
        }
        String text = collected.toString();
        JsonNode doc;
        try {
            doc = StateFormat.parseOrIncomplete(text, "state");
        } catch (StateException e) {
            throw KernelException.of(Errno.EINVAL, "apsysfs: state: refused: %s", e.getMessage());
        }
        if (doc == null) {
            return false;
        }
        try {
            load(doc);
        } catch (StateException e) {
            throw KernelException.of(Errno.EINVAL, "apsysfs: state: refused: %s; nothing changed", e.getMessage());
        } catch (IOException e) {
            throw KernelException.of(StateFile.errnoOf(e), "apsysfs: state: cannot save %s (%s); nothing changed",
                    file.path(), e.getMessage());
        }
        current.kernel().log().info("apsysfs: state: loaded (%d bytes)", text.length());
        return true;
    }
}
