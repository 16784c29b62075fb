build-clang/pic/input/pump.o: libgrokx/input/pump.c \
  libgrokx/input/backend.h libgrokx/input/input.h libgrokx/parse/parse.h \
  libgrokx/writer/writer.h libgrokx/base/base.h libgrokx/grokx.h

libgrokx/input/backend.h:

libgrokx/input/input.h:

libgrokx/parse/parse.h:

libgrokx/writer/writer.h:

libgrokx/base/base.h:

libgrokx/grokx.h:
