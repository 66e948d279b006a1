package org.apsysfs.kvm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The simulated KVM guests of the host, and the NIB hazard checker: every time the simulated
 * hardware could post an adapter interrupt to a notification indicator byte whose guest page
 * is no longer pinned, a hazard is recorded (tests assert there are none).
 */
public final class Guests {
    private final Map<String, Kvm> guests = new ConcurrentSkipListMap<>();
    private final List<String> hazards = new CopyOnWriteArrayList<>();

    /** Creates a guest; false if the name is taken. */
    public synchronized boolean create(Kvm kvm) {
        return guests.putIfAbsent(kvm.name(), kvm) == null;
    }

    public synchronized boolean destroy(String name) {
        return guests.remove(name) != null;
    }

    public Kvm get(String name) {
        return guests.get(name);
    }

    public List<Kvm> all() {
        return new ArrayList<>(guests.values());
    }

    /**
     * The hardware could post an interrupt for {@code apqn} to the guest page behind
     * {@code guestNib} of {@code kvm}: records a hazard if that page is not pinned.
     */
    public void checkPost(String why, String apqn, Kvm kvm, long guestNib) {
        if (kvm == null || !kvm.isPinned(guestNib)) {
            hazards.add(String.format("%s: queue %s may post an interrupt to NIB 0x%x of guest %s, which is not pinned",
                    why, apqn, guestNib, kvm == null ? "(none)" : kvm.name()));
        }
    }

    public List<String> hazards() {
        return List.copyOf(hazards);
    }
}
