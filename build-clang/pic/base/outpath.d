build-clang/pic/base/outpath.o: libgrokx/base/outpath.c \
  libgrokx/base/base.h libgrokx/grokx.h

libgrokx/base/base.h:

libgrokx/grokx.h:
