build-clang/pic/writer/writer.o: libgrokx/writer/writer.c \
  libgrokx/writer/writer.h libgrokx/base/base.h libgrokx/grokx.h

libgrokx/writer/writer.h:

libgrokx/base/base.h:

libgrokx/grokx.h:
