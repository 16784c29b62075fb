build-clang/lib/parse/assemble.o: libgrokx/parse/assemble.c \
  libgrokx/parse/parse.h libgrokx/writer/writer.h libgrokx/base/base.h \
  libgrokx/grokx.h

libgrokx/parse/parse.h:

libgrokx/writer/writer.h:

libgrokx/base/base.h:

libgrokx/grokx.h:
