build-clang/lib/parse/parser.o: libgrokx/parse/parser.c \
  libgrokx/parse/schema.h libgrokx/parse/parse.h \
  libgrokx/writer/writer.h libgrokx/base/base.h libgrokx/grokx.h

libgrokx/parse/schema.h:

libgrokx/parse/parse.h:

libgrokx/writer/writer.h:

libgrokx/base/base.h:

libgrokx/grokx.h:
