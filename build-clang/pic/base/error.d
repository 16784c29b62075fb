build-clang/pic/base/error.o: libgrokx/base/error.c libgrokx/base/base.h \
  libgrokx/grokx.h

libgrokx/base/base.h:

libgrokx/grokx.h:
