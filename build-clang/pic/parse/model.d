build-clang/pic/parse/model.o: libgrokx/parse/model.c \
  libgrokx/parse/parse.h libgrokx/writer/writer.h libgrokx/base/base.h \
  libgrokx/grokx.h

libgrokx/parse/parse.h:

libgrokx/writer/writer.h:

libgrokx/base/base.h:

libgrokx/grokx.h:
