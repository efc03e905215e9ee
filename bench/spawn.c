/* spawn.c: runs a command and prints its rusage on stderr as the last line:
 *   SPAWN_RUSAGE cpu_s=<user+sys> rss_kib=<ru_maxrss>
 * Why: Linux keeps ru_maxrss across execve, so a client started straight from
 * the Python runner would report the runner's RSS as its own peak. Started
 * from this small process instead, a client's peak RSS is its own. wrk and
 * h2load, which do not measure themselves, are measured by this rusage. */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: spawn CMD [ARG...]\n");
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0) return 127;
    if (pid == 0) {
        execvp(argv[1], argv + 1);
        perror(argv[1]);
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) return 127;
    fprintf(stderr, "SPAWN_RUSAGE cpu_s=%.6f rss_kib=%ld\n",
            ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6,
            ru.ru_maxrss);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
