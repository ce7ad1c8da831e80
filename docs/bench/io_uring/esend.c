/* esend: minrelay's loop (epoll, recvmmsg per ready socket), but every send is a SENDMSG SQE and a
 * wake-up's sends go to the kernel in one io_uring_enter. FIXED=1 registers the sockets as fixed files.
 * Experiment only: build gcc -O2 -o esend esend.c; run ./esend N 40000 20000 (rtpload --layout N:40000:20000). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NBUF 8192
#define BUFSZ 2048
#define NSEND 8192

static int rfd;
static unsigned *sq_head, *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask, sq_entries;
static struct io_uring_sqe *sqes;
static struct io_uring_cqe *cqes;
static unsigned local_tail, pending;

static void die(const char *m) { perror(m); exit(2); }

static int enter(unsigned submit, unsigned wait) {
	__atomic_store_n(sq_tail, local_tail, __ATOMIC_RELEASE);
	int r = syscall(__NR_io_uring_enter, rfd, submit, wait, wait ? IORING_ENTER_GETEVENTS : 0, NULL, 0);
	return r;
}

static struct io_uring_sqe *sqe(void) {
	if (local_tail - __atomic_load_n(sq_head, __ATOMIC_ACQUIRE) >= sq_entries) { enter(pending, 0); pending = 0; }
	struct io_uring_sqe *s = &sqes[local_tail & *sq_mask];
	memset(s, 0, sizeof *s);
	local_tail++;
	pending++;
	return s;
}

#include <sys/epoll.h>
#define BATCH 32
int main(int argc, char **argv) {
	int n = atoi(argv[1]), pb = atoi(argv[2]), rb = atoi(argv[3]);
	struct rlimit rl = {2 * n + 256, 2 * n + 256};
	setrlimit(RLIMIT_NOFILE, &rl);
	struct io_uring_params p;
	memset(&p, 0, sizeof p);
	p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SUBMIT_ALL;
	p.cq_entries = 65536;
	rfd = syscall(__NR_io_uring_setup, 8192, &p);
	if (rfd < 0) die("io_uring_setup");
	size_t sqsz = p.sq_off.array + p.sq_entries * 4, cqsz = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	size_t sz = sqsz > cqsz ? sqsz : cqsz;
	char *ring = mmap(0, sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, rfd, IORING_OFF_SQ_RING);
	sq_head = (unsigned *)(ring + p.sq_off.head); sq_tail = (unsigned *)(ring + p.sq_off.tail);
	sq_mask = (unsigned *)(ring + p.sq_off.ring_mask); sq_array = (unsigned *)(ring + p.sq_off.array);
	cq_head = (unsigned *)(ring + p.cq_off.head); cq_tail = (unsigned *)(ring + p.cq_off.tail);
	cq_mask = (unsigned *)(ring + p.cq_off.ring_mask); cqes = (struct io_uring_cqe *)(ring + p.cq_off.cqes);
	sq_entries = p.sq_entries;
	for (unsigned i = 0; i < sq_entries; i++) sq_array[i] = i;
	sqes = mmap(0, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, rfd, IORING_OFF_SQES);
	local_tail = *sq_tail;
	int nsock = 2 * n;
	int *fd = calloc(nsock, sizeof(int));
	struct sockaddr_in *dst = calloc(nsock, sizeof(*dst));
	int ep = epoll_create1(0);
	for (int i = 0; i < n; i++)
		for (int s = 0; s < 2; s++) {
			int k = 2 * i + s;
			fd[k] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
			int bsz = 1 << 20;
			setsockopt(fd[k], SOL_SOCKET, SO_RCVBUF, &bsz, sizeof bsz);
			struct sockaddr_in a = {0};
			a.sin_family = AF_INET; inet_pton(AF_INET, "127.0.0.1", &a.sin_addr); a.sin_port = htons(rb + 4 * i + 2 * s);
			if (bind(fd[k], (struct sockaddr *)&a, sizeof a)) die("bind");
			dst[k].sin_family = AF_INET; inet_pton(AF_INET, "127.0.0.1", &dst[k].sin_addr); dst[k].sin_port = htons(pb + 4 * i + 2 * s);
			struct epoll_event ev = {.events = EPOLLIN, .data.u32 = k};
			epoll_ctl(ep, EPOLL_CTL_ADD, fd[k], &ev);
		}
	if (getenv("FIXED") && syscall(__NR_io_uring_register, rfd, IORING_REGISTER_FILES, fd, nsock)) die("register files");
	int fixed = getenv("FIXED") != NULL;
	static struct mmsghdr m[BATCH];
	static struct iovec iov[BATCH];
	static char buf[BATCH][2048];
	static struct msghdr sm[NSEND];
	static struct iovec siov[NSEND];
	static char sbuf[NSEND][BUFSZ];
	unsigned sslot = 0;
	unsigned long long err = 0;
	struct epoll_event evs[256];
	for (int i = 0; i < BATCH; i++) { iov[i].iov_base = buf[i]; iov[i].iov_len = sizeof buf[i]; m[i].msg_hdr.msg_iov = &iov[i]; m[i].msg_hdr.msg_iovlen = 1; }
	fprintf(stderr, "esend: %d calls, pid %d fixed %d\n", n, getpid(), fixed);
	for (;;) {
		int ne = epoll_wait(ep, evs, 256, 200);
		for (int e = 0; e < ne; e++) {
			int k = evs[e].data.u32, out = k ^ 1;
			int r = recvmmsg(fd[k], m, BATCH, MSG_DONTWAIT, NULL);
			for (int i = 0; i < r; i++) {
				unsigned si = sslot++ & (NSEND - 1);
				memcpy(sbuf[si], buf[i], m[i].msg_len);
				siov[si].iov_base = sbuf[si]; siov[si].iov_len = m[i].msg_len;
				sm[si].msg_name = &dst[out]; sm[si].msg_namelen = sizeof dst[out];
				sm[si].msg_iov = &siov[si]; sm[si].msg_iovlen = 1;
				struct io_uring_sqe *s = sqe();
				s->opcode = IORING_OP_SENDMSG; s->fd = fixed ? out : fd[out]; s->flags = (fixed ? IOSQE_FIXED_FILE : 0) | IOSQE_CQE_SKIP_SUCCESS;
				s->addr = (uint64_t)(uintptr_t)&sm[si]; s->len = 1; s->user_data = out;
			}
		}
		if (pending) {
			enter(pending, 0); pending = 0;
			unsigned head = *cq_head, tail = __atomic_load_n(cq_tail, __ATOMIC_ACQUIRE);
			if (head != tail) { err += tail - head; __atomic_store_n(cq_head, tail, __ATOMIC_RELEASE); }
		}
	}
}
