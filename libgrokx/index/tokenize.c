/*
 * tokenize.c -- the terms of the search index. The query parser runs the
 * same function over query words, so index and query always agree.
 *
 * One pass over the bytes. ASCII is classified by a table and lower-cased
 * in place; a plain word ("the", "Hello", "HTTP", "2024") is handed to the
 * callback straight from the text. Only non-ASCII characters go through
 * utf8proc: each becomes its NFKC + case-folded code points (an NFKD of the
 * folded form; marks are then dropped, so nothing is left to compose but
 * CJK, which is composed per character below), and those code points, not
 * the source character, decide what is a word: "½" gives 1 and 2, "⑴" 1.
 *
 * Words: letters and numbers, with combining marks (and soft hyphen,
 * ZWJ, ZWNJ, word joiner) attached to them; everything else separates.
 * A compound is such a word possibly joined by single underscores; it is
 * split at underscores, lower->Upper, Upper->Upper+lower (except before a
 * lone final "s": URLs stays urls) and letter<->digit, each part a token at
 * consecutive positions, and its whole form (underscores kept) is also a
 * token, GX_TOK_JOINED, at the first part's position.
 *
 * CJK (Han, kana, Hangul, Bopomofo; S_cjk_range) is not grouped into
 * words: a run yields overlapping bigrams, a single character itself. Kana
 * voicing marks and Hangul vowel/final jamo stay with their character and
 * are composed (が stays が, halfwidth ｶﾞ becomes ガ).
 *
 * No allocation: a compound is collected in fixed buffers of S_TEXT_MAX
 * bytes; a longer one (base64, a hex dump) is skipped as one position.
 */
#include <string.h>
#include <utf8proc.h>

#include "index/ix.h"

/* Normalised bytes of a compound we split; longer ones are skipped. */
#define S_TEXT_MAX 256
/* Code points of one CJK character with its attached marks or jamo. */
#define S_UNIT_CPS 8
/* Code points utf8proc may return for one character (U+FDFA gives 18). */
#define S_DECOMP_MAX 32

/* Character classes. NOCASE is a letter without case (Lo, Lm); the ASCII
 * table never uses it. HIGH is a byte >= 0x80. */
enum { S_SEP = 0, S_LOWER = 1, S_UPPER = 2, S_NOCASE = 4, S_DIGIT = 8, S_UNDER = 16,
       S_HIGH = 32 };
#define S_LETTER (S_LOWER | S_UPPER | S_NOCASE)
#define S_ALNUM (S_LOWER | S_UPPER | S_DIGIT)

#define S S_SEP
#define L S_LOWER
#define U S_UPPER
#define D S_DIGIT
#define W S_UNDER
#define H S_HIGH
static const unsigned char S_cls[256] = {
    S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S,
    S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S,
    S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S,
    D, D, D, D, D, D, D, D, D, D, S, S, S, S, S, S,
    S, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,
    U, U, U, U, U, U, U, U, U, U, U, S, S, S, S, W,
    S, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L,
    L, L, L, L, L, L, L, L, L, L, L, S, S, S, S, S,
    H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
    H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
    H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
    H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
    H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
    H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
    H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
    H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
};
#undef S
#undef L
#undef U
#undef D
#undef W
#undef H

typedef struct S_ch {   /* one normalised code point of a compound */
    size_t src, end;    /* its source character, marks attached */
    uint16_t off;       /* its first byte in S_state.text */
    unsigned char cls;  /* S_LOWER, S_UPPER, S_NOCASE, S_DIGIT or S_UNDER */
} S_ch;

typedef struct S_unit { /* one CJK character */
    size_t src, end;
    utf8proc_int32_t cp[S_UNIT_CPS];
    size_t ncp, len;
    char u8[S_UNIT_CPS * 4]; /* composed, once closed */
} S_unit;

typedef struct S_state {
    gx_tok_fn fn;
    void *ud;
    uint32_t pos; /* of the next token */
    /* the open compound */
    int active;   /* a compound is open */
    int under;    /* it ended in one '_', not stored yet */
    int over;     /* it outgrew the buffers: skipped */
    size_t nch, tlen;
    char text[S_TEXT_MAX];
    S_ch ch[S_TEXT_MAX];
    /* the open CJK run: u[cur] is open, u[cur ^ 1] the one before */
    int run; /* characters in the run, counted up to 2 */
    int cur;
    S_unit u[2];
} S_state;

