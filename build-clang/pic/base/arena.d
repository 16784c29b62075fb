build-clang/pic/base/arena.o: libgrokx/base/arena.c libgrokx/base/base.h \
  libgrokx/grokx.h

libgrokx/base/base.h:

libgrokx/grokx.h:
