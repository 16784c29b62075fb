build-clang/lib/render/md_inline.o: libgrokx/render/md_inline.c \
  libgrokx/render/render.h libgrokx/parse/parse.h \
  libgrokx/writer/writer.h libgrokx/base/base.h libgrokx/grokx.h

libgrokx/render/render.h:

libgrokx/parse/parse.h:

libgrokx/writer/writer.h:

libgrokx/base/base.h:

libgrokx/grokx.h:
