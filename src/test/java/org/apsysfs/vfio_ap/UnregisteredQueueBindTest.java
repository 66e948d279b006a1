package org.apsysfs.vfio_ap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apsysfs.base.Driver;
import org.apsysfs.bus.ApQueue;
import org.apsysfs.kernel.Errno;
import org.apsysfs.kernel.KernelException;
import org.apsysfs.testing.Sim;
import org.junit.jupiter.api.Test;

/**
 * A bind that found its queue just before a bus scan unregistered it (the window between
 * bind's device lookup and its device_lock) must fail with ENODEV, as the driver core's
 * "device is registered" check makes it, and leave no driver link behind; found by the stress
 * test, where the dangling link broke the next scan that re-created the queue.
 */
class UnregisteredQueueBindTest {
    @Test
    void bindingAQueueThatWasUnregisteredMeanwhileIsEnodev() {
        Sim s = Sim.vfio();
        s.ok("/bus/ap/drivers/vfio_ap/unbind", "06.0004\n");
        ApQueue q = s.d.apBus().queue(0x0604);
        assertThat(q.driver()).isNull();
        Driver vfio = s.d.vfioAp().matrixDev().queueDriverForTests();
        s.d.hardware().removeAdapter(6);
        s.d.apBus().forceRescan();
        assertThat(q.registered()).isFalse();
        assertThatThrownBy(() -> Driver.attach(vfio, q)).isInstanceOf(KernelException.class)
                .satisfies(e -> assertThat(((KernelException) e).errno()).isEqualTo(Errno.ENODEV));
        assertThat(s.fs.lookup("/bus/ap/drivers/vfio_ap/06.0004")).isNull();
        // the queue comes back with the adapter and binds normally
        s.d.hardware().addAdapter(6);
        s.d.apBus().forceRescan();
        assertThat(s.fs.lookup("/bus/ap/drivers/vfio_ap/06.0004")).isNotNull();
        assertThat(s.read("/bus/ap/bindings")).isEqualTo("16/16 (complete)\n");
    }
}
