build-clang/lib/base/buf.o: libgrokx/base/buf.c libgrokx/base/base.h \
  libgrokx/grokx.h

libgrokx/base/base.h:

libgrokx/grokx.h:
