package org.apsysfs.hardware;

import java.util.Map;
import java.util.Optional;
import org.apsysfs.kernel.KernelException;

/**
 * The AP hardware as one kernel sees it: the instructions its AP bus and drivers issue
 * (PQAP QCI/TAPQ/RAPQ/ZAPQ/AQIC/QACT, NQAP, SCLP configure) and what they tell about adapters.
 * The host kernel runs on the machine itself ({@link ApHardware}); a KVM guest's kernel runs on
 * the view the SIE interpretation gives it ({@code org.apsysfs.kvm.GuestApView}): the same
 * {@code bus} code on different "hardware", as in {@code arch/s390/include/asm/ap.h}, where the
 * same inline assembly is interpreted by firmware for a guest.
 *
 * <p>Implementations never call out while holding their own lock (callers may hold theirs).
 */
public interface ApMachine {
    /** The highest adapter ID the kernel uses (Na with APXA, else 63). */
    int maxAdapterId();

    /** The highest domain ID the kernel uses (Nd with APXA, else 15). */
    int maxDomainId();

    /** PQAP(QCI), or empty without the QCI facility. */
    Optional<Qci> qci();

    /** PQAP(TAPQ); {@code withInfo}: the T bit (GR2 information). */
    TapqResult tapq(int apqn, boolean withInfo);

    /** PQAP(RAPQ). */
    ApQueueStatus rapq(int apqn);

    /** PQAP(ZAPQ). */
    ApQueueStatus zapq(int apqn);

    /** PQAP(AQIC): enable (ISC, NIB) or disable interruptions for the queue. */
    ApQueueStatus aqic(int apqn, boolean enable, int isc, long nibAddress);

    /** PQAP(QACT). */
    QactResult qact(int apqn, ApMode mode, int category);

    /** A minimal NQAP. */
    ApQueueStatus nqap(int apqn);

    /** The adapter {@code apid} as this kernel can learn about it, or null. */
    AdapterInfo adapter(int apid);

    /** The hardware state of queue {@code apqn}. */
    QueueInfo queueInfo(int apqn);

    /** The master-key verification patterns of a queue (see {@link ApHardware#mkvps}). */
    Map<String, String> mkvps(int apqn);

    /**
     * SCLP configure/deconfigure of an adapter.
     *
     * @throws KernelException with the errno the card's {@code config} store returns
     */
    void sclpConfigure(int apid, boolean on);

    /**
     * The AP adapter-interruption facility (STFLE bit 65, {@code ap_interrupts_available}):
     * the AP bus then enables interruptions on its queues with AQIC.
     */
    default boolean adapterInterrupts() {
        return true;
    }

    /**
     * PQAP(RAPQ) with the F bit ({@code ap_rapq(qid, fbit)}, {@code asm/ap.h}): a full reset,
     * which in a Secure Execution guest also undoes the queue's SE bind. Without SE the same as
     * {@link #rapq(int)}.
     */
    default ApQueueStatus rapq(int apqn, boolean fbit) {
        return rapq(apqn);
    }

    /** PQAP(BAPQ), bind the queue to a Secure Execution guest: not installed outside one. */
    default ApQueueStatus bapq(int apqn) {
        return ApQueueStatus.of(ApRc.REQ_FAC_NOT_INST);
    }

    /** PQAP(AAPQ), associate a bound EP11 queue with secret {@code index}: not installed outside an SE guest. */
    default ApQueueStatus aapq(int apqn, int index) {
        return ApQueueStatus.of(ApRc.REQ_FAC_NOT_INST);
    }

    /**
     * The kernel runs as a Secure Execution (protected virtualization) guest: the Ultravisor
     * says so ({@code is_prot_virt_guest()}, {@code arch/s390/kernel/uv.c}).
     */
    default boolean protectedGuest() {
        return false;
    }
}
