/* urelay: minrelay's port layout and forwarding (what arrives on relay_a leaves from relay_b, and back),
 * on io_uring, to measure what io_uring would save a relay on this machine (docs/benchmarks.md).
 * Experiment only, no error recovery.
 *
 *   gcc -O2 -Wall -o urelay urelay.c
 *   ./urelay N PEERBASE RELAYBASE [multishot|sends|sends-fixed]   (rtpload --layout N:PEERBASE:RELAYBASE)
 *
 * multishot (default): one multishot recvmsg per socket into a provided buffer ring; no epoll.
 * sends: epoll and one recvmmsg per ready socket, as minrelay; only the sends go through io_uring.
 * sends-fixed: the same with the sockets registered as fixed files.
 * Either way every send is a SENDMSG submission, and a loop's sends reach the kernel in one io_uring_enter.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NBUF 8192
#define BUFSZ 2048
#define NSEND 8192
#define BATCH 32

static int rfd;
static unsigned *sq_head, *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask, sq_entries;
static struct io_uring_sqe *sqes;
static struct io_uring_cqe *cqes;
static unsigned local_tail, pending;
static int nsock, *fd;
static struct sockaddr_in *dst; /* dst[k]: where packets sent out of socket k go */

static void die(const char *m) { perror(m); exit(2); }

static int enter(unsigned submit, unsigned wait) {
	__atomic_store_n(sq_tail, local_tail, __ATOMIC_RELEASE);
	return syscall(__NR_io_uring_enter, rfd, submit, wait, wait ? IORING_ENTER_GETEVENTS : 0, NULL, 0);
}

static struct io_uring_sqe *sqe(void) {
	if (local_tail - __atomic_load_n(sq_head, __ATOMIC_ACQUIRE) >= sq_entries) { enter(pending, 0); pending = 0; }
	struct io_uring_sqe *s = &sqes[local_tail & *sq_mask];
	memset(s, 0, sizeof *s);
	local_tail++;
	pending++;
	return s;
}

static void setup_ring(void) {
	struct io_uring_params p;
	memset(&p, 0, sizeof p);
	p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SUBMIT_ALL;
	p.cq_entries = 65536;
	rfd = syscall(__NR_io_uring_setup, 8192, &p);
	if (rfd < 0) die("io_uring_setup");
	size_t sqsz = p.sq_off.array + p.sq_entries * 4, cqsz = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	char *ring = mmap(0, sqsz > cqsz ? sqsz : cqsz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, rfd, IORING_OFF_SQ_RING);
	if (ring == MAP_FAILED) die("mmap ring");
	sq_head = (unsigned *)(ring + p.sq_off.head); sq_tail = (unsigned *)(ring + p.sq_off.tail);
	sq_mask = (unsigned *)(ring + p.sq_off.ring_mask); sq_array = (unsigned *)(ring + p.sq_off.array);
	cq_head = (unsigned *)(ring + p.cq_off.head); cq_tail = (unsigned *)(ring + p.cq_off.tail);
	cq_mask = (unsigned *)(ring + p.cq_off.ring_mask); cqes = (struct io_uring_cqe *)(ring + p.cq_off.cqes);
	sq_entries = p.sq_entries;
	for (unsigned i = 0; i < sq_entries; i++) sq_array[i] = i;
	sqes = mmap(0, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, rfd, IORING_OFF_SQES);
	if (sqes == MAP_FAILED) die("mmap sqes");
	local_tail = *sq_tail;
}

static void bind_sockets(int n, int pb, int rb) {
	nsock = 2 * n;
	fd = calloc(nsock, sizeof(int));
	dst = calloc(nsock, sizeof(*dst));
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
		}
}

/* Queues a copy of the packet for sending out of socket `out`; only a failure posts a completion. */
static void queue_send(int out, int fixed, const char *payload, unsigned len) {
	static struct msghdr sm[NSEND];
	static struct iovec siov[NSEND];
	static char sbuf[NSEND][BUFSZ];
	static unsigned slot;
	unsigned si = slot++ & (NSEND - 1);
	memcpy(sbuf[si], payload, len);
	siov[si].iov_base = sbuf[si]; siov[si].iov_len = len;
	sm[si].msg_name = &dst[out]; sm[si].msg_namelen = sizeof dst[out];
	sm[si].msg_iov = &siov[si]; sm[si].msg_iovlen = 1;
	struct io_uring_sqe *s = sqe();
	s->opcode = IORING_OP_SENDMSG; s->fd = fixed ? out : fd[out];
	s->flags = (fixed ? IOSQE_FIXED_FILE : 0) | IOSQE_CQE_SKIP_SUCCESS;
	s->addr = (uint64_t)(uintptr_t)&sm[si]; s->len = 1; s->user_data = (uint64_t)nsock + out;
}

static struct msghdr recv_template; /* only its name length counts for multishot recvmsg */

static void arm(int k) {
	struct io_uring_sqe *s = sqe();
	s->opcode = IORING_OP_RECVMSG; s->fd = k; s->flags = IOSQE_FIXED_FILE | IOSQE_BUFFER_SELECT;
	s->ioprio = IORING_RECV_MULTISHOT; s->addr = (uint64_t)(uintptr_t)&recv_template; s->len = 1;
	s->buf_group = 0; s->user_data = (uint64_t)k;
}

static void run_multishot(void) {
	if (syscall(__NR_io_uring_register, rfd, IORING_REGISTER_FILES, fd, nsock)) die("register files");
	struct io_uring_buf_ring *br = mmap(0, NBUF * sizeof(struct io_uring_buf), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	char *bufs = aligned_alloc(4096, (size_t)NBUF * BUFSZ);
	memset(bufs, 0, (size_t)NBUF * BUFSZ);
	struct io_uring_buf_reg reg = {.ring_addr = (uint64_t)(uintptr_t)br, .ring_entries = NBUF, .bgid = 0};
	if (syscall(__NR_io_uring_register, rfd, IORING_REGISTER_PBUF_RING, &reg, 1)) die("register pbuf ring");
	unsigned short btail = 0;
	for (int i = 0; i < NBUF; i++) {
		struct io_uring_buf *b = &br->bufs[i];
		b->addr = (uint64_t)(uintptr_t)(bufs + (size_t)i * BUFSZ); b->len = BUFSZ; b->bid = i;
	}
	btail += NBUF;
	__atomic_store_n(&br->tail, btail, __ATOMIC_RELEASE);
	recv_template.msg_namelen = sizeof(struct sockaddr_in);
	for (int k = 0; k < nsock; k++) arm(k);
	for (;;) {
		int r = enter(pending, 1);
		pending = 0;
		if (r < 0 && errno != EINTR && errno != EBUSY) die("io_uring_enter");
		unsigned head = *cq_head, tail = __atomic_load_n(cq_tail, __ATOMIC_ACQUIRE), returned = 0;
		for (; head != tail; head++) {
			struct io_uring_cqe *c = &cqes[head & *cq_mask];
			if (c->user_data >= (uint64_t)nsock) continue; /* a failed send */
			int k = (int)c->user_data;
			if (c->res >= 0 && (c->flags & IORING_CQE_F_BUFFER)) {
				unsigned bid = c->flags >> IORING_CQE_BUFFER_SHIFT;
				char *b = bufs + (size_t)bid * BUFSZ;
				struct io_uring_recvmsg_out *o = (struct io_uring_recvmsg_out *)b;
				queue_send(k ^ 1, 1, b + sizeof *o + recv_template.msg_namelen, o->payloadlen);
				struct io_uring_buf *nb = &br->bufs[(btail + returned++) & (NBUF - 1)];
				nb->addr = (uint64_t)(uintptr_t)b; nb->len = BUFSZ; nb->bid = bid;
			}
			if (!(c->flags & IORING_CQE_F_MORE)) arm(k); /* ended (ENOBUFS): ask again */
		}
		__atomic_store_n(cq_head, head, __ATOMIC_RELEASE);
		if (returned) { btail += returned; __atomic_store_n(&br->tail, btail, __ATOMIC_RELEASE); }
	}
}

static void run_sends(int fixed) {
	if (fixed && syscall(__NR_io_uring_register, rfd, IORING_REGISTER_FILES, fd, nsock)) die("register files");
	int ep = epoll_create1(0);
	for (int k = 0; k < nsock; k++) {
		struct epoll_event ev = {.events = EPOLLIN, .data.u32 = k};
		epoll_ctl(ep, EPOLL_CTL_ADD, fd[k], &ev);
	}
	static struct mmsghdr m[BATCH];
	static struct iovec iov[BATCH];
	static char buf[BATCH][BUFSZ];
	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_base = buf[i]; iov[i].iov_len = sizeof buf[i];
		m[i].msg_hdr.msg_iov = &iov[i]; m[i].msg_hdr.msg_iovlen = 1;
	}
	struct epoll_event evs[256];
	for (;;) {
		int ne = epoll_wait(ep, evs, 256, 200);
		for (int e = 0; e < ne; e++) {
			int k = evs[e].data.u32;
			int r = recvmmsg(fd[k], m, BATCH, MSG_DONTWAIT, NULL);
			for (int i = 0; i < r; i++) queue_send(k ^ 1, fixed, buf[i], m[i].msg_len);
		}
		if (pending) {
			enter(pending, 0);
			pending = 0;
			__atomic_store_n(cq_head, __atomic_load_n(cq_tail, __ATOMIC_ACQUIRE), __ATOMIC_RELEASE); /* failed sends */
		}
	}
}

int main(int argc, char **argv) {
	if (argc < 4) { fprintf(stderr, "usage: urelay N PEERBASE RELAYBASE [multishot|sends|sends-fixed]\n"); return 1; }
	int n = atoi(argv[1]);
	const char *mode = argc > 4 ? argv[4] : "multishot";
	struct rlimit rl = {2 * n + 256, 2 * n + 256};
	setrlimit(RLIMIT_NOFILE, &rl);
	setup_ring();
	bind_sockets(n, atoi(argv[2]), atoi(argv[3]));
	fprintf(stderr, "urelay: %d calls, %s, pid %d\n", n, mode, getpid());
	if (!strcmp(mode, "multishot")) run_multishot();
	else if (!strcmp(mode, "sends")) run_sends(0);
	else if (!strcmp(mode, "sends-fixed")) run_sends(1);
	else { fprintf(stderr, "unknown mode %s\n", mode); return 1; }
	return 0;
}
