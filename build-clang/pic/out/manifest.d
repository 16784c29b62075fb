build-clang/pic/out/manifest.o: libgrokx/out/manifest.c \
  libgrokx/out/out.h libgrokx/input/input.h libgrokx/parse/parse.h \
  libgrokx/writer/writer.h libgrokx/base/base.h libgrokx/grokx.h \
  libgrokx/render/render.h

libgrokx/out/out.h:

libgrokx/input/input.h:

libgrokx/parse/parse.h:

libgrokx/writer/writer.h:

libgrokx/base/base.h:

libgrokx/grokx.h:

libgrokx/render/render.h:
