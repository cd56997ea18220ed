// What one small loopback send costs the sender on this machine, three ways: a bare syscall (getppid),
// send() per socket, and the same sends staged in an io_uring and submitted together, as the gateway's
// fan-out batches do (src/PushGateway/Connections/Uring). A reader thread drains every socket with epoll.
//
//   usage: sendcost MODE FANOUT ROUNDS    MODE: syscall | send | uring (flags 0) | uring-coop (IORING_SETUP_COOP_TASKRUN, as the gateway) | uring-defer (also SINGLE_ISSUER, DEFER_TASKRUN)
//
// Prints the sending thread's CPU per operation and the whole process's (the reader included).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define CONNECTIONS 1000
#define FRAME 130

static int server[CONNECTIONS], client[CONNECTIONS];
static volatile int stop;

static double thread_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static double process_ns(void)
{
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e9 + (r.ru_utime.tv_usec + r.ru_stime.tv_usec) * 1e3;
}

static void *drain(void *unused)
{
    (void)unused;
    int ep = epoll_create1(0);
    for (int i = 0; i < CONNECTIONS; i++) {
        struct epoll_event e = {.events = EPOLLIN, .data.fd = client[i]};
        epoll_ctl(ep, EPOLL_CTL_ADD, client[i], &e);
    }
    static char buffer[65536];
    struct epoll_event ready[256];
    while (!stop) {
        int n = epoll_wait(ep, ready, 256, 100);
        for (int i = 0; i < n; i++)
            while (read(ready[i].data.fd, buffer, sizeof buffer) > 0) {
            }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: sendcost syscall|send|uring|uring-coop FANOUT ROUNDS\n");
        return 2;
    }
    const char *mode = argv[1];
    int fanout = atoi(argv[2]), rounds = atoi(argv[3]);
    if (fanout < 1 || fanout > 256 || rounds < 1) {
        fprintf(stderr, "FANOUT must be 1-256, ROUNDS at least 1\n");
        return 2;
    }

    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t length = sizeof address;
    if (bind(listener, (void *)&address, sizeof address) || listen(listener, 4096) || getsockname(listener, (void *)&address, &length)) {
        perror("listen");
        return 1;
    }
    for (int i = 0; i < CONNECTIONS; i++) {
        client[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        connect(client[i], (void *)&address, sizeof address);
        server[i] = accept(listener, NULL, NULL);
        if (server[i] < 0) {
            perror("accept");
            return 1;
        }
        int one = 1;
        setsockopt(server[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fcntl(server[i], F_SETFL, fcntl(server[i], F_GETFL) | O_NONBLOCK);
    }
    pthread_t reader;
    pthread_create(&reader, NULL, drain, NULL);

    struct io_uring ring;
    int uring = strncmp(mode, "uring", 5) == 0;
    unsigned flags = strcmp(mode, "uring-coop") == 0 ? IORING_SETUP_COOP_TASKRUN
                   : strcmp(mode, "uring-defer") == 0 ? IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_COOP_TASKRUN
                   : 0;
    if (uring && io_uring_queue_init(256, &ring, flags) < 0) {
        perror("io_uring_queue_init");
        return 1;
    }
    char frame[FRAME];
    memset(frame, 'x', sizeof frame);
    long incomplete = 0;
    double thread0 = thread_ns(), process0 = process_ns();
    for (int r = 0; r < rounds; r++) {
        int base = (r * 37) % CONNECTIONS;
        if (strcmp(mode, "send") == 0) {
            for (int i = 0; i < fanout; i++)
                if (send(server[(base + i * 20) % CONNECTIONS], frame, FRAME, MSG_DONTWAIT | MSG_NOSIGNAL) != FRAME) incomplete++;
        } else if (uring) {
            for (int i = 0; i < fanout; i++)
                io_uring_prep_send(io_uring_get_sqe(&ring), server[(base + i * 20) % CONNECTIONS], frame, FRAME, MSG_DONTWAIT | MSG_NOSIGNAL);
            io_uring_submit_and_wait(&ring, fanout);
            struct io_uring_cqe *cqe;
            unsigned head, seen = 0;
            io_uring_for_each_cqe(&ring, head, cqe)
            {
                if (cqe->res != FRAME) incomplete++;
                seen++;
            }
            io_uring_cq_advance(&ring, seen);
        } else {
            for (int i = 0; i < fanout; i++) syscall(SYS_getppid);
        }
        // Like S1, not a tight loop: the reader keeps up and the sockets stay nearly empty.
        if (r % 20 == 0) usleep(1000);
    }
    double thread1 = thread_ns(), process1 = process_ns();
    stop = 1;
    pthread_join(reader, NULL);
    double ops = (double)rounds * fanout;
    printf("%-11s fan-out %3d: sender %.2f us per op, process %.2f us per op, incomplete %ld\n", mode, fanout,
           (thread1 - thread0) / 1e3 / ops, (process1 - process0) / 1e3 / ops, incomplete);
    return incomplete == 0 ? 0 : 1;
}
