package org.apsysfs.zcrypt;

import org.apsysfs.Kernel;
import org.apsysfs.bus.ApBus;
import org.apsysfs.bus.ApCard;
import org.apsysfs.bus.ApDriver;
import org.apsysfs.bus.ApQueue;
import org.apsysfs.hardware.ApMode;
import org.apsysfs.sysfs.AttributeGroup;

/**
 * The zcrypt CEX4+ drivers ({@code zcrypt_cex4.c}): {@code cex4card} and {@code cex4queue},
 * the AP bus's default drivers. Binding adds zcrypt's files to the device; unbinding
 * removes them.
 */
public final class Cex4Drivers {
    private Cex4Drivers() {
    }

    /** Registers both drivers ({@code zcrypt_cex4_init}). */
    public static void register(Kernel kernel, ApBus bus) {
        new CardDriver(kernel, bus).register();
        new QueueDriver(kernel, bus).register();
    }

    static final class CardDriver extends ApDriver {
        CardDriver(Kernel kernel, ApBus bus) {
            super(kernel, bus, "cex4card", "zcrypt_cex4", true, true);
        }

        @Override
        protected void probeCard(ApCard card) {
            card.setDrvdata(new ZcryptCard(card));
            card.dir().addGroup(ZcryptCard.ZCRYPT_CARD_ATTRS, card);
            if (card.mode() == ApMode.CCA) {
                card.dir().addGroup(ZcryptCard.CCA_CARD_ATTRS, card);
            } else if (card.mode() == ApMode.EP11) {
                card.dir().addGroup(ZcryptCard.EP11_CARD_ATTRS, card);
            }
        }

        @Override
        protected void removeCard(ApCard card) {
            card.dir().removeGroup(ZcryptCard.CCA_CARD_ATTRS);
            card.dir().removeGroup(ZcryptCard.EP11_CARD_ATTRS);
            card.dir().removeGroup(ZcryptCard.ZCRYPT_CARD_ATTRS);
            card.setDrvdata(null);
        }
    }

    static final class QueueDriver extends ApDriver {
        QueueDriver(Kernel kernel, ApBus bus) {
            super(kernel, bus, "cex4queue", "zcrypt_cex4", true, false);
        }

        @Override
        protected void probeQueue(ApQueue queue) {
            queue.setDrvdata(new ZcryptQueue());
            queue.initHostState();
            queue.dir().addGroup(ZcryptQueue.ZCRYPT_QUEUE_ATTRS, queue);
            AttributeGroup<ApQueue> g = ZcryptQueue.modeGroup(queue);
            if (g != null) {
                queue.dir().addGroup(g, queue);
            }
        }

        @Override
        protected void removeQueue(ApQueue queue) {
            AttributeGroup<ApQueue> g = ZcryptQueue.modeGroup(queue);
            if (g != null) {
                queue.dir().removeGroup(g);
            }
            queue.dir().removeGroup(ZcryptQueue.ZCRYPT_QUEUE_ATTRS);
            queue.setDrvdata(null);
        }
    }

    /** The zcrypt online flag of a card bound to cex4card; null while it is not bound to it. */
    public static Boolean onlineFlag(org.apsysfs.bus.ApCard c) {
        return c.drvdata() instanceof ZcryptCard z ? z.online : null;
    }

    /** The zcrypt online flag of a queue bound to cex4queue; null while it is not bound to it. */
    public static Boolean onlineFlag(org.apsysfs.bus.ApQueue q) {
        ZcryptQueue z = ZcryptCard.zq(q);
        return z == null ? null : z.online;
    }

    /**
     * Sets a card's online flag as a restored state says (no checks: the flag of a deconfigured
     * card is kept although its {@code online} file shows 0); false if it is not bound to cex4card.
     */
    public static boolean restoreOnlineFlag(org.apsysfs.bus.ApCard c, boolean on) {
        if (c.drvdata() instanceof ZcryptCard z) {
            z.online = on;
            return true;
        }
        return false;
    }

    /** Sets a queue's online flag as a restored state says; false if it is not bound to cex4queue. */
    public static boolean restoreOnlineFlag(org.apsysfs.bus.ApQueue q, boolean on) {
        ZcryptQueue z = ZcryptCard.zq(q);
        if (z == null) {
            return false;
        }
        z.online = on;
        return true;
    }
}
