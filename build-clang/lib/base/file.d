build-clang/lib/base/file.o: libgrokx/base/file.c libgrokx/base/base.h \
  libgrokx/grokx.h

libgrokx/base/base.h:

libgrokx/grokx.h:
