/*
 * replay.c -- runs fuzz inputs without libFuzzer, so `make check` replays
 * the seed corpus and every regression with any compiler.
 *   fuzz_replay FILE_OR_DIR...   prints "replay: N passed, 0 failed"
 * A failing input aborts (as under the fuzzer), which fails the run.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long count;

static void
run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long n;
    if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
        fprintf(stderr, "replay: %s: cannot read\n", path);
        exit(1);
    }
    buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "replay: %s: cannot read\n", path);
        exit(1);
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, (size_t)n);
    free(buf);
    count++;
}

static void
run_path(const char *path)
{
    struct stat st;
    DIR *d;
    struct dirent *e;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: %s: missing\n", path);
        exit(1);
    }
    if (!S_ISDIR(st.st_mode)) {
        run_file(path);
        return;
    }
    if (!(d = opendir(path)))
        exit(1);
    while ((e = readdir(d)) != NULL) {
        char sub[4096];
        if (e->d_name[0] == '.')
            continue;
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        run_path(sub);
    }
    closedir(d);
}

int
main(int argc, char **argv)
{
    int i;
    for (i = 1; i < argc; i++)
        run_path(argv[i]);
    printf("replay: %lu passed, 0 failed\n", count);
    return 0;
}
