build-clang/pic/base/jsonw.o: libgrokx/base/jsonw.c libgrokx/base/base.h \
  libgrokx/grokx.h

libgrokx/base/base.h:

libgrokx/grokx.h:
