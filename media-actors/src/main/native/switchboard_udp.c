/*
 * The media thread's UDP calls, without the JDK's channel layer: one recvmmsg reads every datagram
 * waiting on a socket (NIO needs a recvfrom per datagram plus one more that finds the socket empty),
 * and sendto goes straight to the kernel without the channel's locks and address conversion.
 *
 * The media thread waits on its own epoll set, woken by an eventfd.
 *
 * IPv4 only; the Java side uses NIO for anything else. Errors come back as -errno, never as exceptions,
 * so the hot path stays free of allocation.
 *
 * The hot calls go through syscall() rather than glibc's wrappers: those are thread-cancellation points,
 * which put two more calls around every system call, and the media thread is never cancelled.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "io_switchboard_media_transport_NativeUdp.h"

#define MAX_BATCH 64
#define MAX_EVENTS 1024
#define META_INTS 3 /* per datagram: length, source IPv4 address, source port */

JNIEXPORT jint JNICALL Java_io_switchboard_media_transport_NativeUdp_fd(JNIEnv *env, jclass cls, jobject channel) {
  (void) cls;
  /* sun.nio.ch.DatagramChannelImpl keeps its descriptor in fdVal; JNI reads it without opening the module */
  jclass type = (*env)->GetObjectClass(env, channel);
  jfieldID field = (*env)->GetFieldID(env, type, "fdVal", "I");
  if (field == NULL) {
    (*env)->ExceptionClear(env);
    return -1;
  }
  return (*env)->GetIntField(env, channel, field);
}

JNIEXPORT jlong JNICALL Java_io_switchboard_media_transport_NativeUdp_address(JNIEnv *env, jclass cls, jobject buffer) {
  (void) cls;
  return (jlong) (intptr_t) (*env)->GetDirectBufferAddress(env, buffer);
}

/* The receive headers live in memory the Java side owns (one block per media thread), laid out once by
 * receivePrepare: the kernel changes only the lengths in the entries it fills, so a read resets those few
 * instead of building every header anew. */
struct receive_headers {
  int count;
  struct mmsghdr msgs[MAX_BATCH];
  struct iovec iov[MAX_BATCH];
  struct sockaddr_in from[MAX_BATCH];
};

JNIEXPORT jint JNICALL Java_io_switchboard_media_transport_NativeUdp_receiveHeaderBytes(JNIEnv *env, jclass cls) {
  (void) env;
  (void) cls;
  return (jint) sizeof(struct receive_headers);
}

JNIEXPORT jint JNICALL Java_io_switchboard_media_transport_NativeUdp_receivePrepare(JNIEnv *env, jclass cls,
    jlong headers, jlong data, jint slot, jint count) {
  (void) env;
  (void) cls;
  struct receive_headers *h = (struct receive_headers *) (intptr_t) headers;
  char *base = (char *) (intptr_t) data;
  if (h == NULL || base == NULL || slot <= 0 || count <= 0 || count > MAX_BATCH) return -EINVAL;
  memset(h, 0, sizeof *h);
  h->count = count;
  for (int i = 0; i < count; i++) {
    h->iov[i].iov_base = base + (size_t) i * (size_t) slot;
    h->iov[i].iov_len = (size_t) slot;
    h->msgs[i].msg_hdr.msg_iov = &h->iov[i];
    h->msgs[i].msg_hdr.msg_iovlen = 1;
    h->msgs[i].msg_hdr.msg_name = &h->from[i];
    h->msgs[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_in);
  }
  return 0;
}

JNIEXPORT jint JNICALL Java_io_switchboard_media_transport_NativeUdp_receive(JNIEnv *env, jclass cls, jint fd,
    jlong headers, jlong meta) {
  (void) env;
  (void) cls;
  struct receive_headers *h = (struct receive_headers *) (intptr_t) headers;
  jint *out = (jint *) (intptr_t) meta;
  if (h == NULL || out == NULL || h->count <= 0 || h->count > MAX_BATCH) return -EINVAL;
  int n = (int) syscall(SYS_recvmmsg, fd, h->msgs, (unsigned int) h->count, MSG_DONTWAIT, NULL);
  if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;
  for (int i = 0; i < n; i++) {
    struct mmsghdr *m = &h->msgs[i];
    int ipv4 = m->msg_hdr.msg_namelen >= sizeof(struct sockaddr_in) && h->from[i].sin_family == AF_INET;
    out[i * META_INTS] = (jint) m->msg_len;
    out[i * META_INTS + 1] = ipv4 ? (jint) ntohl(h->from[i].sin_addr.s_addr) : 0;
    out[i * META_INTS + 2] = ipv4 ? (jint) ntohs(h->from[i].sin_port) : -1;
    m->msg_hdr.msg_namelen = sizeof(struct sockaddr_in); /* the kernel wrote the source's length there */
  }
  return n;
}

JNIEXPORT jint JNICALL Java_io_switchboard_media_transport_NativeUdp_send(JNIEnv *env, jclass cls, jint fd,
    jlong address, jint length, jint ipv4, jint port) {
  (void) env;
  (void) cls;
  if (address == 0 || length < 0 || port <= 0 || port > 65535) return -EINVAL;
  struct sockaddr_in to;
  memset(&to, 0, sizeof to);
  to.sin_family = AF_INET;
  to.sin_port = htons((uint16_t) port);
  to.sin_addr.s_addr = htonl((uint32_t) ipv4);
  long sent = syscall(SYS_sendto, fd, (const void *) (intptr_t) address, (size_t) length, MSG_DONTWAIT, (struct sockaddr *) &to, sizeof to);
  return sent < 0 ? -errno : (jint) sent;
}

