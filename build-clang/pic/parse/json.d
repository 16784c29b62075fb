build-clang/pic/parse/json.o: libgrokx/parse/json.c \
  libgrokx/parse/parse.h libgrokx/writer/writer.h libgrokx/base/base.h \
  libgrokx/grokx.h

libgrokx/parse/parse.h:

libgrokx/writer/writer.h:

libgrokx/base/base.h:

libgrokx/grokx.h:
