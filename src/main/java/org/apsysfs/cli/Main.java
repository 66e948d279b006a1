package org.apsysfs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code apsysfs} command line. */
@Command(name = "apsysfs", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Serves a simulated s390 AP bus and vfio_ap sysfs tree over FUSE.",
        subcommands = {RunCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
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
