build-clang/pic/base/timestamp.o: libgrokx/base/timestamp.c \
  libgrokx/base/base.h libgrokx/grokx.h

libgrokx/base/base.h:

libgrokx/grokx.h:
