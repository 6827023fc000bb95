/* rssprobe PROG [ARG...]: runs PROG (stdin inherited, stdout to /dev/null) and
 * prints "<peak RSS in KiB> <wait status>" on stdout.
 *
 * Why a separate, tiny, static process: the kernel carries the *old* address
 * space's high-water RSS into the new one at execve (exec_mmap ->
 * setmax_mm_hiwater_rss). A child spawned by the big benchmark harness would
 * report the harness's own peak RSS; one forked by this probe reports at most
 * the probe's few hundred KiB, which the floor's figure shows. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: rssprobe PROG [ARG...]\n");
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("rssprobe: fork");
        return 2;
    }
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (null >= 0) dup2(null, 1);
        execve(argv[1], argv + 1, environ);
        perror("rssprobe: execve");
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) {
        perror("rssprobe: wait4");
        return 2;
    }
    printf("%ld %d\n", ru.ru_maxrss, status);
    return 0;
}
