build-clang/lib/base/version.o: libgrokx/base/version.c \
  libgrokx/base/base.h libgrokx/grokx.h

libgrokx/base/base.h:

libgrokx/grokx.h:
