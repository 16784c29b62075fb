build-clang/tools/search.o: tools/search.c tools/cli.h libgrokx/grokx.h

tools/cli.h:

libgrokx/grokx.h:
