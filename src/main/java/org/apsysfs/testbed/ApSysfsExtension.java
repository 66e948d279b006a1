package org.apsysfs.testbed;

import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves parameters annotated {@link ApSysfsMachine}: starts a {@link Testbed} per parameter
 * and closes it when the test (or the lifecycle method) that asked for it ends, kept in the
 * JUnit store so it is closed even when the test fails.
 */
public final class ApSysfsExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ApSysfsExtension.class);

    /** Closes the test bed when JUnit closes the store. */
    private record Holder(Testbed testbed) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            testbed.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext context) {
        Class<?> t = p.getParameter().getType();
        return p.isAnnotated(ApSysfsMachine.class) && (t == Path.class || t == Testbed.class);
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext context) {
        ApSysfsMachine a = p.findAnnotation(ApSysfsMachine.class).orElseThrow();
        Testbed tb;
        try {
            tb = Testbed.start(a.value(), a.state().isEmpty() ? null : Path.of(a.state()));
        } catch (RuntimeException e) {
            throw new ParameterResolutionException("@ApSysfsMachine(\"" + a.value() + "\"): " + e.getMessage(), e);
        }
        context.getStore(NS).put(p.getDeclaringExecutable().toString() + "#" + p.getIndex(), new Holder(tb));
        return p.getParameter().getType() == Testbed.class ? tb : tb.sys();
    }
}
