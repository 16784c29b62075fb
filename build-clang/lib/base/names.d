build-clang/lib/base/names.o: libgrokx/base/names.c libgrokx/base/base.h \
  libgrokx/grokx.h

libgrokx/base/base.h:

libgrokx/grokx.h:
