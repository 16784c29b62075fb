/*
 * test.h -- a tiny harness: CHECK counts, failures print where, and
 * test_report() prints the closing "N passed, N failed" line.
 */
#ifndef GROKX_TEST_H
#define GROKX_TEST_H

#include <stdio.h>
#include <string.h>

static unsigned long test_passed, test_failed;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (cond)                                                                     \
            test_passed++;                                                            \
        else {                                                                        \
            test_failed++;                                                            \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);           \
        }                                                                             \
    } while (0)

#define CHECK_MSG(cond, ...)                                                          \
    do {                                                                              \
        if (cond)                                                                     \
            test_passed++;                                                            \
        else {                                                                        \
            test_failed++;                                                            \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);           \
            fprintf(stderr, __VA_ARGS__);                                             \
            fputc('\n', stderr);                                                      \
        }                                                                             \
    } while (0)

#define CHECK_INT(a, b)                                                               \
    CHECK_MSG((long long)(a) == (long long)(b), "%lld != %lld", (long long)(a),      \
              (long long)(b))
#define CHECK_STR(a, b)                                                               \
    CHECK_MSG(strcmp((a), (b)) == 0, "\"%s\" != \"%s\"", (a), (b))

static int
test_report(const char *name)
{
    printf("%s: %lu passed, %lu failed\n", name, test_passed, test_failed);
    return test_failed ? 1 : 0;
}

#endif
