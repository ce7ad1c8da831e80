/*
 * The media thread's UDP calls, without the JDK's channel layer: one recvmmsg reads every datagram
 * waiting on a socket (NIO needs a recvfrom per datagram plus one more that finds the socket empty),
 * and sendto goes straight to the kernel without the channel's locks and address conversion.
 *
 * IPv4 only; the Java side uses NIO for anything else. Errors come back as -errno, never as exceptions,
 * so the hot path stays free of allocation.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "io_switchboard_media_transport_NativeUdp.h"

#define MAX_BATCH 64
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

JNIEXPORT jint JNICALL Java_io_switchboard_media_transport_NativeUdp_receive(JNIEnv *env, jclass cls, jint fd,
    jobject data, jint slot, jint max, jobject meta) {
  (void) cls;
  char *base = (*env)->GetDirectBufferAddress(env, data);
  jint *out = (*env)->GetDirectBufferAddress(env, meta);
  if (base == NULL || out == NULL || slot <= 0 || max <= 0) return -EINVAL;
  if ((*env)->GetDirectBufferCapacity(env, data) < (jlong) slot * max
      || (*env)->GetDirectBufferCapacity(env, meta) < (jlong) sizeof(jint) * META_INTS * max) return -EINVAL;
  if (max > MAX_BATCH) max = MAX_BATCH;

  struct mmsghdr msgs[MAX_BATCH];
  struct iovec iov[MAX_BATCH];
  struct sockaddr_in from[MAX_BATCH];
  memset(msgs, 0, sizeof(struct mmsghdr) * (size_t) max);
  for (int i = 0; i < max; i++) {
    iov[i].iov_base = base + (size_t) i * (size_t) slot;
    iov[i].iov_len = (size_t) slot;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_name = &from[i];
    msgs[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_in);
  }
  int n = recvmmsg(fd, msgs, (unsigned int) max, MSG_DONTWAIT, NULL);
  if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;
  for (int i = 0; i < n; i++) {
    int ipv4 = msgs[i].msg_hdr.msg_namelen >= sizeof(struct sockaddr_in) && from[i].sin_family == AF_INET;
    out[i * META_INTS] = (jint) msgs[i].msg_len;
    out[i * META_INTS + 1] = ipv4 ? (jint) ntohl(from[i].sin_addr.s_addr) : 0;
    out[i * META_INTS + 2] = ipv4 ? (jint) ntohs(from[i].sin_port) : -1;
  }
  return n;
}

JNIEXPORT jint JNICALL Java_io_switchboard_media_transport_NativeUdp_send(JNIEnv *env, jclass cls, jint fd,
    jobject buffer, jint offset, jint length, jint ipv4, jint port) {
  (void) cls;
  char *base = (*env)->GetDirectBufferAddress(env, buffer);
  if (base == NULL || offset < 0 || length < 0 || port <= 0 || port > 65535
      || (*env)->GetDirectBufferCapacity(env, buffer) < (jlong) offset + length) return -EINVAL;
  struct sockaddr_in to;
  memset(&to, 0, sizeof to);
  to.sin_family = AF_INET;
  to.sin_port = htons((uint16_t) port);
  to.sin_addr.s_addr = htonl((uint32_t) ipv4);
  ssize_t sent = sendto(fd, base + offset, (size_t) length, MSG_DONTWAIT, (struct sockaddr *) &to, sizeof to);
  return sent < 0 ? -errno : (jint) sent;
}
