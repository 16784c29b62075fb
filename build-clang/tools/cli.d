build-clang/tools/cli.o: tools/cli.c tools/cli.h libgrokx/grokx.h

tools/cli.h:

libgrokx/grokx.h:
