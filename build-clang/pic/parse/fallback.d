build-clang/pic/parse/fallback.o: libgrokx/parse/fallback.c \
  libgrokx/parse/parse.h libgrokx/writer/writer.h libgrokx/base/base.h \
  libgrokx/grokx.h

libgrokx/parse/parse.h:

libgrokx/writer/writer.h:

libgrokx/base/base.h:

libgrokx/grokx.h:
