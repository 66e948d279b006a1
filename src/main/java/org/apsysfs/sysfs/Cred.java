package org.apsysfs.sysfs;

/** The credentials of the process making a request (from the FUSE context). */
public record Cred(int uid, int gid) {
    public static final Cred ROOT = new Cred(0, 0);

    public boolean isRoot() {
        return uid == 0;
    }
}
