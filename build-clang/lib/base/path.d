build-clang/lib/base/path.o: libgrokx/base/path.c libgrokx/base/base.h \
  libgrokx/grokx.h

libgrokx/base/base.h:

libgrokx/grokx.h:
