package org.apsysfs.testing;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apsysfs.Daemon;
import org.apsysfs.Kernel;
import org.apsysfs.fuse.FuseMount;
import org.apsysfs.fuse.SysfsFuse;
import org.apsysfs.sysfs.Kernfs;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;

/**
 * The JUnit 5 extension behind {@link MountedSysfs}. A class-level mount is made in
 * {@code beforeAll} and unmounted in {@code afterAll}; a per-test mount is made in
 * {@code beforeEach} and unmounted in {@code afterEach}. Both are also registered as closeable
 * resources in the JUnit store (closed even when a callback or the test failed) and with the
 * JVM shutdown hook of {@link SysfsMount}.
 */
public final class MountExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(MountExtension.class);
    private static final String KEY = "mount";
    private static final List<Class<?>> INJECTABLE = List.of(SysfsMount.class, Path.class, Kernfs.class,
            Daemon.class, Kernel.class, SysfsFuse.class, FuseMount.class);

    /** Closes the mount when JUnit closes the store it lives in. */
    private record Holder(SysfsMount mount) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            mount.close();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        MountedSysfs cfg = classConfig(context);
        if (cfg == null || cfg.perTest()) {
            return;
        }
        boolean own = AnnotationSupport.isAnnotated(context.getRequiredTestClass(), MountedSysfs.class);
        if (own || context.getParent().flatMap(MountExtension::mountOf).isEmpty()) {
            mountInto(context, cfg, null); // a @Nested class without its own annotation shares the outer mount
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Optional<MountedSysfs> onMethod = context.getTestMethod()
                .flatMap(m -> AnnotationSupport.findAnnotation(m, MountedSysfs.class));
        MountedSysfs cfg = onMethod.orElse(classConfig(context));
        if (cfg != null && (onMethod.isPresent() || cfg.perTest())) {
            mountInto(context, cfg, context.getTestInstance().orElse(null));
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        closeIn(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        closeIn(context);
    }

    private static void closeIn(ExtensionContext context) {
        Holder h = context.getStore(NS).remove(KEY, Holder.class);
        if (h != null) {
            h.close();
        }
    }

    private static MountedSysfs classConfig(ExtensionContext context) {
        for (Optional<Class<?>> c = context.getTestClass(); c.isPresent(); c = enclosing(c.get())) {
            Optional<MountedSysfs> a = AnnotationSupport.findAnnotation(c.get(), MountedSysfs.class);
            if (a.isPresent()) {
                return a.get();
            }
        }
        return null;
    }

    private static Optional<Class<?>> enclosing(Class<?> c) {
        return Modifier.isStatic(c.getModifiers()) ? Optional.empty() : Optional.ofNullable(c.getEnclosingClass());
    }

    private static void mountInto(ExtensionContext context, MountedSysfs cfg, Object testInstance) {
        Object tree = buildTree(context.getRequiredTestClass(), testInstance);
        SysfsMount m;
        if (tree instanceof Daemon d) {
            m = SysfsMount.mount(d.kernel().sysfs(), d, cfg.allowOther(), cfg.singleThreaded());
        } else if (tree instanceof Kernel k) {
            m = SysfsMount.mount(k, cfg.allowOther(), cfg.singleThreaded());
        } else {
            m = SysfsMount.mount((Kernfs) tree, null, cfg.allowOther(), cfg.singleThreaded());
        }
        context.getStore(NS).put(KEY, new Holder(m));
    }

    private static Object buildTree(Class<?> testClass, Object testInstance) {
        List<Method> factories = AnnotationSupport.findAnnotatedMethods(testClass, SysfsTree.class,
                HierarchyTraversalMode.BOTTOM_UP);
        if (factories.isEmpty()) {
            return Daemon.create("default");
        }
        Method f = factories.get(0);
        boolean isStatic = Modifier.isStatic(f.getModifiers());
        if (!isStatic && testInstance == null) {
            throw new ExtensionConfigurationException("@SysfsTree method " + f.getName()
                    + " must be static for a per-class mount (or use @MountedSysfs(perTest = true))");
        }
        if (f.getParameterCount() != 0) {
            throw new ExtensionConfigurationException("@SysfsTree method " + f.getName() + " must take no arguments");
        }
        try {
            f.setAccessible(true);
            Object tree = f.invoke(isStatic ? null : testInstance);
            if (!(tree instanceof Kernfs || tree instanceof Daemon || tree instanceof Kernel)) {
                throw new ExtensionConfigurationException("@SysfsTree method " + f.getName()
                        + " must return a Kernfs, Daemon or Kernel, not " + tree);
            }
            return tree;
        } catch (ReflectiveOperationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new ExtensionConfigurationException("@SysfsTree method " + f.getName() + " failed: " + cause, cause);
        }
    }

    /** The mount a test in {@code context} sees: its own, else the nearest enclosing one. */
    public static Optional<SysfsMount> mountOf(ExtensionContext context) {
        for (Optional<ExtensionContext> c = Optional.of(context); c.isPresent(); c = c.get().getParent()) {
            Holder h = c.get().getStore(NS).get(KEY, Holder.class);
            if (h != null) {
                return Optional.of(h.mount());
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
        Class<?> t = pc.getParameter().getType();
        if (t == Path.class && pc.isAnnotated(TempDir.class)) {
            return false;
        }
        return INJECTABLE.contains(t);
    }

    @Override
    public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
        SysfsMount m = mountOf(ec).orElseThrow(() -> new ExtensionConfigurationException(
                "no apsysfs mount for " + pc.getParameter() + " (per-test mounts exist only from beforeEach on;"
                        + " constructors get only per-class mounts)"));
        Class<?> t = pc.getParameter().getType();
        Object v;
        if (t == SysfsMount.class) {
            v = m;
        } else if (t == Path.class) {
            v = m.path();
        } else if (t == Kernfs.class) {
            v = m.kernfs();
        } else if (t == Daemon.class) {
            v = m.daemon();
        } else if (t == Kernel.class) {
            v = m.kernel();
        } else if (t == SysfsFuse.class) {
            v = m.fuse();
        } else {
            v = m.fuseMount();
        }
        if (v == null) {
            throw new ExtensionConfigurationException("the mounted tree has no " + t.getSimpleName()
                    + " (the @SysfsTree method returned a bare Kernfs)");
        }
        return v;
    }
}
