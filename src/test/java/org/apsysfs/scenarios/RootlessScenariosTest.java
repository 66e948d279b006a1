package org.apsysfs.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apsysfs.clients.S390Tools;
import org.apsysfs.scenarios.Scenario.Command;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The tutorial without root: every scenario of tests/scenarios, as a normal user with an
 * empty home, through {@code scripts/apsysfs mount} (a daemon of that user, mounted through
 * fusermount) and the walkthrough once more inside {@code scripts/apsysfs shell} (a user
 * namespace where the user is root). As root (CI) the test makes a throwaway user with
 * useradd and removes it afterwards; as a normal user it runs as that user. The user gets a
 * copy of the launcher, the scenarios and target/apsysfs.jar (which scripts/test builds
 * before the tests), so the clone's own permissions do not matter.
 */
@Timeout(value = 600, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RootlessScenariosTest {
    static final Path ROOT = ScenariosTest.ROOT;

    private static int uid() {
        return (int) new com.sun.security.auth.module.UnixSystem().getUid();
    }

    private static Sys run(List<String> argv, long seconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        return new Sys(p.waitFor(), new String(out, StandardCharsets.UTF_8));
    }

    record Sys(int rc, String out) {
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static void readableByAll(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(
                        Files.isDirectory(p) || Files.isExecutable(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    private static boolean newerThan(Path dir, long millis) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.anyMatch(p -> {
                try {
                    return Files.getLastModifiedTime(p).toMillis() > millis;
                } catch (IOException e) {
                    return false;
                }
            });
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void theTutorialScenariosRunAsANormalUser() throws Exception {
        Path jar = ROOT.resolve("target/apsysfs.jar");
        assertThat(jar).as("target/apsysfs.jar (scripts/test builds it before the tests)").isRegularFile();
        List<Path> files;
        try (Stream<Path> s = Files.list(ScenariosTest.DIR)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".txt")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThan(5);

        Path work = Files.createTempDirectory("apsysfs-rootless");
        String user = uid() == 0 ? "apsysfs-rl" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000)) : null;
        try {
            if (user != null) {
                Sys add = run(List.of("useradd", "--create-home", "--user-group", "--shell", "/bin/bash", user), 60);
                assertThat(add.rc()).as("useradd " + user + ": " + add.out()).isZero();
            }
            List<String> asUser = user == null ? List.of() : List.of("runuser", "-u", user, "--");
            // the clone itself where the user may read it (its class-data archive then serves the
            // user's daemons too), else a copy of what the user needs
            Path clone = ROOT;
            List<String> probe = new ArrayList<>(asUser);
            probe.addAll(List.of("test", "-r", jar.toString(), "-a", "-r", ScenariosTest.DIR.resolve("lib.sh").toString(),
                    "-a", "-x", ROOT.resolve("scripts/apsysfs").toString()));
            // (and only while the jar is fresh: the user may not rebuild it in our clone)
            if (run(probe, 30).rc() != 0 || newerThan(ROOT.resolve("src"), Files.getLastModifiedTime(jar).toMillis())) {
                clone = work.resolve("clone");
                copyTree(ROOT.resolve("scripts"), clone.resolve("scripts"));
                copyTree(ScenariosTest.DIR, clone.resolve("tests/scenarios"));
                Files.createDirectories(clone.resolve("target"));
                Files.copy(jar, clone.resolve("target/apsysfs.jar"), StandardCopyOption.COPY_ATTRIBUTES);
                copyTree(S390Tools.prefix(), clone.resolve("target/s390-tools"));
            }
            Path out = work.resolve("out");
            Files.createDirectories(out);
            List<List<Command>> commands = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (Path f : files) {
                List<Command> cmds = Scenario.parse(f.getFileName().toString(), Files.readString(f)).commands();
                String name = f.getFileName().toString().replace(".txt", "");
                Files.writeString(out.resolve(name + ".sh"), ScenariosTest.script(cmds, clone.resolve("tests/scenarios/lib.sh")));
                if (Files.readString(f).contains("$GUEST")) {
                    // as ScenariosTest: the guest view of g1 at $GUEST (mount DIR --guest g1=GDIR)
                    Files.writeString(out.resolve(name + ".guest"), ScenariosTest.GUEST_NAME + "\n");
                }
                commands.add(cmds);
                names.add(name);
            }
            Files.copy(out.resolve(names.get(0) + ".sh"), out.resolve("shell.sh"));
            Path driver = work.resolve("driver.sh");
            Files.writeString(driver, String.join("\n",
                    "set -u",
                    "A=$1/scripts/apsysfs; out=$2; shift 2",
                    "export APSYSFS_RUN_DIR=$out/run APSYSFS_LOG_DIR=$out/log",
                    "export PATH=" + (clone.equals(ROOT) ? S390Tools.prefix() : clone.resolve("target/s390-tools")) + "/bin:$PATH",
                    "for s in \"$@\"; do",
                    "    d=$out/mnt-$s; g=; gopt=()",
                    "    if [ -e \"$out/$s.guest\" ]; then g=$out/guest-$s; gopt=(--guest \"$(cat \"$out/$s.guest\")=$g\"); fi",
                    "    if ! \"$A\" mount \"$d\" \"${gopt[@]}\" >\"$out/$s.mount\" 2>&1; then continue; fi",
                    "    SYSFS=$d GUEST=$g timeout -k 5 120 bash -c \"$(cat \"$out/$s.sh\")\" >\"$out/$s.out\" 2>&1 </dev/null",
                    "    (cd / && \"$A\" umount \"$d\") >>\"$out/$s.mount\" 2>&1",
                    "done",
                    "# the walkthrough once more where the tree is /sys: shell mounts the user's default tree",
                    "timeout -k 5 180 \"$A\" shell --no-udevd -- env SYSFS=/sys bash -c \"$(cat \"$out/shell.sh\")\" >\"$out/shell.out\" 2>\"$out/shell.err\" </dev/null",
                    "echo \"shell $?\" >\"$out/shell.rc\"",
                    ""));
            readableByAll(work);
            List<String> argv = new ArrayList<>(asUser);
            if (user != null) {
                Sys own = run(List.of("chown", "-R", user + ":", out.toString()), 60);
                assertThat(own.rc()).as(own.out()).isZero();
            }
            // a login's environment: an empty home, no XDG variables, the distribution's PATH
            String home = user != null ? "/home/" + user : System.getProperty("user.home");
            argv.addAll(List.of("env", "-i", "HOME=" + home, "USER=" + (user != null ? user : System.getProperty("user.name")),
                    "PATH=/usr/local/bin:/usr/bin:/bin", "LC_ALL=C", "JAVA_HOME=" + System.getProperty("java.home"),
                    "bash", driver.toString(), clone.toString(), out.toString()));
            argv.addAll(names);
            Sys r = run(argv, 540);
            assertThat(r.rc()).as("the driver: " + r.out()).isZero();

            StringBuilder problems = new StringBuilder();
            for (int i = 0; i < names.size(); i++) {
                String n = names.get(i);
                String mount = Files.readString(out.resolve(n + ".mount"));
                if (!mount.contains("serving ") || mount.contains("missing") || !mount.contains("unmounted ")) {
                    problems.append("\n").append(n).append(": mount/umount as a normal user:\n").append(mount);
                    continue;
                }
                problems.append(compare(n, commands.get(i), Files.readString(out.resolve(n + ".out"))));
            }
            assertThat(Files.readString(out.resolve("shell.rc"))).as("shell: " + Files.readString(out.resolve("shell.err")))
                    .isEqualTo("shell 0\n");
            problems.append(compare("shell " + names.get(0), commands.get(0), Files.readString(out.resolve("shell.out"))));
            assertThat(problems.toString()).as("scenarios as a normal user").isEmpty();
        } finally {
            if (user != null) {
                removeUser(user);
            }
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f[4].startsWith(work.toString())) {
                    run(List.of("fusermount", "-u", "-z", f[4]), 10);
                }
            }
            deleteTree(work);
        }
    }

    /**
     * Where user namespaces are forbidden (an unshare that fails, as with
     * kernel.unprivileged_userns_clone=0), a user's shell refuses with exit 2 and names the
     * settings, before it mounts anything.
     */
    @Test
    void aUsersShellWithoutUserNamespacesNamesTheSysctls() throws Exception {
        Path bin = Files.createTempDirectory("apsysfs-nouserns");
        try {
            Path unshare = bin.resolve("unshare");
            Files.writeString(unshare, "#!/bin/sh\necho 'unshare: unshare failed: Operation not permitted' >&2\nexit 1\n");
            readableByAll(bin);
            Files.setPosixFilePermissions(unshare, PosixFilePermissions.fromString("rwxr-xr-x"));
            List<String> argv = new ArrayList<>();
            if (uid() == 0) {
                argv.addAll(List.of("runuser", "-u", "nobody", "--"));
            }
            Path dir = bin.resolve("tree");
            argv.addAll(List.of("env", "-i", "HOME=/nonexistent", "PATH=" + bin + ":/usr/bin:/bin", "bash",
                    ROOT.resolve("scripts/apsysfs").toString(), "shell", dir.toString(), "--", "true"));
            Sys r = run(argv, 60);
            assertThat(r.rc()).as(r.out()).isEqualTo(2);
            assertThat(r.out()).contains("user namespaces", "kernel.unprivileged_userns_clone", "user.max_user_namespaces",
                    "kernel.apparmor_restrict_unprivileged_userns");
            assertThat(dir).as("nothing mounted or made").doesNotExist();
        } finally {
            deleteTree(bin);
        }
    }

    private static String compare(String name, List<Command> cmds, String out) {
        List<List<String>> outputs = new ArrayList<>();
        List<Integer> exits = new ArrayList<>();
        try {
            ScenariosTest.parse(out, cmds.size(), outputs, exits);
        } catch (AssertionError e) {
            return "\n" + name + ": " + e.getMessage();
        }
        String d = ScenariosTest.diff(cmds, outputs, exits);
        return d.isEmpty() ? "" : "\n" + name + " differs as a normal user:" + d;
    }

    /** Stops what the throwaway user left running (by pid), then removes the user and its home. */
    private static void removeUser(String user) throws IOException, InterruptedException {
        for (int round = 0; round < 2; round++) {
            List<ProcessHandle> left = ProcessHandle.allProcesses()
                    .filter(h -> h.info().user().map(user::equals).orElse(false)).toList();
            if (left.isEmpty()) {
                break;
            }
            left.forEach(round == 0 ? ProcessHandle::destroy : ProcessHandle::destroyForcibly);
            Thread.sleep(1000);
        }
        Sys del = run(List.of("userdel", "--remove", user), 60);
        assertThat(del.rc()).as("userdel " + user + ": " + del.out()).isIn(0, 12); // 12: home already gone
    }
}
