package org.apsysfs.fuse;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Mounts made by the test class get the kernel-side cache, which is opt-in
 * ({@code -Dapsysfs.fuse.cache=true}, {@link FuseLoop#cacheMode}); use with
 * {@code @ExtendWith(KernelCacheOn.class)}. Test classes run one after another in the test JVM.
 */
final class KernelCacheOn implements BeforeAllCallback, AfterAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
        System.setProperty("apsysfs.fuse.cache", "true");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        System.clearProperty("apsysfs.fuse.cache");
    }
}
