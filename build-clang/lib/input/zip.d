build-clang/lib/input/zip.o: libgrokx/input/zip.c \
  /usr/include/minizip/unzip.h /usr/include/minizip/ioapi.h \
  libgrokx/input/backend.h libgrokx/input/input.h libgrokx/parse/parse.h \
  libgrokx/writer/writer.h libgrokx/base/base.h libgrokx/grokx.h

/usr/include/minizip/unzip.h:

/usr/include/minizip/ioapi.h:

libgrokx/input/backend.h:

libgrokx/input/input.h:

libgrokx/parse/parse.h:

libgrokx/writer/writer.h:

libgrokx/base/base.h:

libgrokx/grokx.h:
