build-clang/pic/writer/thread.o: libgrokx/writer/thread.c \
  libgrokx/writer/writer.h libgrokx/base/base.h libgrokx/grokx.h

libgrokx/writer/writer.h:

libgrokx/base/base.h:

libgrokx/grokx.h:
