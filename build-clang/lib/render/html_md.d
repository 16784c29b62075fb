build-clang/lib/render/html_md.o: libgrokx/render/html_md.c \
  libgrokx/render/render.h libgrokx/parse/parse.h \
  libgrokx/writer/writer.h libgrokx/base/base.h libgrokx/grokx.h

libgrokx/render/render.h:

libgrokx/parse/parse.h:

libgrokx/writer/writer.h:

libgrokx/base/base.h:

libgrokx/grokx.h:
