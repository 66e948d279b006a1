package org.apsysfs.fuse;

import static org.apsysfs.testing.SysfsAssert.assertSysfs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.apsysfs.kernel.Errno;
import org.apsysfs.sysfs.Kernfs;
import org.apsysfs.testing.MountedSysfs;
import org.apsysfs.testing.Stat;
import org.apsysfs.testing.Sys;
import org.apsysfs.testing.SysfsTree;
import org.apsysfs.testing.TestTree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** stat, readdir, readlink, access and the operations kernfs refuses, compared with real sysfs. */
@MountedSysfs
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MountedTreeTest {
    /** A real sysfs directory with a 0644 attribute, on every Linux machine with THP. */
    static final Path REAL_DIR = Path.of("/sys/kernel/mm/transparent_hugepage");
    static final Path REAL_ATTR = REAL_DIR.resolve("enabled");

    static TestTree t;

    @SysfsTree
    static Kernfs tree() {
        t = new TestTree();
        return t.fs;
    }

    @Test
    void attributesStatLikeSysfs(Path mnt) {
        assertSysfs(mnt).file("devices/test/value").isAttribute(0644).hasLsMode("-rw-r--r--");
        assertSysfs(mnt).file("devices/test/ro").isAttribute(0444);
        assertSysfs(mnt).file("devices/test/wo").isAttribute(0200).hasLsMode("--w-------");
        assertSysfs(mnt).file("devices/test/secret").isAttribute(0400);
    }

    @Test
    void anAttributeStatsLikeARealOne(Path mnt) {
        assumeTrue(Files.exists(REAL_ATTR), "no " + REAL_ATTR);
        Stat real = Sys.lstat(REAL_ATTR);
        Stat ours = Sys.lstat(mnt.resolve("devices/test/value"));
        assertThat(ours.lsMode()).isEqualTo(real.lsMode());
        assertThat(ours.size()).isEqualTo(real.size());
        assertThat(ours.nlink()).isEqualTo(real.nlink());
        assertThat(ours.uid()).isEqualTo(ownerAsSeenHere(real.uid()));
        assertThat(ours.gid()).isEqualTo(ownerAsSeenHere(real.gid()));
    }

    /**
     * The owner our tree must show where the real sysfs shows {@code realId}. As root of the
     * initial user namespace, the same (kernfs files are GLOBAL_ROOT_UID's, fs/kernfs/inode.c).
     * As root of a user namespace of its own (scripts/test without root), the host's root is
     * not mapped: the real file shows the overflow uid (from_kuid_munged), and the tree, whose
     * simulated root is this namespace's root, shows 0.
     */
    private static int ownerAsSeenHere(int realId) {
        if (Sys.inInitialUserNamespace()) {
            return realId;
        }
        assertThat(realId).as("a host sysfs file's owner seen from a user namespace").isEqualTo(Sys.overflowUid());
        return 0;
    }

    @Test
    void extendedAttributesAnswerAsOnSysfs(Path mnt) throws Exception {
        // kernfs without an LSM: security.*, trusted.* and user.* read as absent (ENODATA);
        // system.* (POSIX ACLs) and unknown namespaces are not supported (EOPNOTSUPP), which
        // is what makes ls -l stop asking for ACLs after the first entry
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("security.selinux", "ENODATA");
        expected.put("trusted.x", "ENODATA");
        expected.put("user.x", "ENODATA");
        expected.put("system.posix_acl_access", "EOPNOTSUPP");
        expected.put("system.posix_acl_default", "EOPNOTSUPP");
        expected.put("bogus.x", "EOPNOTSUPP");
        expected.put("x", "EOPNOTSUPP");
        for (String p : new String[] {"devices/test/value", "devices/test", "class/test/test0"}) {
            assertThat(xattrErrnos(mnt.resolve(p), expected.keySet())).as(p).isEqualTo(expected);
            assertThat(Sys.llistxattr(mnt.resolve(p))).as(p).isEmpty();
        }
        if (Files.exists(REAL_ATTR)) { // the same answers on this machine's sysfs
            assertThat(xattrErrnos(REAL_ATTR, expected.keySet())).isEqualTo(expected);
        }
        assertThat(Sys.errnoName((int) -Sys.lgetxattr(mnt.resolve("devices/test/none"), "user.x", 16)))
                .isEqualTo("ENOENT");
    }

    private static Map<String, String> xattrErrnos(Path p, Iterable<String> names) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String n : names) {
            int[] errno = new int[1];
            byte[] v = Sys.lgetxattr(p, n, errno);
            m.put(n, v == null ? Sys.errnoName(errno[0]) : "value " + new String(v));
        }
        return m;
    }

    @Test
    void rootKeepsTrustedAndSecurityAttributesButNotUserOnes(Path mnt) {
        Path value = mnt.resolve("devices/test/value");
        Path dir = mnt.resolve("devices/test/subdir");
        if (!Sys.inInitialUserNamespace()) {
            rootOfAUserNamespaceGetsNoTrustedAttributes(value, dir);
            return;
        }
        assertThat(Sys.lsetxattr(value, "trusted.note", "a".getBytes(), 0)).isZero();
        assertThat(Sys.lsetxattr(value, "security.label", new byte[0], 0)).isZero();
        assertThat(Sys.lsetxattr(dir, "trusted.d", "dir".getBytes(), 0)).isZero();
        try {
            int[] errno = new int[1];
            assertThat(new String(Sys.lgetxattr(value, "trusted.note", errno))).isEqualTo("a");
            assertThat(Sys.lgetxattr(value, "security.label", errno)).isEmpty();
            assertThat(Sys.llistxattr(value)).containsExactly("security.label", "trusted.note");
            assertThat(Sys.llistxattr(dir)).containsExactly("trusted.d");
            assertThat(Sys.llistxattr(mnt.resolve("devices/test/ro"))).isEmpty();
            // size 0 asks for the length; a short buffer gets ERANGE
            assertThat(Sys.lgetxattr(value, "trusted.note", 0)).isEqualTo(1);
            assertThat(Sys.lsetxattr(value, "trusted.note", "abc".getBytes(), 0)).isZero();
            assertThat(Sys.errnoName((int) -Sys.lgetxattr(value, "trusted.note", 2))).isEqualTo("ERANGE");
            // XATTR_CREATE on a set one, XATTR_REPLACE on a missing one
            assertThat(Sys.errnoName(-Sys.lsetxattr(value, "trusted.note", "b".getBytes(), 1))).isEqualTo("EEXIST");
            assertThat(Sys.errnoName(-Sys.lsetxattr(value, "trusted.none", "b".getBytes(), 2))).isEqualTo("ENODATA");
            // sysfs does not enable user xattrs; system.* and unknown namespaces have no handler
            assertThat(Sys.errnoName(-Sys.lsetxattr(value, "user.x", "b".getBytes(), 0))).isEqualTo("EOPNOTSUPP");
            assertThat(Sys.errnoName(-Sys.lsetxattr(value, "bogus.x", "b".getBytes(), 0))).isEqualTo("EOPNOTSUPP");
            assertThat(Sys.errnoName(-Sys.lremovexattr(value, "user.x"))).isEqualTo("EOPNOTSUPP");
            assertThat(Sys.errnoName(-Sys.lremovexattr(value, "trusted.none"))).isEqualTo("ENODATA");
            assertThat(Sys.llistxattr(value)).containsExactly("security.label", "trusted.note");
            // the attribute still reads and stores as before
            assertSysfs(mnt).file("devices/test/value").isAttribute(0644);
        } finally {
            Sys.lremovexattr(value, "trusted.note");
            Sys.lremovexattr(value, "security.label");
            Sys.lremovexattr(dir, "trusted.d");
        }
        assertThat(Sys.llistxattr(value)).isEmpty();
        assertThat(Sys.llistxattr(dir)).isEmpty();
    }

    /**
     * As root of a user namespace (scripts/test without root): trusted.* needs CAP_SYS_ADMIN in
     * the initial user namespace (xattr_permission, fs/xattr.c), so the VFS refuses it before
     * the daemon sees it (EPERM to change, ENODATA to read); security.* needs CAP_SYS_ADMIN
     * over the superblock's namespace only (cap_inode_setxattr, security/commoncap.c), which
     * this root has, so it is kept as for root.
     */
    private static void rootOfAUserNamespaceGetsNoTrustedAttributes(Path value, Path dir) {
        assertThat(Sys.errnoName(-Sys.lsetxattr(value, "trusted.note", "a".getBytes(), 0))).isEqualTo("EPERM");
        assertThat(Sys.errnoName(-Sys.lsetxattr(dir, "trusted.d", "dir".getBytes(), 0))).isEqualTo("EPERM");
        assertThat(Sys.errnoName((int) -Sys.lgetxattr(value, "trusted.note", 0))).isEqualTo("ENODATA");
        assertThat(Sys.errnoName(-Sys.lremovexattr(value, "trusted.note"))).isEqualTo("EPERM");
        assertThat(Sys.lsetxattr(value, "security.label", new byte[0], 0)).isZero();
        try {
            int[] errno = new int[1];
            assertThat(Sys.lgetxattr(value, "security.label", errno)).isEmpty();
            assertThat(Sys.llistxattr(value)).containsExactly("security.label");
            assertThat(Sys.llistxattr(dir)).isEmpty();
            assertThat(Sys.errnoName(-Sys.lsetxattr(value, "user.x", "b".getBytes(), 0))).isEqualTo("EOPNOTSUPP");
            assertThat(Sys.errnoName(-Sys.lsetxattr(value, "bogus.x", "b".getBytes(), 0))).isEqualTo("EOPNOTSUPP");
            assertSysfs(value.getParent().getParent().getParent()).file("devices/test/value").isAttribute(0644);
        } finally {
            Sys.lremovexattr(value, "security.label");
        }
        assertThat(Sys.llistxattr(value)).isEmpty();
    }

    @Test
    void directoriesHaveNlinkTwoPlusSubdirsAndSizeZero(Path mnt) throws Exception {
        // devices/test holds power/ and subdir/
        assertSysfs(mnt).file("devices/test").isDirectory().hasMode(0755).hasNlink(4).hasSize(0).isOwnedBy(0, 0);
        assertSysfs(mnt).file("devices/test/subdir").hasNlink(2);
        assertSysfs(mnt).file("").isDirectory().hasNlink(2 + 3);
        if (Files.isDirectory(REAL_DIR)) {
            long subdirs;
            try (var s = Files.list(REAL_DIR)) {
                subdirs = s.filter(p -> Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).count();
            }
            Stat real = Sys.lstat(REAL_DIR);
            assertThat(real.nlink()).isEqualTo(2 + subdirs); // the rule we copy holds on this machine
            assertThat(real.size()).isZero();
            assertThat(Sys.lstat(mnt.resolve("devices/test")).lsMode()).isEqualTo(real.lsMode());
        }
    }

    @Test
    void linksAreRelativeAndResolveInsideTheMount(Path mnt) throws Exception {
        assertSysfs(mnt).file("bus/test/devices/test0").isSymlink().hasLsMode("lrwxrwxrwx").hasSize(0)
                .hasNlink(1).isLinkTo("../../../devices/test").resolvesTo(mnt.resolve("devices/test").toRealPath());
        assertSysfs(mnt).file("class/test/test0").isLinkTo("../../devices/test");
        assertSysfs(mnt).file("bus/test/devices/test0/value").isAttribute(0644);
        assertThat(Sys.readlink(mnt.resolve("class/test/test0"))).isEqualTo("../../devices/test");
        // readlink of a non-link is EINVAL, as on sysfs
        assertThat(Sys.libc().readlink(mnt.resolve("devices/test/value").toString(), new byte[100], 100)).isEqualTo(-1);
        try {
            Sys.readlink(mnt.resolve("devices/test/value"));
        } catch (org.apsysfs.testing.SysException e) {
            assertThat(e.is(Errno.EINVAL)).as(e.getMessage()).isTrue();
        }
        Stat realLink = Sys.lstat(Path.of("/sys/bus/cpu/devices/cpu0"));
        Stat ourLink = Sys.lstat(mnt.resolve("class/test/test0"));
        assertThat(ourLink).isEqualTo(new Stat(realLink.mode(), realLink.size(), realLink.nlink(),
                ownerAsSeenHere(realLink.uid()), ownerAsSeenHere(realLink.gid()), ourLink.atime(), ourLink.mtime(), ourLink.ctime()));
    }

    @Test
    void readdirListsDotDotDotAndEveryEntryOnce(Path mnt) {
        assertThat(Sys.readdir(mnt.resolve("devices/test"))).containsExactly(".", "..", "counter", "value", "wo",
                "ro", "big", "secret", "boom", "busy", "power", "subdir");
        assertThat(Sys.readdir(mnt)).containsExactlyInAnyOrder(".", "..", "bus", "class", "devices");
        assertThat(Sys.readdir(mnt.resolve("devices/test/subdir"))).containsExactly(".", "..");
        assertThat(Sys.open(mnt.resolve("devices/test/value"), Sys.O_RDONLY | Sys.O_DIRECTORY))
                .isEqualTo(-Errno.ENOTDIR.code());
    }

    @Test
    void accessAnswersLikeSysfsForRoot(Path mnt) {
        assertSysfs(mnt).file("devices/test/ro").isAccessible(Sys.R_OK).isAccessible(Sys.W_OK)
                .isNotAccessible(Sys.X_OK, Errno.EACCES).isAccessible(Sys.F_OK);
        assertSysfs(mnt).file("devices/test/wo").isAccessible(Sys.R_OK | Sys.W_OK);
        assertSysfs(mnt).file("devices/test").isAccessible(Sys.R_OK | Sys.W_OK | Sys.X_OK);
        assertSysfs(mnt).file("devices/test/nothing").isNotAccessible(Sys.F_OK, Errno.ENOENT);
        if (Files.exists(REAL_ATTR) && Sys.inInitialUserNamespace()) {
            // the same answers on the real thing
            assertThat(Sys.access(REAL_ATTR, Sys.W_OK)).isZero();
            assertThat(Sys.access(REAL_ATTR, Sys.X_OK)).isEqualTo(-Errno.EACCES.code());
        } else if (Files.exists(REAL_ATTR)) {
            // root of a user namespace has no CAP_DAC_OVERRIDE over a file whose owner it does
            // not map (capable_wrt_inode_uidgid, kernel/capability.c): the real one is not for it
            assertThat(Sys.access(REAL_ATTR, Sys.W_OK)).isEqualTo(-Errno.EACCES.code());
        }
    }

    /**
     * Every change of the tree's shape fails as on sysfs. Each operation runs on the real
     * {@code /sys} too (they all fail there, changing nothing) and must give the same errno.
     */
    @Test
    void shapeChangesFailWithTheErrnoOfRealSysfs(Path mnt) {
        Map<String, Function<Path, Integer>> ops = new LinkedHashMap<>();
        ops.put("touch new", d -> Sys.open(d.resolve("zz"), Sys.O_SHELL_WRITE));
        ops.put("mkdir", d -> Sys.mkdir(d.resolve("zz"), 0755));
        ops.put("mkdir in a file", d -> Sys.mkdir(d.resolve(attr(d)).resolve("zz"), 0755));
        ops.put("rm", d -> Sys.unlink(d.resolve(attr(d))));
        ops.put("rmdir", d -> Sys.rmdir(d.resolve(subdir(d))));
        ops.put("rmdir of a file", d -> Sys.rmdir(d.resolve(attr(d))));
        ops.put("mv", d -> Sys.rename(d.resolve(attr(d)), d.resolve("zz")));
        ops.put("mv onto an attribute", d -> Sys.rename(d.resolve(attr(d)), d.resolve(attr2(d))));
        ops.put("renameat2 NOREPLACE", d -> Sys.renameat2(d.resolve(attr(d)), d.resolve("zz"), Sys.RENAME_NOREPLACE));
        ops.put("renameat2 EXCHANGE", d -> Sys.renameat2(d.resolve(attr(d)), d.resolve(attr2(d)), Sys.RENAME_EXCHANGE));
        ops.put("ln -s", d -> Sys.symlink(attr(d), d.resolve("zz")));
        ops.put("ln", d -> Sys.link(d.resolve(attr(d)), d.resolve("zz")));
        ops.put("mknod regular", d -> Sys.mknod(d.resolve("zz"), Sys.S_IFREG | 0644));
        ops.put("mkfifo", d -> Sys.mknod(d.resolve("zz"), Sys.S_IFIFO | 0644));
        ops.put("open dir for writing", d -> Sys.open(d, Sys.O_WRONLY));
        ops.put("O_EXCL existing", d -> Sys.open(d.resolve(attr(d)), Sys.O_SHELL_WRITE | Sys.O_EXCL));

        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("touch new", "EACCES");
        expected.put("mkdir", "EPERM");
        expected.put("mkdir in a file", "ENOTDIR");
        expected.put("rm", "EPERM");
        expected.put("rmdir", "EPERM");
        expected.put("rmdir of a file", "ENOTDIR");
        expected.put("mv", "EPERM");
        expected.put("mv onto an attribute", "EPERM");
        expected.put("renameat2 NOREPLACE", "EINVAL");
        expected.put("renameat2 EXCHANGE", "EINVAL");
        expected.put("ln -s", "EPERM");
        expected.put("ln", "EPERM");
        expected.put("mknod regular", "EACCES");
        expected.put("mkfifo", "EPERM");
        expected.put("open dir for writing", "EISDIR");
        expected.put("O_EXCL existing", "EEXIST");

        Map<String, String> ours = new LinkedHashMap<>();
        ops.forEach((name, op) -> ours.put(name, Sys.errnoName(-op.apply(mnt.resolve("devices/test")))));
        assertThat(ours).containsExactlyEntriesOf(expected);
        assertThat(t.test.list()).doesNotContain("zz");

        // (the real sysfs answers for root only in the initial user namespace: elsewhere its
        // directories are not writable by this root, capable_wrt_inode_uidgid)
        if (Files.exists(REAL_ATTR) && Files.isDirectory(REAL_DIR.resolve("khugepaged")) && Sys.inInitialUserNamespace()) {
            Map<String, String> real = new LinkedHashMap<>();
            ops.forEach((name, op) -> real.put(name, Sys.errnoName(-op.apply(REAL_DIR))));
            assertThat(real).containsExactlyEntriesOf(expected);
        }
    }

    private static String attr(Path d) {
        return d.startsWith("/sys") ? "enabled" : "value";
    }

    private static String attr2(Path d) {
        return d.startsWith("/sys") ? "defrag" : "ro";
    }

    private static String subdir(Path d) {
        return d.startsWith("/sys") ? "khugepaged" : "subdir";
    }

    /** chmod, chown and touch -d on an attribute succeed and are kept, as on sysfs. */
    @Test
    void chmodChownAndTimesAreKept(Path mnt) {
        Path p = mnt.resolve("devices/test/power/control");
        assertThat(Sys.chmod(p, 0600)).isZero();
        assertThat(Sys.chown(p, 12, 34)).isZero();
        assertThat(Sys.utimes(p, 1_000_000_000L, 1_100_000_000L)).isZero();
        Stat s = Sys.lstat(p);
        assertThat(s.perm()).isEqualTo(0600);
        assertThat(s.uid()).isEqualTo(12);
        assertThat(s.gid()).isEqualTo(34);
        assertThat(s.mtime()).isEqualTo(1_100_000_000L);
        assertThat(s.atime()).isEqualTo(1_000_000_000L);
        assertThat(s.size()).isEqualTo(4096);
        // and the attribute still works
        assertSysfs(mnt).file("devices/test/power/control").hasContent(t.control);
        assertThat(Sys.sh("chmod 644 '" + p + "' && chown 0:0 '" + p + "' && touch -d 2001-09-09 '" + p + "'").exitCode()).isZero();
        assertSysfs(mnt).file("devices/test/power/control").isAttribute(0644);
        // directories keep them too
        Path d = mnt.resolve("devices/test/subdir");
        assertThat(Sys.chmod(d, 0700)).isZero();
        assertSysfs(mnt).file("devices/test/subdir").hasMode(0700);
        assertThat(Sys.chmod(d, 0755)).isZero();
    }
}
