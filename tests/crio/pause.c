/* The pod sandbox's pause program for the CRI-O suite (the test image
 * localhost/wp-pause): waits for a signal, then exits 0. Built static, so that
 * the image needs nothing but this file. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <unistd.h>

static void on_signal(int sig) {
    (void)sig;
    _exit(0);
}

int main(void) {
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    for (;;)
        pause();
}
