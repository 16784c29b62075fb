build-clang/pic/writer/filter.o: libgrokx/writer/filter.c \
  libgrokx/writer/writer.h libgrokx/base/base.h libgrokx/grokx.h

libgrokx/writer/writer.h:

libgrokx/base/base.h:

libgrokx/grokx.h:
