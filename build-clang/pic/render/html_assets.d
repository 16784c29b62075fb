build-clang/pic/render/html_assets.o: libgrokx/render/html_assets.c \
  libgrokx/render/render.h libgrokx/parse/parse.h \
  libgrokx/writer/writer.h libgrokx/base/base.h libgrokx/grokx.h

libgrokx/render/render.h:

libgrokx/parse/parse.h:

libgrokx/writer/writer.h:

libgrokx/base/base.h:

libgrokx/grokx.h:
