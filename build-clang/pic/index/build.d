build-clang/pic/index/build.o: libgrokx/index/build.c libgrokx/index/ix.h \
  libgrokx/index/index.h libgrokx/out/out.h libgrokx/input/input.h \
  libgrokx/parse/parse.h libgrokx/writer/writer.h libgrokx/base/base.h \
  libgrokx/grokx.h libgrokx/render/render.h

libgrokx/index/ix.h:

libgrokx/index/index.h:

libgrokx/out/out.h:

libgrokx/input/input.h:

libgrokx/parse/parse.h:

libgrokx/writer/writer.h:

libgrokx/base/base.h:

libgrokx/grokx.h:

libgrokx/render/render.h:
