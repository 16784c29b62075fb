build-clang/pic/base/alloc.o: libgrokx/base/alloc.c libgrokx/base/base.h \
  libgrokx/grokx.h

libgrokx/base/base.h:

libgrokx/grokx.h:
