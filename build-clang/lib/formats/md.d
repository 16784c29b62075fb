build-clang/lib/formats/md.o: libgrokx/formats/md.c \
  libgrokx/formats/formats.h libgrokx/index/index.h libgrokx/out/out.h \
  libgrokx/input/input.h libgrokx/parse/parse.h libgrokx/writer/writer.h \
  libgrokx/base/base.h libgrokx/grokx.h libgrokx/render/render.h

libgrokx/formats/formats.h:

libgrokx/index/index.h:

libgrokx/out/out.h:

libgrokx/input/input.h:

libgrokx/parse/parse.h:

libgrokx/writer/writer.h:

libgrokx/base/base.h:

libgrokx/grokx.h:

libgrokx/render/render.h:
