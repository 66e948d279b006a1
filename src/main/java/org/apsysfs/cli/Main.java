package org.apsysfs.cli;

import org.apsysfs.fuse.FuseMount;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code apsysfs} command line. */
@Command(name = "apsysfs", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Serves a simulated s390 AP bus and vfio_ap sysfs tree over FUSE.",
        subcommands = {RunCommand.class, NetlinkAttachCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("run")) {
            // before anything else: a signal that ends the daemon leaves a stale mount
            Signals.ignoreTheOthers();
            // loading jnr-fuse and libfuse takes longer than parsing the command line: start now,
            // on a thread of its own from the start (FuseMount's class initialisation sets up
            // the log, which need not delay the parsing either)
            Thread t = new Thread(FuseMount::preload, "fuse-preload-start");
            t.setDaemon(true);
            t.start();
        }
        int rc = new CommandLine(new Main()).execute(args);
        System.exit(rc);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"apsysfs " + (v == null ? "dev" : v)};
        }
    }
}
