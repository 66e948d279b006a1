package org.apsysfs.testing;

/**
 * What stat(2)/lstat(2) reported: {@code mode} includes the file type bits; times are seconds.
 */
public record Stat(int mode, long size, int nlink, int uid, int gid, long atime, long mtime, long ctime) {

    /** The permission bits (07777). */
    public int perm() {
        return mode & 07777;
    }

    /** The file type bits (S_IFMT). */
    public int type() {
        return mode & Sys.S_IFMT;
    }

    public boolean isRegular() {
        return type() == Sys.S_IFREG;
    }

    public boolean isDirectory() {
        return type() == Sys.S_IFDIR;
    }

    public boolean isSymlink() {
        return type() == Sys.S_IFLNK;
    }

    /** Like the first column of {@code ls -l}: "-rw-r--r--", "drwxr-xr-x", "lrwxrwxrwx". */
    public String lsMode() {
        StringBuilder b = new StringBuilder();
        b.append(isDirectory() ? 'd' : isSymlink() ? 'l' : isRegular() ? '-' : '?');
        String rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            b.append((mode & (0400 >> i)) != 0 ? rwx.charAt(i) : '-');
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return lsMode() + String.format(" (0%o) size=%d nlink=%d %d:%d", perm(), size, nlink, uid, gid);
    }
}
