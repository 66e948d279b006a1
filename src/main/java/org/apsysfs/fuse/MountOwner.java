package org.apsysfs.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apsysfs.sysfs.Cred;

/**
 * Whose simulated system a mount is: the user who runs the daemon is root in it. A daemon of
 * root (in the initial user namespace, or root of a user namespace made with
 * {@code unshare --map-root-user}) maps nothing. A daemon of a normal user mounts through
 * fusermount, and the kernel then lets only that user into the mount (fuse_allow_current_process
 * in fs/fuse/dir.c) and reports uids as seen from the daemon's user namespace (fuse_fill_attr,
 * fuse_setattr in fs/fuse/dir.c); that user becomes uid 0 of the simulation and uid 0 of the
 * host takes the user's place: a swap, its own inverse, so a chown and a stat agree. The files,
 * root's in the simulation as in sysfs, then show as the user's own on the host and as root's
 * in a shell whose user namespace maps root to the user ({@code scripts/apsysfs shell}), and
 * stores work in both without real root.
 */
public record MountOwner(int uid, int gid) {
    /** The identity: a daemon of root. */
    public static final MountOwner ROOT = new MountOwner(0, 0);

    /** The effective uid and gid of this process, from /proc/self/status (ROOT if unknown). */
    public static MountOwner ofThisProcess() {
        try {
            int uid = -1;
            int gid = -1;
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                // "Uid:\treal\teffective\tsaved\tfs"
                if (l.startsWith("Uid:")) {
                    uid = Integer.parseInt(l.split("\\s+")[2]);
                } else if (l.startsWith("Gid:")) {
                    gid = Integer.parseInt(l.split("\\s+")[2]);
                }
            }
            return uid < 0 || gid < 0 ? ROOT : new MountOwner(uid, gid);
        } catch (IOException | RuntimeException e) {
            return ROOT;
        }
    }

    private static int swap(int id, int owner) {
        return id == owner ? 0 : id == 0 ? owner : id;
    }

    /** The simulation's credentials of a caller with these (daemon-namespace) ids. */
    public Cred cred(int callerUid, int callerGid) {
        int u = swap(callerUid, uid);
        int g = swap(callerGid, gid);
        return u == 0 && g == 0 ? Cred.ROOT : new Cred(u, g);
    }

    /** A uid between the simulation and the host (either way: the map is a swap). */
    public int uid(int id) {
        return swap(id, uid);
    }

    /** A gid between the simulation and the host (either way). */
    public int gid(int id) {
        return swap(id, gid);
    }

    /** A chown argument: -1 (unchanged) stays -1. */
    public long chownUid(long id) {
        return id == -1 || id == 0xffffffffL ? id : uid((int) id);
    }

    /** A chown argument: -1 (unchanged) stays -1. */
    public long chownGid(long id) {
        return id == -1 || id == 0xffffffffL ? id : gid((int) id);
    }
}