static void
S_next(S_state *st)
{
    if (st->pos != UINT32_MAX)
        st->pos++;
}

static int
S_emit(S_state *st, const char *term, size_t len, size_t start, size_t end, unsigned flags,
       uint32_t pos)
{
    gx_tok t;
    if (len > GX_TERM_MAX)
        return 0; /* its position is used all the same */
    t.term = term;
    t.len = len;
    t.pos = pos;
    t.start = start;
    t.end = end;
    t.flags = flags;
    return st->fn(st->ud, &t);
}

static size_t
S_encode(utf8proc_int32_t c, char *out)
{
    uint32_t u = (uint32_t)c;
    if (u < 0x80) {
        out[0] = (char)u;
        return 1;
    }
    if (u < 0x800) {
        out[0] = (char)(0xC0 | u >> 6);
        out[1] = (char)(0x80 | (u & 0x3F));
        return 2;
    }
    if (u < 0x10000) {
        out[0] = (char)(0xE0 | u >> 12);
        out[1] = (char)(0x80 | (u >> 6 & 0x3F));
        out[2] = (char)(0x80 | (u & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | u >> 18);
    out[1] = (char)(0x80 | (u >> 12 & 0x3F));
    out[2] = (char)(0x80 | (u >> 6 & 0x3F));
    out[3] = (char)(0x80 | (u & 0x3F));
    return 4;
}

/* ---- compounds ------------------------------------------------------- */

/* Is there a part boundary before character k (0 < k < nch; neither k
 * nor k - 1 is an underscore)? */
static int
S_split(const S_state *st, size_t k)
{
    unsigned p = st->ch[k - 1].cls, c = st->ch[k].cls;
    if ((p == S_DIGIT) != (c == S_DIGIT))
        return 1;
    if (p == S_LOWER && c == S_UPPER)
        return 1;
    if (p == S_UPPER && c == S_UPPER && k + 1 < st->nch && st->ch[k + 1].cls == S_LOWER)
        /* HTTPServer: http server; but a plural stays whole: URLs, IDs */
        return !(st->text[st->ch[k + 1].off] == 's' &&
                 (k + 2 >= st->nch || st->ch[k + 2].cls != S_LOWER));
    return 0;
}


/* Emit the open compound: each part, and right after the first part the
 * whole form when there is more than one. */
static int
S_flush(S_state *st)
{
    size_t n = st->nch, tlen = st->tlen, a = 0, k, endoff;
    int rc = 0, over = st->over;
    uint32_t pos;
    if (!st->active)
        return 0;
    st->active = st->under = st->over = 0;
    if (over) {
        st->nch = st->tlen = 0;
        S_next(st);
        return 0;
    }
    for (k = 1; rc == 0; k++) {
        if (k < n && st->ch[k].cls != S_UNDER && !S_split(st, k))
            continue;
        /* the part is a .. k - 1 */
        endoff = k < n ? st->ch[k].off : tlen;
        pos = st->pos;
        rc = S_emit(st, st->text + st->ch[a].off, endoff - st->ch[a].off, st->ch[a].src,
                    st->ch[k - 1].end, 0, pos);
        if (rc == 0 && a == 0 && k < n)
            rc = S_emit(st, st->text, tlen, st->ch[0].src, st->ch[n - 1].end, GX_TOK_JOINED,
                        pos);
        S_next(st);
        if (k >= n)
            break;
        if (st->ch[k].cls == S_UNDER)
            k++; /* never last: '_' is stored only before a character */
        a = k;
    }
    st->nch = st->tlen = 0;
    return rc;
}

/* Store the '_' seen after the compound, now that a character follows. */
static void
S_store_under(S_state *st)
{
    S_ch *ch;
    st->under = 0;
    if (st->over || st->tlen + 1 > S_TEXT_MAX) {
        st->over = 1;
        return;
    }
    ch = &st->ch[st->nch++];
    ch->src = ch->end = 0; /* never a part's first or last character */
    ch->off = (uint16_t)st->tlen;
    ch->cls = S_UNDER;
    st->text[st->tlen++] = '_';
}

static int S_cjk_end(S_state *st);

/* Append the ASCII letters and digits s[i..j) to the compound. */
static int
S_ascii(S_state *st, const unsigned char *s, size_t i, size_t j)
{
    int rc;
    if (st->run && (rc = S_cjk_end(st)))
        return rc;
    if (st->under)
        S_store_under(st);
    st->active = 1;
    if (st->over || st->tlen + (j - i) > S_TEXT_MAX) {
        st->over = 1;
        return 0;
    }
    for (; i < j; i++) {
        S_ch *ch = &st->ch[st->nch++];
        unsigned c = s[i], k = S_cls[c];
        ch->src = i;
        ch->end = i + 1;
        ch->off = (uint16_t)st->tlen;
        ch->cls = (unsigned char)k;
        st->text[st->tlen++] = (char)(k == S_UPPER ? c | 0x20 : c);
    }
    return 0;
}

/* Append one normalised code point (UTF-8 b[0..n)) to the compound. */
static int
S_append(S_state *st, const char *b, size_t n, unsigned cls, size_t src, size_t end)
{
    S_ch *ch;
    int rc;
    if (st->run && (rc = S_cjk_end(st)))
        return rc;
    if (st->under)
        S_store_under(st);
    st->active = 1;
    if (st->over || st->tlen + n > S_TEXT_MAX) {
        st->over = 1;
        return 0;
    }
    ch = &st->ch[st->nch++];
    ch->src = src;
    ch->end = end;
    ch->off = (uint16_t)st->tlen;
    ch->cls = (unsigned char)cls;
    memcpy(st->text + st->tlen, b, n);
    st->tlen += n;
    return 0;
}

/* ---- CJK ------------------------------------------------------------- */

/* Normalised letters and numbers that are CJK characters: Hangul jamo
 * (1100-11FF, A960-A97F, D7B0-D7FF) and syllables (AC00-D7A3); from 3000
 * to 9FFF the letters of CJK Symbols (々 〆 〇), Hiragana, Katakana,
 * Bopomofo, Hangul Compatibility Jamo, Kanbun, Katakana Phonetic
 * Extensions, CJK Extension A and CJK Unified Ideographs; CJK Compatibility
 * Ideographs (F900-FAFF, those NFKC keeps); Kana Extended-B, Kana
 * Supplement, Kana Extended-A, Small Kana Extension (1AFF0-1B16F); CJK
 * Extensions B to H and Compatibility Supplement (20000-3FFFF). */
static int
S_cjk_range(utf8proc_int32_t c)
{
    return (c >= 0x1100 && c <= 0x11FF) || (c >= 0x3000 && c <= 0x9FFF) ||
           (c >= 0xA960 && c <= 0xA97F) || (c >= 0xAC00 && c <= 0xD7FF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x1AFF0 && c <= 0x1B16F) ||
           (c >= 0x20000 && c <= 0x3FFFF);
}

/* Symbols that NFKC turns into CJK (or Latin) letters: radicals (a PDF's
 * ⽇ for 日), Kanbun, and the enclosed and squared forms (㈱, ㍿, ㎏). */
static int
S_cjk_symbol(utf8proc_int32_t c)
{
    return (c >= 0x2E80 && c <= 0x2FDF) || (c >= 0x3190 && c <= 0x319F) ||
           (c >= 0x3200 && c <= 0x33FF);
}

static int
S_hangul(utf8proc_int32_t c)
{
    return (c >= 0x1100 && c <= 0x11FF) || (c >= 0xA960 && c <= 0xA97F) ||
           (c >= 0xAC00 && c <= 0xD7FF);
}

/* Vowel and final jamo: part of the syllable before them. */
static int
S_jamo_vt(utf8proc_int32_t c)
{
    return (c >= 0x1160 && c <= 0x11FF) || (c >= 0xD7B0 && c <= 0xD7FF);
}

/* Compose a character with what attached to it (か + ゙, ᄀ + ᅡ) and
 * encode it. */
static void
S_close(S_unit *u)
{
    size_t i, n = u->ncp;
    if (n > 1) {
        utf8proc_ssize_t m = utf8proc_normalize_utf32(u->cp, (utf8proc_ssize_t)n, UTF8PROC_COMPOSE);
        if (m > 0)
            n = (size_t)m;
    }
    u->len = 0;
    for (i = 0; i < n; i++)
        u->len += S_encode(u->cp[i], u->u8 + u->len);
}

/* The bigram of the previous and the current (closed) character. */
static int
S_bigram(S_state *st)
{
    char t[2 * S_UNIT_CPS * 4];
    const S_unit *p = &st->u[st->cur ^ 1], *c = &st->u[st->cur];
    int rc;
    memcpy(t, p->u8, p->len);
    memcpy(t + p->len, c->u8, c->len);
    rc = S_emit(st, t, p->len + c->len, p->src, c->end, GX_TOK_CJK, st->pos);
    S_next(st);
    return rc;
}

static int
S_cjk_end(S_state *st)
{
    S_unit *u = &st->u[st->cur];
    int rc, run = st->run;
    S_close(u);
    st->run = 0;
    if (run > 1)
        return S_bigram(st);
    rc = S_emit(st, u->u8, u->len, u->src, u->end, GX_TOK_CJK, st->pos);
    S_next(st);
    return rc;
}

/* A CJK character: it closes the one before (a bigram with the one before
 * that) unless it is a jamo that belongs to it. */
static int
S_cjk(S_state *st, utf8proc_int32_t c, size_t src, size_t end)
{
    S_unit *u;
    int rc;
    if (st->active && (rc = S_flush(st)))
        return rc;
    if (st->run) {
        u = &st->u[st->cur];
        if (S_jamo_vt(c) && S_hangul(u->cp[0])) {
            if (u->ncp < S_UNIT_CPS)
                u->cp[u->ncp++] = c;
            u->end = end;
            return 0;
        }
        S_close(u);
        if (st->run > 1 && (rc = S_bigram(st)))
            return rc;
        st->cur ^= 1;
        if (st->run < 2)
            st->run++;
    } else
        st->run = 1;
    u = &st->u[st->cur];
    u->src = src;
    u->end = end;
    u->cp[0] = c;
    u->ncp = 1;
    return 0;
}

/* ---- everything else ------------------------------------------------- */

/* End the compound and the CJK run. */
static int
S_sep(S_state *st)
{
    int rc;
    if (st->active && (rc = S_flush(st)))
        return rc;
    return st->run ? S_cjk_end(st) : 0;
}

/* A single '_' may join two parts of a compound; otherwise it separates. */
static int
S_under(S_state *st)
{
    if (st->active && !st->under) {
        st->under = 1;
        return 0;
    }
    return S_sep(st);
}

/* A mark joins the character before it (the source bytes are covered) but
 * is dropped, except the kana voicing marks of a CJK character. */
static int
S_mark(S_state *st, utf8proc_int32_t c, size_t end)
{
    if (st->active) {
        if (st->under)
            return S_flush(st); /* "a_" + mark: nothing to attach to */
        if (!st->over)
            st->ch[st->nch - 1].end = end;
        return 0;
    }
    if (st->run) {
        S_unit *u = &st->u[st->cur];
        if ((c == 0x3099 || c == 0x309A) && u->ncp < S_UNIT_CPS)
            u->cp[u->ncp++] = c;
        u->end = end;
    }
    return 0;
}

static int
S_is_letter(utf8proc_category_t c)
{
    return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
}

static int
S_is_number(utf8proc_category_t c)
{
    return c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO;
}

static int
S_is_mark(utf8proc_category_t c)
{
    return c >= UTF8PROC_CATEGORY_MN && c <= UTF8PROC_CATEGORY_ME;
}

/* One valid non-ASCII character of the source, s[src..end). */
static int
S_char(S_state *st, utf8proc_int32_t c, size_t src, size_t end)
{
    utf8proc_int32_t out[S_DECOMP_MAX];
    utf8proc_ssize_t n, k;
    utf8proc_category_t cat;
    unsigned cs;
    char b[4];
    int rc;
    if ((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7A3))
        return S_cjk(st, c, src, end); /* the common ones: NFKC keeps them */
    if (c == 0xAD || c == 0x200C || c == 0x200D || c == 0x2060 || c == 0xFEFF)
        return S_mark(st, c, end); /* soft hyphen, ZWNJ, ZWJ, word joiners: inside words */
    cat = utf8proc_category(c);
    if (!S_is_letter(cat) && !S_is_number(cat) && !S_is_mark(cat) && !S_cjk_symbol(c))
        return S_sep(st);
    /* NFKD of the case folding; marks are dropped below, so only CJK needs
     * composing again (S_close) */
    n = utf8proc_decompose_char(c, out, S_DECOMP_MAX,
                                UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_DECOMPOSE, NULL);
    if (n <= 0 || n > S_DECOMP_MAX)
        return S_sep(st);
    /* the case of the source decides camelCase splits; titlecase ǅ is
     * an upper then a lower letter */
    cs = cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LT ? S_UPPER
         : cat == UTF8PROC_CATEGORY_LL                              ? S_LOWER
                                                                    : S_NOCASE;
    for (k = 0; k < n; k++) {
        utf8proc_int32_t o = out[k];
        if (o < 0x80) {
            unsigned kc = S_cls[o];
            if (kc & S_LETTER) {
                b[0] = (char)(o | 0x20);
                rc = S_append(st, b, 1, cs, src, end);
            } else if (kc == S_DIGIT) {
                b[0] = (char)o;
                rc = S_append(st, b, 1, S_DIGIT, src, end);
            } else
                rc = S_sep(st); /* "(" of ⑴, a space of ﷺ */
        } else {
            utf8proc_category_t oc = utf8proc_category(o);
            if (S_is_mark(oc))
                rc = S_mark(st, o, end);
            else if (!S_is_letter(oc) && !S_is_number(oc))
                rc = S_sep(st); /* "⁄" of ½ */
            else if (S_cjk_range(o))
                rc = S_cjk(st, o, src, end);
            else if (!S_is_letter(oc))
                rc = S_append(st, b, S_encode(o, b), S_DIGIT, src, end);
            else /* Cherokee folds to its capitals: caseless, or "aꭰ" and
                  * its own term "aᎠ" would split differently */
                rc = S_append(st, b, S_encode(o, b),
                              oc == UTF8PROC_CATEGORY_LU || oc == UTF8PROC_CATEGORY_LT ? S_NOCASE : cs,
                              src, end);
        }
        if (rc)
            return rc;
        if (cat == UTF8PROC_CATEGORY_LT)
            cs = S_LOWER;
    }
    return 0;
}

/* A word of ASCII letters or digits that needs no splitting: lower,
 * Capitalised, UPPER, or digits (first: class of its first byte; rest: the
 * classes of the others, or-ed). */
static int
S_plain(unsigned first, unsigned rest)
{
    if (first == S_UPPER)
        return (rest & ~(unsigned)S_LOWER) == 0 || (rest & ~(unsigned)S_UPPER) == 0;
    return (rest & ~first) == 0;
}

int
gx_tokenize(const char *text, size_t len, gx_tok_fn fn, void *ud)
{
    const unsigned char *s = (const unsigned char *)text;
    char low[GX_TERM_MAX];
    S_state st;
    size_t i = 0, j, m, seq;
    int rc;
    st.fn = fn;
    st.ud = ud;
    st.pos = 0;
    st.active = st.under = st.over = 0;
    st.nch = st.tlen = 0;
    st.run = st.cur = 0;
    while (i < len) {
        unsigned k = S_cls[s[i]], rest = 0, c;
        if (k == S_SEP) {
            if ((st.active || st.run) && (rc = S_sep(&st)))
                return rc;
            i++;
            continue;
        }
        if (k & S_ALNUM) {
            for (j = i + 1; j < len && ((c = S_cls[s[j]]) & S_ALNUM); j++)
                rest |= c;
            if (!st.active && !st.run && (j == len || S_cls[s[j]] == S_SEP) && S_plain(k, rest)) {
                /* the common word: one part, lower-cased if needed */
                const char *t = text + i;
                if (j - i <= GX_TERM_MAX) {
                    if ((k | rest) & S_UPPER) {
                        for (m = 0; m < j - i; m++)
                            low[m] = (char)(s[i + m] | 0x20);
                        t = low;
                    }
                    if ((rc = S_emit(&st, t, j - i, i, j, 0, st.pos)))
                        return rc;
                }
                S_next(&st);
            } else if ((rc = S_ascii(&st, s, i, j)))
                return rc;
            i = j;
            continue;
        }
        if (k == S_UNDER) {
            if ((rc = S_under(&st)))
                return rc;
            i++;
            continue;
        }
        if ((seq = gx_utf8_seq(s + i, len - i)) == 0) {
            rc = S_sep(&st); /* an invalid byte */
            i++;
        } else {
            rc = S_char(&st, (utf8proc_int32_t)gx_utf8_decode(s + i, seq), i, i + seq);
            i += seq;
        }
        if (rc)
            return rc;
    }
    return S_sep(&st);
}
