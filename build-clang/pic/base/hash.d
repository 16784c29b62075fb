build-clang/pic/base/hash.o: libgrokx/base/hash.c libgrokx/base/base.h \
  libgrokx/grokx.h

libgrokx/base/base.h:

libgrokx/grokx.h:
