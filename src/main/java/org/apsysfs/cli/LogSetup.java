package org.apsysfs.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.nio.file.Path;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.SubstituteLoggerFactory;

/**
 * The daemon's log, configured in code (found by logback through {@code META-INF/services}):
 * one file appender, {@code apsysfs.log.file} or standard error, root level
 * {@code apsysfs.log.level} (INFO). Parsing a logback.xml with Joran took about a tenth of
 * the daemon's start-up. A {@code logback-test.xml} on the class path (the test suite) or a
 * {@code -Dlogback.configurationFile} still wins: then logback's own configuration runs.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {
    static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %logger{0}: %msg%n";
    private static final String APPENDER = "OUT";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || LogSetup.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(System.getProperty("apsysfs.log.level"), Level.INFO));
        root.addAppender(appender(context, System.getProperty("apsysfs.log.file", "/dev/stderr")));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    private static Appender<ILoggingEvent> appender(LoggerContext context, String file) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        FileAppender<ILoggingEvent> out = new FileAppender<>();
        out.setContext(context);
        out.setName(APPENDER);
        out.setFile(file);
        out.setAppend(true);
        out.setImmediateFlush(true);
        out.setEncoder(encoder);
        out.start();
        return out;
    }

    /**
     * Sends the log to {@code file} from now on (the {@code --log-file} option, known only
     * once the command line is parsed, possibly after the log was first used). Does nothing
     * if this class did not configure the log (tests, an explicit logback configuration).
     */
    public static void logTo(Path file) {
        String name = file.toAbsolutePath().toString();
        System.setProperty("apsysfs.log.file", name);
        // another thread (the FUSE preload) may be initialising the log right now: SLF4J then
        // answers with a stand-in factory; the configuration it makes may predate the property
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        for (int i = 0; factory instanceof SubstituteLoggerFactory && i < 10_000; i++) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            factory = LoggerFactory.getILoggerFactory();
        }
        if (!(factory instanceof LoggerContext context)) {
            return;
        }
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        Appender<ILoggingEvent> old = root.getAppender(APPENDER);
        if (!(old instanceof FileAppender<ILoggingEvent> f) || name.equals(f.getFile())) {
            return;
        }
        root.addAppender(appender(context, name));
        root.detachAppender(old);
        old.stop();
    }
}
