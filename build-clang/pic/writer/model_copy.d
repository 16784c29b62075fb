build-clang/pic/writer/model_copy.o: libgrokx/writer/model_copy.c \
  libgrokx/writer/writer.h libgrokx/base/base.h libgrokx/grokx.h

libgrokx/writer/writer.h:

libgrokx/base/base.h:

libgrokx/grokx.h:
