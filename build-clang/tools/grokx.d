build-clang/tools/grokx.o: tools/grokx.c tools/cli.h libgrokx/grokx.h

tools/cli.h:

libgrokx/grokx.h:
