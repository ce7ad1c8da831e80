#!/bin/sh
# Compiles the media thread's JNI library into the jar (called by the build: see media-actors/pom.xml).
# Without a C compiler the build goes on without it and the media thread uses NIO, which is slower:
# install gcc (apt-get install -y gcc) for the native one.
set -eu
source=$1 headers=$2 java_home=$3 classes=$4

if [ "$(uname -s)" != Linux ]; then
  echo "[WARNING] native media I/O is built on Linux only; this build's media thread will use NIO"
  exit 0
fi
cc=${CC:-cc}
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "[WARNING] no C compiler ($cc): this build's media thread will use NIO (apt-get install -y gcc for native I/O)"
  exit 0
fi
out="$classes/META-INF/native/libswitchboard-udp-linux-$(uname -m).so"
mkdir -p "$(dirname "$out")"
"$cc" -O2 -fPIC -shared -Wall -Wextra -Werror \
  -I"$java_home/include" -I"$java_home/include/linux" -I"$headers" \
  -o "$out" "$source"
echo "[INFO] native media I/O: $out"
