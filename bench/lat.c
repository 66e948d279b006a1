/*
 * lat: the client side of scripts/bench, a separate native process so that only the file
 * system is measured. Every mode prints one number on standard output (errors go to standard
 * error with a non-zero exit status):
 *
 *   lat read PATH N                  mean µs of open(O_RDONLY)+read(4096)+close, N times
 *   lat write N PATH VAL [PATH VAL]  mean µs of open(O_WRONLY|O_TRUNC)+write+close, N times,
 *                                    alternating between the (PATH, VAL) pairs
 *   lat cat PATH N                   mean µs of a `cat PATH >/dev/null` process (fork+exec+wait)
 *   lat tput PATH THREADS SECONDS    total open+read+close per second over THREADS threads
 *   lat readall PATH N               mean ms of open + read to EOF (64 KiB reads) + close; prints
 *                                    the bytes read on standard error
 *   lat writeonce PATH VAL           ms of one open(O_WRONLY|O_TRUNC)+write+close
 *   lat time CMD ARG...              ms of running CMD with standard output on /dev/null
 *   lat spawn READY TIMEOUT_MS CMD ARG...
 *                                    starts CMD in the background and polls stat(READY) every
 *                                    50 µs; prints "PID MS" (ms from fork to READY existing)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void die(const char *what, const char *path)
{
    fprintf(stderr, "lat: %s %s: %s\n", what, path, strerror(errno));
    exit(1);
}

static void read_once(const char *path)
{
    char buf[4096];
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        die("open", path);
    if (read(fd, buf, sizeof(buf)) < 0)
        die("read", path);
    close(fd);
}

static void write_once(const char *path, const char *val)
{
    int fd = open(path, O_WRONLY | O_TRUNC);
    if (fd < 0)
        die("open for writing", path);
    size_t len = strlen(val);
    if (write(fd, val, len) != (ssize_t)len)
        die("write", path);
    if (close(fd) < 0)
        die("close", path);
}

static double run_cmd(char **argv, int quiet)
{
    double t0 = now_us();
    pid_t pid = fork();
    if (pid < 0)
        die("fork", argv[0]);
    if (pid == 0) {
        if (quiet) {
            int fd = open("/dev/null", O_WRONLY);
            dup2(fd, 1);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    double t = now_us() - t0;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "lat: %s exited with status %d\n", argv[0], WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        exit(1);
    }
    return t;
}

struct tput_arg {
    const char *path;
    volatile int *stop;
    long ops;
};

static void *tput_thread(void *p)
{
    struct tput_arg *a = p;
    while (!*a->stop) {
        read_once(a->path);
        a->ops++;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: see the comment at the top of bench/lat.c\n");
        return 2;
    }
    const char *mode = argv[1];
    if (strcmp(mode, "read") == 0 && argc == 4) {
        long n = atol(argv[3]);
        for (int i = 0; i < 50; i++)
            read_once(argv[2]);
        double t0 = now_us();
        for (long i = 0; i < n; i++)
            read_once(argv[2]);
        printf("%.3f\n", (now_us() - t0) / n);
    } else if (strcmp(mode, "write") == 0 && (argc == 5 || argc == 7)) {
        long n = atol(argv[2]);
        int pairs = (argc - 3) / 2;
        for (int i = 0; i < 20; i++)
            write_once(argv[3 + 2 * (i % pairs)], argv[4 + 2 * (i % pairs)]);
        double t0 = now_us();
        for (long i = 0; i < n; i++)
            write_once(argv[3 + 2 * (i % pairs)], argv[4 + 2 * (i % pairs)]);
        printf("%.3f\n", (now_us() - t0) / n);
    } else if (strcmp(mode, "cat") == 0 && argc == 4) {
        long n = atol(argv[3]);
        char *cargv[] = {"cat", argv[2], NULL};
        run_cmd(cargv, 1);
        double total = 0;
        for (long i = 0; i < n; i++)
            total += run_cmd(cargv, 1);
        printf("%.3f\n", total / n);
    } else if (strcmp(mode, "tput") == 0 && argc == 5) {
        int nt = atoi(argv[3]);
        double secs = atof(argv[4]);
        volatile int stop = 0;
        pthread_t th[64];
        struct tput_arg a[64];
        if (nt < 1 || nt > 64)
            return 2;
        for (int i = 0; i < nt; i++) {
            a[i] = (struct tput_arg){argv[2], &stop, 0};
            pthread_create(&th[i], NULL, tput_thread, &a[i]);
        }
        double t0 = now_us();
        usleep((useconds_t)(secs * 1e6));
        stop = 1;
        long ops = 0;
        for (int i = 0; i < nt; i++) {
            pthread_join(th[i], NULL);
            ops += a[i].ops;
        }
        printf("%.0f\n", ops / ((now_us() - t0) / 1e6));
    } else if (strcmp(mode, "readall") == 0 && argc == 4) {
        long n = atol(argv[3]);
        static char buf[65536];
        long bytes = 0;
        double total = 0;
        for (long i = 0; i < n; i++) {
            double t0 = now_us();
            int fd = open(argv[2], O_RDONLY);
            if (fd < 0)
                die("open", argv[2]);
            ssize_t r;
            bytes = 0;
            while ((r = read(fd, buf, sizeof(buf))) > 0)
                bytes += r;
            if (r < 0)
                die("read", argv[2]);
            close(fd);
            total += now_us() - t0;
        }
        fprintf(stderr, "%ld bytes\n", bytes);
        printf("%.3f\n", total / n / 1e3);
    } else if (strcmp(mode, "writeonce") == 0 && argc == 4) {
        double t0 = now_us();
        write_once(argv[2], argv[3]);
        printf("%.3f\n", (now_us() - t0) / 1e3);
    } else if (strcmp(mode, "time") == 0 && argc >= 3) {
        printf("%.3f\n", run_cmd(argv + 2, 1) / 1e3);
    } else if (strcmp(mode, "spawn") == 0 && argc >= 5) {
        const char *ready = argv[2];
        double timeout_us = atof(argv[3]) * 1e3;
        struct stat st;
        double t0 = now_us();
        pid_t pid = fork();
        if (pid < 0)
            die("fork", argv[4]);
        if (pid == 0) {
            setsid(); /* its own session: a terminal's ^C does not reach it */
            dup2(2, 1); /* never hold the caller's $(...) pipe open */
            execvp(argv[4], argv + 4);
            _exit(127);
        }
        for (;;) {
            if (stat(ready, &st) == 0)
                break;
            if (now_us() - t0 > timeout_us || waitpid(pid, NULL, WNOHANG) == pid) {
                fprintf(stderr, "lat: %s did not appear\n", ready);
                printf("%d -1\n", (int)pid);
                return 1;
            }
            usleep(50);
        }
        printf("%d %.1f\n", (int)pid, (now_us() - t0) / 1e3);
    } else {
        fprintf(stderr, "lat: bad arguments for %s\n", mode);
        return 2;
    }
    return 0;
}