/* The media thread's own epoll set: the JDK selector's bookkeeping per ready key (a map lookup by
 * descriptor, ready-set translation, its locks) cost more than the wait itself. */

JNIEXPORT jint JNICALL Java_io_switchboard_media_transport_NativeUdp_epollCreate(JNIEnv *env, jclass cls) {
  (void) env;
  (void) cls;
  int fd = epoll_create1(EPOLL_CLOEXEC);
  return fd < 0 ? -errno : fd;
}

JNIEXPORT jint JNICALL Java_io_switchboard_media_transport_NativeUdp_epollAdd(JNIEnv *env, jclass cls, jint epfd,
    jint fd, jint token) {
  (void) env;
  (void) cls;
  struct epoll_event ev;
  memset(&ev, 0, sizeof ev);
  ev.events = EPOLLIN;
  ev.data.u32 = (uint32_t) token;
  return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

JNIEXPORT jint JNICALL Java_io_switchboard_media_transport_NativeUdp_epollRemove(JNIEnv *env, jclass cls, jint epfd,
    jint fd) {
  (void) env;
  (void) cls;
  struct epoll_event ev; /* ignored, but kernels before 2.6.9 required it */
  memset(&ev, 0, sizeof ev);
  return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &ev) < 0 ? -errno : 0;
}

JNIEXPORT jint JNICALL Java_io_switchboard_media_transport_NativeUdp_epollWait(JNIEnv *env, jclass cls, jint epfd,
    jlong tokens, jint max, jint timeoutMs) {
  (void) env;
  (void) cls;
  jint *out = (jint *) (intptr_t) tokens;
  if (out == NULL || max <= 0) return -EINVAL;
  if (max > MAX_EVENTS) max = MAX_EVENTS;
  struct epoll_event events[MAX_EVENTS];
  int n = (int) syscall(SYS_epoll_wait, epfd, events, max, timeoutMs);
  if (n < 0) return errno == EINTR ? 0 : -errno;
  for (int i = 0; i < n; i++) out[i] = (jint) events[i].data.u32;
  return n;
}

JNIEXPORT jint JNICALL Java_io_switchboard_media_transport_NativeUdp_eventCreate(JNIEnv *env, jclass cls) {
  (void) env;
  (void) cls;
  int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  return fd < 0 ? -errno : fd;
}

JNIEXPORT jint JNICALL Java_io_switchboard_media_transport_NativeUdp_eventSignal(JNIEnv *env, jclass cls, jint fd) {
  (void) env;
  (void) cls;
  uint64_t one = 1;
  return write(fd, &one, sizeof one) < 0 ? -errno : 0;
}

JNIEXPORT jint JNICALL Java_io_switchboard_media_transport_NativeUdp_eventClear(JNIEnv *env, jclass cls, jint fd) {
  (void) env;
  (void) cls;
  uint64_t count;
  return read(fd, &count, sizeof count) < 0 && errno != EAGAIN ? -errno : 0;
}

JNIEXPORT jint JNICALL Java_io_switchboard_media_transport_NativeUdp_close(JNIEnv *env, jclass cls, jint fd) {
  (void) env;
  (void) cls;
  return close(fd) < 0 ? -errno : 0;
}

/* The calling thread's nice value (Linux keeps one per thread): the media thread raises its weight
 * over the JVM's own threads (JIT compilers, dispatchers). Its time slice too (Linux 6.12 and later, 0:
 * the kernel's default): the scheduler lets a waking thread preempt the running one only when the waking
 * one asks for the shorter slice; otherwise a JIT compiler that took the core while the media thread
 * waited for packets keeps it for the rest of its own slice, up to a tick (4 ms at HZ=250). */
struct sched_attr_v1 {
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
};

JNIEXPORT jint JNICALL Java_io_switchboard_media_transport_NativeUdp_setThreadScheduling(JNIEnv *env, jclass cls,
    jint nice, jlong sliceNanos) {
  (void) env;
  (void) cls;
  if (nice < -20 || nice > 19 || sliceNanos < 0) return -EINVAL;
  struct sched_attr_v1 attr;
  memset(&attr, 0, sizeof attr);
  attr.size = sizeof attr;
  attr.sched_policy = 0; /* SCHED_OTHER */
  attr.sched_nice = nice;
  attr.sched_runtime = (uint64_t) sliceNanos;
  pid_t self = (pid_t) syscall(SYS_gettid);
  if (syscall(SYS_sched_setattr, self, &attr, 0) < 0) {
    if (errno != EINVAL || sliceNanos == 0) return -errno;
    attr.sched_runtime = 0; /* a kernel that refuses the slice: the nice value alone */
    return syscall(SYS_sched_setattr, self, &attr, 0) < 0 ? -errno : -EOPNOTSUPP;
  }
  if (sliceNanos == 0) return 0;
  /* kernels before 6.12 take the call and ignore the slice; they report none back */
  struct sched_attr_v1 kept;
  memset(&kept, 0, sizeof kept);
  if (syscall(SYS_sched_getattr, self, &kept, sizeof kept, 0) < 0) return -errno;
  return kept.sched_runtime == (uint64_t) sliceNanos ? 0 : -EOPNOTSUPP;
}
