/*
 * Test helper for the bounds tests (compiled by NativeHelper with gcc):
 *   aphelper write VALUE PATH...   open(O_WRONLY) + one write(VALUE) + close per PATH;
 *                                  prints "ERRNO PATH" (0 = success; open's errno if it failed)
 *   aphelper read N PATH...        N rounds of open + read(4096) + close over the PATHs;
 *                                  prints "reads R failures F"
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc >= 3 && strcmp(argv[1], "write") == 0) {
        const char *v = argv[2];
        for (int i = 3; i < argc; i++) {
            int e = 0;
            int fd = open(argv[i], O_WRONLY);
            if (fd < 0) {
                e = errno;
            } else {
                if (write(fd, v, strlen(v)) < 0) {
                    e = errno;
                }
                close(fd);
            }
            printf("%d %s\n", e, argv[i]);
        }
        return 0;
    }
    if (argc >= 4 && strcmp(argv[1], "read") == 0) {
        long n = atol(argv[2]);
        long reads = 0, failures = 0;
        char buf[4096];
        for (long k = 0; k < n; k++) {
            const char *p = argv[3 + k % (argc - 3)];
            int fd = open(p, O_RDONLY);
            if (fd < 0) {
                failures++;
                continue;
            }
            if (read(fd, buf, sizeof buf) < 0) {
                failures++;
            }
            close(fd);
            reads++;
        }
        printf("reads %ld failures %ld\n", reads, failures);
        return failures == 0 ? 0 : 1;
    }
    fprintf(stderr, "usage: aphelper write VALUE PATH... | aphelper read N PATH...\n");
    return 2;
}
