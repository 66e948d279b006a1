package org.apsysfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The raw struct offsets the hot callbacks use agree with jnr-fuse's struct definitions. */
class RawLayoutTest {
    @Test
    void theRawPathIsUsedOnThisPlatform() {
        // false would silently fall back to jnr-fuse's per-request Struct wrappers
        assertThat(RawLayout.OK).isTrue();
    }

    @Test
    void offsetsAreGlibcX8664s() {
        // struct stat on x86_64: st_nlink 16, st_mode 24, st_uid 28, st_gid 32, st_size 48,
        // st_blksize 56, st_blocks 64, st_atim 72, st_mtim 88, st_ctim 104
        assertThat(new long[] {RawLayout.ST_NLINK, RawLayout.ST_MODE, RawLayout.ST_UID, RawLayout.ST_GID,
            RawLayout.ST_SIZE, RawLayout.ST_BLKSIZE, RawLayout.ST_BLOCKS, RawLayout.ST_ATIME,
            RawLayout.ST_ATIME_NSEC, RawLayout.ST_MTIME, RawLayout.ST_CTIME})
                .containsExactly(16, 24, 28, 32, 48, 56, 64, 72, 80, 88, 104);
        // struct fuse_file_info (libfuse 2.9): flags 0, fh 24; struct fuse_context: uid 8, gid 12
        assertThat(new long[] {RawLayout.FI_FLAGS, RawLayout.FI_FH, RawLayout.CTX_UID, RawLayout.CTX_GID})
                .containsExactly(0, 24, 8, 12);
    }
}
