build-clang/pic/base/utf8.o: libgrokx/base/utf8.c libgrokx/base/base.h \
  libgrokx/grokx.h

libgrokx/base/base.h:

libgrokx/grokx.h:
