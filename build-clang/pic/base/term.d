build-clang/pic/base/term.o: libgrokx/base/term.c libgrokx/base/base.h \
  libgrokx/grokx.h

libgrokx/base/base.h:

libgrokx/grokx.h:
