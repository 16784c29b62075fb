build-clang/lib/base/queue.o: libgrokx/base/queue.c libgrokx/base/base.h \
  libgrokx/grokx.h

libgrokx/base/base.h:

libgrokx/grokx.h:
