build-clang/lib/input/entries.o: libgrokx/input/entries.c \
  libgrokx/input/backend.h libgrokx/input/input.h libgrokx/parse/parse.h \
  libgrokx/writer/writer.h libgrokx/base/base.h libgrokx/grokx.h

libgrokx/input/backend.h:

libgrokx/input/input.h:

libgrokx/parse/parse.h:

libgrokx/writer/writer.h:

libgrokx/base/base.h:

libgrokx/grokx.h:
