/*
 * gen-export: deterministic generator of realistic xAI Grok exports
 * (the content of prod-grok-backend.json), streamed to stdout or a file.
 *
 * Usage: gen-export [-s SIZE] [-S SEED] [-n N] [-o FILE] [--pretty] [-v]
 *   -s SIZE   approximate output size in bytes, suffix K/M/G (x1024); default 10M
 *   -S SEED   64-bit seed (default 1); same seed + size => byte-identical output
 *   -n N      emit exactly N conversations instead of a size target
 *   -o FILE   write to FILE instead of stdout
 *   --pretty  indent the output (for small human-readable samples)
 *   -v        print counters to stderr at the end
 *
 * Speed matters (GB-scale inputs are piped into consumers), so all text is
 * generated and JSON-escaped ONCE at start-up into pools; the main loop only
 * plans a conversation tree, formats ids/times with hand-written formatters
 * and memcpy()s pool items into a large output buffer.  Memory is fixed: the
 * pools plus one output buffer, whatever the output size.
 *
 * The shapes follow the export format reference (sections 2, 3, 6): double
 * wrapping, sparse fields, every create_time variant, branches, dangling
 * parents, odd senders, steps/traces/cards, unknown keys, varying key order.
 *
 * Build: cc -std=c11 -O2 -o gen-export gen-export.c
 */
#define _GNU_SOURCE           /* F_SETPIPE_SZ (Linux); harmless elsewhere */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRLEN(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* Random numbers: splitmix64 is tiny, fast and good enough for test data. */

typedef struct { uint64_t s; } Rng;

static uint64_t rnd(Rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, n) without a division (multiply-shift). */
static uint32_t below(Rng *r, uint32_t n)
{
    return (uint32_t)(((rnd(r) >> 32) * n) >> 32);
}

static int range(Rng *r, int lo, int hi)
{
    return lo + (int)below(r, (uint32_t)(hi - lo + 1));
}

static int chance(Rng *r, unsigned permille)
{
    return below(r, 1000) < permille;
}

/* Roughly log-uniform in [lo, hi): uniform octave, then uniform inside it.
 * Avoids libm so the build line needs no -lm. */
/* The shapes real exports take that grokx must read or report (issue 27:
 * lost links, odd times, a system sender, blank or padded titles, file
 * attachments as objects, render tags without a type, cards no tag
 * names, MIME types as artifact types, ids that are no UUID, whitespace
 * messages), each at a low rate. They draw from a stream of their own, so
 * the main stream, and the exports made before them, change only where a
 * variant lands. */
static Rng V;

static int variant(unsigned permille)
{
    return chance(&V, permille);
}

static size_t log_size(Rng *r, size_t lo, size_t hi)
{
    int octaves = 0;
    while ((lo << (octaves + 1)) <= hi)
        octaves++;
    size_t base = lo << below(r, (uint32_t)octaves + 1);
    size_t v = base + below(r, (uint32_t)base);
    return v < hi ? v : hi;
}

#define PICK(r, arr) ((arr)[below((r), (uint32_t)ARRLEN(arr))])

/* ------------------------------------------------------------------ */
/* Errors and growable buffers (start-up only; the hot path uses Out). */

static void die(const char *msg)
{
    fprintf(stderr, "gen-export: %s\n", msg);
    exit(1);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die("out of memory");
    return p;
}

typedef struct { const char *p; size_t n; } Str;
typedef struct { char *p; size_t n, cap; } Buf;

static void buf_put(Buf *b, const void *s, size_t n)
{
    if (n == 0)                       /* b->p may still be NULL */
        return;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->n + n)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np)
            die("out of memory");
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

static void buf_str(Buf *b, const char *s)
{
    buf_put(b, s, strlen(s));
}

static void buf_fmt(Buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void buf_fmt(Buf *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp)
        die("internal: buf_fmt overflow");
    buf_put(b, tmp, (size_t)n);
}

/* Moves the contents into an exact-size allocation and empties b. */
static Str buf_take(Buf *b)
{
    if (b->n == 0)                    /* b->p may be NULL: memcpy(NULL, 0) is UB */
        return (Str){ "", 0 };
    char *p = xmalloc(b->n);
    memcpy(p, b->p, b->n);
    Str s = { p, b->n };
    b->n = 0;
    return s;
}

/* ------------------------------------------------------------------ */
/* JSON string escaping.  Styles vary per string because real exports and
 * the tools that re-save them differ: raw UTF-8 (the norm), everything as
 * \uXXXX (Python ensure_ascii), only astral chars as surrogate pairs, and
 * "\/" for slashes. */

enum { ESC_PLAIN = 0, ESC_SLASH = 1, ESC_ASCII = 2, ESC_ASTRAL = 4 };

/* Our text tables must be valid UTF-8, or the escaper would emit garbage;
 * checked once per string at start-up. */
static int utf8_valid(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i], len, min;
        uint32_t cp;
        if (c < 0x80) { i++; continue; }
        if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; min = 0x80; }
        else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; min = 0x800; }
        else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; min = 0x10000; }
        else return 0;
        if (i + len > n)
            return 0;
        for (unsigned k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
    if (s[0] < 0xE0) {
        *cp = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if (s[0] < 0xF0) {
        *cp = ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6)
              | (s[2] & 0x3F);
        return 3;
    }
    *cp = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12)
          | ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
    return 4;
}

static void buf_u16(Buf *b, unsigned v)
{
    static const char hex[] = "0123456789abcdef";
    char e[6] = { '\\', 'u', hex[(v >> 12) & 15], hex[(v >> 8) & 15],
                  hex[(v >> 4) & 15], hex[v & 15] };
    buf_put(b, e, 6);
}

static void esc_codepoint(Buf *b, uint32_t cp)
{
    if (cp < 0x10000) {
        buf_u16(b, cp);
        return;
    }
    cp -= 0x10000;
    buf_u16(b, 0xD800 + (cp >> 10));
    buf_u16(b, 0xDC00 + (cp & 0x3FF));
}

static void esc_control(Buf *b, unsigned char c)
{
    switch (c) {
    case '\n': buf_put(b, "\\n", 2); break;
    case '\t': buf_put(b, "\\t", 2); break;
    case '\r': buf_put(b, "\\r", 2); break;
    case '\b': buf_put(b, "\\b", 2); break;
    case '\f': buf_put(b, "\\f", 2); break;
    default: buf_u16(b, c); break;
    }
}

/* Appends the escaped body of a JSON string (no quotes). */
static void json_escape(Buf *b, const char *text, size_t n, int style)
{
    const unsigned char *s = (const unsigned char *)text;
    if (!utf8_valid(s, n))
        die("internal: invalid UTF-8 in a text table");
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        if (c == '"' || c == '\\') {
            char e[2] = { '\\', (char)c };
            buf_put(b, e, 2);
            i++;
        } else if (c < 0x20) {
            esc_control(b, c);
            i++;
        } else if (c == '/' && (style & ESC_SLASH)) {
            buf_put(b, "\\/", 2);
            i++;
        } else if (c >= 0x80 && (style & (ESC_ASCII | ESC_ASTRAL))) {
            uint32_t cp;
            size_t len = utf8_decode(s + i, &cp);
            if ((style & ESC_ASCII) || cp >= 0x10000)
                esc_codepoint(b, cp);
            else
                buf_put(b, s + i, len);
            i += len;
        } else {
            buf_put(b, s + i, 1);
            i++;
        }
    }
}

/* Appends a quoted JSON string. */
static void buf_jstr(Buf *b, const char *s, int style)
{
    buf_put(b, "\"", 1);
    json_escape(b, s, strlen(s), style);
    buf_put(b, "\"", 1);
}

static int pick_style(Rng *r)
{
    switch (below(r, 10)) {
    case 0: return ESC_ASCII;
    case 1: return ESC_ASTRAL;
    case 2: return ESC_SLASH;
    default: return ESC_PLAIN;
    }
}

/* ------------------------------------------------------------------ */
/* Text tables (raw UTF-8).  Chosen to exercise escaping: quotes,
 * backslashes, tabs, slashes, CJK, RTL, astral emoji and ZWJ sequences. */

static const char *const EN[] = {
    "The short answer is yes, but there are a few caveats worth knowing.",
    "Here is a step-by-step breakdown of how the algorithm works.",
    "In most cases you can call `fsync()` after `write()` to make the data durable.",
    "This approach trades a little memory for a large reduction in latency.",
    "On Debian, install it with `apt-get install libyajl-dev` and link with `-lyajl`.",
    "See the [official documentation](https://docs.python.org/3/library/json.html) for details.",
    "According to the 2024 survey, 63% of respondents preferred the second option.",
    "A common mistake is to forget that `\\n` inside a string literal is an escape, not a newline.",
    "Windows paths such as C:\\Users\\alice\\Documents need doubled backslashes in JSON.",
    "He said \"it works on my machine\" and closed the ticket.",
    "The function returns -1 on error and sets `errno` accordingly.",
    "Note that 1e-9 s is one nanosecond, and 2^53 is the largest exact integer in a double.",
    "You can read more at https://en.wikipedia.org/wiki/Merkle_tree or in the original paper.",
    "Tabs\tand\tother whitespace are preserved verbatim.",
    "Prices rose by 4.5% year over year, while wages grew by 3.1%.",
    "Let me know if you want me to expand on any of these points!",
    "I checked several sources and they mostly agree on this.",
    "The key insight is that the tree can only be resolved after all nodes are seen.",
    "For example, a < b && c > d must be written as &lt; and &gt; in HTML.",
    "**Important:** back up your data before running the migration.",
    "The *quick* brown fox jumps over the _lazy_ dog.",
    "Use a streaming parser such as yajl or ijson when the file is larger than RAM.",
    "The median latency dropped from 120 ms to 35 ms after the change.",
    "If the server returns HTTP 429, wait and retry with exponential back-off.",
    "Regular expressions like `^\\d{4}-\\d{2}-\\d{2}$` match ISO dates.",
    "This is not financial advice; please consult a professional.",
    "The recipe needs 200 g of flour, 2 eggs and a pinch of salt.",
    "Mount Everest is 8,849 m tall according to the 2020 survey.",
    "The URL path /api/v1/items/42 returns a single item as JSON.",
    "Keep the hot loop free of allocations; reuse buffers instead.",
    "In Rust, `Option<T>` makes the absence of a value explicit.",
    "The trail is about 12 km long and takes roughly four hours.",
    "Quantum computers use qubits, which can be in superposition.",
    "Photosynthesis converts light energy into chemical energy.",
    "A 'single-quoted' string and a \"double-quoted\" one differ in shell expansion.",
    "Finally, run the test suite again to confirm nothing regressed.",
};

static const char *const CJK[] = {
    "这是一个关于机器学习的简单介绍，涵盖了监督学习和无监督学习。",
    "请问如何在 Python 中读取一个很大的 JSON 文件？",
    "数据流式处理可以把内存占用控制在常数级别。",
    "東京の天気は明日晴れる予定です。傘は必要ありません。",
    "このコードはメモリを効率的に使用します。",
    "「こんにちは」と言いました。",
    "한국어로 번역해 주시겠어요? 감사합니다.",
    "서울은 대한민국의 수도입니다.",
    "𠜎𠜱𠝹 are rare CJK Extension B characters outside the BMP.",
};

static const char *const RTL[] = {
    "مرحبا بالعالم، هذه جملة تجريبية باللغة العربية.",
    "שלום עולם, זהו משפט לדוגמה בעברית.",
    "السلام عليكم ورحمة الله وبركاته.",
    "The word \"كتاب\" means book in Arabic.",
};

static const char *const EMOJI[] = {
    "Great question! 🚀 Let's dive in.",
    "Done ✅ — all tests pass 🎉",
    "I love this 😀👍🏽",
    "Developer at work: 👩‍💻 with ☕",
    "Flags: 🇯🇵 🇫🇷 🇧🇷",
    "🧠 Thinking about it…",
    "Math: ∑ x² ≈ π · 𝔼[X] ≤ ∞",
    "Weather: ☀️ 24°C, later 🌧️",
};

static const char *const QUESTIONS[] = {
    "How do I parse a 5 GB JSON file without loading it all into memory?",
    "Can you explain the difference between TCP and UDP?",
    "Write a haiku about autumn.",
    "What's the weather like in Paris in April?",
    "fix this code please",
    "Summarize this article: https://example.com/news/2025/06/10/story",
    "Translate to Japanese: good morning",
    "why does my program segfault?",
    "用中文解释一下量子计算。",
    "ok",
    "thanks!",
    "Compare grok-3 and grok-4 for coding tasks.",
    "¿Cuál es la capital de Australia?",
    "Était-ce une bonne idée ?",
    "Give me a 3-day itinerary for Kyoto 🇯🇵",
    "What does \"idempotent\" mean in REST APIs?",
    "Is C:\\Program Files\\ a safe install path?",
    "continue",
    "Make it shorter.",
    "What are the latest posts about SpaceX on X?",
    "Draw a cat wearing a space suit",
    "Explain this regex: ^[a-z0-9_-]{3,16}$",
    "האם אתה מדבר עברית?",
    "Can you write a SQL query that finds duplicate emails?",
};

static const char *const TOPICS[] = {
    "Overview", "Installation", "How it works", "Step 1: Prepare the data",
    "Performance considerations", "Summary", "Examples", "Caveats ⚠️",
    "常见问题", "Next steps", "Background", "Key Takeaways", "Troubleshooting",
};

static const char *const WORDS[] = {
    "yajl", "json.load", "ijson", "simdjson", "Python", "Rust", "Go", "C",
    "fast", "slow", "low", "high", "yes", "no", "n/a", "~2 GB", "12 ms",
    "東京", "😀", "stable", "beta", "42", "3.14", "-7",
};

static const char *const CODE[][2] = {
    { "python",
      "import json, sys\n\ndef load(path):\n    with open(path, encoding=\"utf-8\") as f:\n"
      "        return json.load(f)\n\nprint(\"done\\n\", file=sys.stderr)\n" },
    { "c",
      "#include <stdio.h>\n\nint main(void)\n{\n\tconst char *s = \"a\\tb\\\\c\";\n"
      "\tprintf(\"%s\\n\", s);\n\treturn 0;\n}\n" },
    { "javascript",
      "const url = \"https://example.com/api/v1/items?id=42&sort=desc\";\n"
      "fetch(url).then(r => r.json()).then(console.log);\n// note: </script> in a string\n" },
    { "bash",
      "for f in *.json; do\n  jq '.conversations | length' \"$f\"\ndone\n" },
    { "json",
      "{\"id\": 1, \"tags\": [\"a\", \"b\"], \"nested\": {\"ok\": true, \"ratio\": 0.75}}\n" },
    { "rust",
      "fn main() {\n    let v: Vec<u32> = (1..=10).collect();\n    println!(\"{:?}\", v);\n}\n" },
    { "sql",
      "SELECT email, COUNT(*) FROM users\nGROUP BY email HAVING COUNT(*) > 1;\n" },
    { "",
      "$ ./configure --prefix=/usr/local && make -j8\nchecking for gcc... gcc\n" },
};

static const char *const DOMAINS[] = {
    "en.wikipedia.org", "stackoverflow.com", "github.com", "docs.python.org",
    "www.reuters.com", "arxiv.org", "news.ycombinator.com", "www.nature.com",
    "developer.mozilla.org", "www.bbc.co.uk", "zh.wikipedia.org", "x.com",
};

static const char *const PROMPTS[] = {
    "a cat wearing a space suit, digital art",
    "sunset over Kyoto, watercolor",
    "a futuristic city at night, neon, 4k",
    "logo for a coffee shop called \"Bean There\"",
    "赛博朋克风格的上海夜景",
};

static const char *const TITLES[] = {
    "Parsing large JSON files", "TCP vs UDP explained", "Autumn haiku",
    "Paris in April", "Fixing a segfault", "Kyoto itinerary",
    "SQL duplicate emails", "Rust iterators", "Quantum computing basics",
    "量子计算简介", "東京の天気", "한국어 번역", "مرحبا بالعالم", "שלום עולם",
    "🚀 Launch plan", "😀", "🇯🇵 Trip", "", "   ", "He said \"hi\"",
    "C:\\Users\\alice", "Line one\nLine two", "Tab\tseparated",
    "a/b: c? <d> |e|", "CON", "Re: Re: Fwd: question", "\\u0041 literal",
};

/* ------------------------------------------------------------------ */
/* Markdown builders: append raw UTF-8 to a Buf. */

static const char *pick_sentence(Rng *r)
{
    unsigned k = below(r, 100);
    if (k < 78) return PICK(r, EN);
    if (k < 88) return PICK(r, CJK);
    if (k < 92) return PICK(r, RTL);
    return PICK(r, EMOJI);
}

static void md_paragraph(Rng *r, Buf *b)
{
    int n = range(r, 1, 5);
    for (int i = 0; i < n; i++) {
        if (i)
            buf_str(b, " ");
        buf_str(b, pick_sentence(r));
    }
    buf_str(b, "\n\n");
}

static void md_heading(Rng *r, Buf *b)
{
    static const char *const hashes[] = { "# ", "## ", "### ", "#### " };
    buf_str(b, PICK(r, hashes));
    buf_str(b, PICK(r, TOPICS));
    buf_str(b, "\n\n");
}

static void md_list(Rng *r, Buf *b, int ordered)
{
    int n = range(r, 2, 6);
    for (int i = 0; i < n; i++) {
        if (ordered)
            buf_fmt(b, "%d. ", i + 1);
        else
            buf_str(b, chance(r, 800) ? "- " : "* ");
        const char *term = PICK(r, WORDS);
        buf_fmt(b, "**%s**: %s\n", term, pick_sentence(r));
        if (chance(r, 150))
            buf_fmt(b, "   - %s\n", PICK(r, EN));
    }
    buf_str(b, "\n");
}

static void md_code(Rng *r, Buf *b)
{
    const char *const *snip = CODE[below(r, ARRLEN(CODE))];
    const char *fence = chance(r, 800) ? "```" : "~~~";
    buf_fmt(b, "%s%s\n%s%s\n\n", fence, snip[0], snip[1], fence);
}

static void md_table(Rng *r, Buf *b)
{
    int cols = range(r, 2, 4), rows = range(r, 2, 5);
    for (int c = 0; c < cols; c++)
        buf_fmt(b, "| %s ", PICK(r, TOPICS));
    buf_str(b, "|\n");
    for (int c = 0; c < cols; c++)
        buf_str(b, c ? "|---" : "|:---");
    buf_str(b, "|\n");
    for (int i = 0; i < rows; i++) {
        for (int c = 0; c < cols; c++)
            buf_fmt(b, "| %s ", PICK(r, WORDS));
        buf_str(b, "|\n");
    }
    buf_str(b, "\n");
}

static void md_quote(Rng *r, Buf *b)
{
    const char *first = PICK(r, EN);
    buf_fmt(b, "> %s\n> %s\n\n", first, pick_sentence(r));
}

static void md_artifact(Rng *r, Buf *b)
{
    uint64_t a = rnd(r), c = rnd(r);
    buf_fmt(b, "<xaiArtifact artifact_id=\"%08x-%04x-4%03x-8%03x-%012" PRIx64 "\" "
               "artifact_version_id=\"%08x\" title=\"script.py\" "
               "contentType=\"%s\">\n%s</xaiArtifact>\n\n",
            (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xFFFF, (unsigned)a & 0xFFF,
            (unsigned)(c >> 52), (uint64_t)(c & 0xFFFFFFFFFFFFULL),
            (unsigned)(a ^ c), variant(200) ? "text/x-python" : "text/python", CODE[0][1]);
}

/* Cards: a <grok:render> tag in the message plus the matching card in
 * card_attachments_json, itself a JSON-encoded string (double escaping). */
static void card_json(Rng *r, Buf *card, unsigned id, int *type)
{
    *type = (int)below(r, 10);
    if (*type < 8) {
        buf_fmt(card, "{\"id\":\"%06x\",\"cardType\":\"citation_card\","
                      "\"type\":\"render_inline_citation\",\"url\":\"https://%s/wiki/%u\","
                      "\"title\":", id, PICK(r, DOMAINS), id % 9973);
        buf_jstr(card, PICK(r, TITLES), ESC_PLAIN);
        buf_str(card, "}");
    } else if (*type == 8) {
        buf_fmt(card, "{\"id\":\"%06x\",\"cardType\":\"image_card\",\"caption\":\"Photo\","
                      "\"image\":{\"original\":\"https://%s/img/%u.jpg\",\"thumbnail\":"
                      "\"https://%s/img/%u_t.jpg\",\"title\":\"Image\",\"link\":null}}",
                id, PICK(r, DOMAINS), id, DOMAINS[id % ARRLEN(DOMAINS)], id);
    } else {
        buf_fmt(card, "{\"id\":\"%06x\",\"type\":\"render_generated_image\","
                      "\"image_chunk\":{\"imageUuid\":\"%08x\",\"imageUrl\":"
                      "\"users/u/generated/%08x/image.jpg\",\"imagePrompt\":{\"prompt\":",
                id, id, id);
        buf_jstr(card, PICK(r, PROMPTS), ESC_PLAIN);
        buf_fmt(card, "},\"progress\":100,\"seq\":%d}}", range(r, 1, 9));
    }
}

/* The card's JSON text into the message's card array. */
static void card_add(Buf *cards, int *ncards, const Buf *card)
{
    buf_str(cards, *ncards ? "," : "[");
    buf_put(cards, "\"", 1);
    json_escape(cards, card->p, card->n, ESC_PLAIN);
    buf_put(cards, "\"", 1);
    (*ncards)++;
}

static void md_card(Rng *r, Buf *b, Buf *cards, int *ncards)
{
    static const char *const render[] = {
        "render_inline_citation", "render_searched_image", "render_generated_image"
    };
    Buf card = { 0 };
    unsigned id = (unsigned)(rnd(r) & 0xFFFFFF);
    int type;
    card_json(r, &card, id, &type);
    const char *t = render[type < 8 ? 0 : type - 7];
    int full = chance(r, 850);     /* drawn first whatever the variant: the stream stays */
    const char *word = PICK(r, EN);
    if (variant(10)) {             /* a card no tag names: shown after the answer */
        buf_fmt(b, "%s\n\n", word);
    } else if (variant(20)) {      /* no type attribute: the card says what it is */
        buf_fmt(b, "%s <grok:render card_id=\"%06x\"%s>\n<argument name=\"citation_id\">%d"
                   "</argument>\n</grok:render>\n\n",
                word, id, variant(500) ? " card_type=\"citation_card\"" : "", *ncards);
    } else if (full) {
        buf_fmt(b, "%s <grok:render card_id=\"%06x\" card_type=\"citation_card\" "
                   "type=\"%s\">\n<argument name=\"citation_id\">%d</argument>\n"
                   "</grok:render>\n\n", word, id, t, *ncards);
    } else {
        buf_fmt(b, "%s <grok:render card_id=\"%06x\" type=\"%s\"/>\n\n", word, id, t);
    }
    card_add(cards, ncards, &card);
    free(card.p);
}

/* An inline citation tag, right here, and its card. */
static void cite(Rng *r, Buf *b, Buf *cards, int *ncards)
{
    Buf card = { 0 };
    unsigned id = (unsigned)(rnd(r) & 0xFFFFFF);
    buf_fmt(&card, "{\"id\":\"%06x\",\"cardType\":\"citation_card\","
                   "\"type\":\"render_inline_citation\",\"url\":\"https://%s/wiki/%u\","
                   "\"title\":", id, PICK(r, DOMAINS), id % 9973);
    buf_jstr(&card, PICK(r, TITLES), ESC_PLAIN);
    buf_str(&card, "}");
    buf_fmt(b, "<grok:render card_id=\"%06x\" card_type=\"citation_card\" "
               "type=\"render_inline_citation\"><argument name=\"citation_id\">%d</argument>"
               "</grok:render>", id, *ncards);
    card_add(cards, ncards, &card);
    free(card.p);
}

/* A block with a citation where the block could break: right after a
 * code fence's closer (on its line or the next), at the end of a table
 * row or in a cell, after a heading, after indented code, in a list
 * item, in a quote. Grok writes all of these. */
static void md_cited_block(Rng *r, Buf *b, Buf *cards, int *ncards)
{
    const char *const *snip = CODE[below(r, ARRLEN(CODE))];
    unsigned k = below(r, 8);
    int i, n;
    switch (k) {
    case 0: /* ```<cite> */
    case 1: /* ```\n<cite> */
        buf_fmt(b, "```%s\n%s```", snip[0], snip[1]);
        if (k == 1)
            buf_str(b, "\n");
        cite(r, b, cards, ncards);
        buf_str(b, "\n\n");
        break;
    case 2: { /* a table row ending in one, another in a cell */
        /* one draw per statement: the order of a call's arguments is
         * unspecified (gcc went right to left, clang left to right, and the
         * exports differed by compiler); drawn in gcc's order, so its
         * exports stay what they were */
        const char *right = PICK(r, TOPICS), *left = PICK(r, TOPICS);
        buf_fmt(b, "| %s | %s |\n|---|---|\n", left, right);
        for (i = 0, n = range(r, 2, 4); i < n; i++) {
            buf_fmt(b, "| %s ", PICK(r, WORDS));
            if (chance(r, 300))
                cite(r, b, cards, ncards);
            buf_fmt(b, "| %s |", PICK(r, WORDS));
            if (chance(r, 500))
                cite(r, b, cards, ncards);
            buf_str(b, "\n");
        }
        buf_str(b, "\n");
        break;
    }
    case 3: /* ## Heading<cite> or on the next line */
        {
            int newline = chance(r, 500); /* gcc's order, as above */
            buf_fmt(b, "## %s%s", PICK(r, TOPICS), newline ? "\n" : "");
        }
        cite(r, b, cards, ncards);
        buf_fmt(b, "\n\n%s\n\n", PICK(r, EN));
        break;
    case 4: /* indented code */
        buf_fmt(b, "%s\n\n    ./configure --prefix=/usr\n    make -j8", PICK(r, EN));
        cite(r, b, cards, ncards);
        buf_str(b, "\n\n");
        break;
    case 5: /* list items, one holding a fence */
        for (i = 0, n = range(r, 2, 4); i < n; i++) {
            const char *text = PICK(r, EN), *word = PICK(r, WORDS); /* gcc's order, as above */
            buf_fmt(b, "- **%s**: %s", word, text);
            cite(r, b, cards, ncards);
            buf_str(b, "\n");
            if (i == 0 && chance(r, 400)) {
                buf_str(b, "  ```\n  make\n  ```");
                cite(r, b, cards, ncards);
                buf_str(b, "\n");
            }
        }
        buf_str(b, "\n");
        break;
    case 6: /* a quote */
        buf_fmt(b, "> %s", PICK(r, EN));
        cite(r, b, cards, ncards);
        buf_fmt(b, "\n> %s\n\n", PICK(r, EN));
        break;
    default: /* a sentence, as most are */
        buf_fmt(b, "%s", PICK(r, EN));
        cite(r, b, cards, ncards);
        if (chance(r, 300))
            cite(r, b, cards, ncards);
        buf_str(b, "\n\n");
    }
}

/* An answer's own footnotes, as Grok writes them: references in a
 * paragraph, the definitions at the end, numbered from 1 like citations. */
static void md_own_footnotes(Rng *r, Buf *b)
{
    int n = range(r, 1, 3), i;
    buf_str(b, "\n\n");
    for (i = 1; i <= n; i++)
        buf_fmt(b, "%s[^%d] ", PICK(r, EN), i);
    buf_str(b, "\n");
    for (i = 1; i <= n; i++)
        buf_fmt(b, "\n[^%d]: %s", i, PICK(r, EN));
}

/* One Markdown block chosen by weight. */
static void md_block(Rng *r, Buf *b, Buf *cards, int *ncards)
{
    unsigned k = below(r, 100);
    if (k < 34) md_paragraph(r, b);
    else if (k < 44) md_heading(r, b);
    else if (k < 56) md_list(r, b, 0);
    else if (k < 63) md_list(r, b, 1);
    else if (k < 75) md_code(r, b);
    else if (k < 81) md_table(r, b);
    else if (k < 85) md_quote(r, b);
    else if (k < 88) md_card(r, b, cards, ncards);
    else if (k < 92) md_cited_block(r, b, cards, ncards);
    else if (k < 93) md_artifact(r, b);
    else if (k < 94) buf_str(b, "---\n\n");
    else buf_fmt(b, "See https://%s/search?q=%u for more.\n\n", PICK(r, DOMAINS),
                 (unsigned)(k * 7919u));
}

static void human_text(Rng *r, Buf *b)
{
    unsigned k = below(r, 100);
    buf_str(b, PICK(r, QUESTIONS));
    if (k < 65)
        return;
    buf_str(b, "\n\n");
    if (k < 80) {
        md_paragraph(r, b);
    } else if (k < 95) {
        md_code(r, b);
    } else {
        size_t target = log_size(r, 1024, 6000);
        while (b->n < target)
            md_paragraph(r, b);
    }
}

/* ------------------------------------------------------------------ */
/* Pools of pre-escaped JSON fragments. */

typedef struct { Str *v; uint32_t n; } Pool;

static void pool_init(Pool *p, uint32_t n)
{
    p->v = xmalloc(n * sizeof *p->v);
    p->n = n;
}

static uint64_t pool_bytes(const Pool *p)
{
    uint64_t n = 0;
    for (uint32_t i = 0; i < p->n; i++)
        n += p->v[i].n;
    return n;
}

static Str pool_pick(Rng *r, const Pool *p)
{
    return p->v[below(r, p->n)];
}

/* Escapes raw text into an exact-size string using a random style. */
static Str escape_take(Rng *r, Buf *raw, Buf *tmp)
{
    json_escape(tmp, raw->p, raw->n, pick_style(r));
    raw->n = 0;
    return buf_take(tmp);
}

static void build_human(Rng *r, Pool *p)
{
    Buf raw = { 0 }, tmp = { 0 };
    for (uint32_t i = 0; i < p->n; i++) {
        human_text(r, &raw);
        while (raw.n && raw.p[raw.n - 1] == '\n')
            raw.n--;
        p->v[i] = escape_take(r, &raw, &tmp);
    }
    free(raw.p);
    free(tmp.p);
}

/* Assistant messages and their card arrays share an index. */
static void build_assistant(Rng *r, Pool *msg, Pool *cards)
{
    Buf raw = { 0 }, tmp = { 0 }, cb = { 0 };
    for (uint32_t i = 0; i < msg->n; i++) {
        size_t target = log_size(r, 50, 8192);
        int ncards = 0;
        if (chance(r, 300))
            md_paragraph(r, &raw);
        while (raw.n < target)
            md_block(r, &raw, &cb, &ncards);
        while (raw.n && raw.p[raw.n - 1] == '\n')
            raw.n--;          /* answers do not end with a blank line */
        if (chance(r, 60))
            md_own_footnotes(r, &raw);
        msg->v[i] = escape_take(r, &raw, &tmp);
        if (ncards)
            buf_str(&cb, "]");
        cards->v[i] = buf_take(&cb);
    }
    free(raw.p);
    free(tmp.p);
    free(cb.p);
}

static void build_titles(Rng *r, Pool *p)
{
    Buf raw = { 0 }, tmp = { 0 };
    for (uint32_t i = 0; i < p->n; i++) {
        if (chance(r, 700)) {
            buf_str(&raw, PICK(r, TITLES));
        } else {
            buf_str(&raw, PICK(r, QUESTIONS));
            if (chance(r, 300))
                buf_fmt(&raw, " (%s)", PICK(r, WORDS));
        }
        p->v[i] = escape_take(r, &raw, &tmp);
    }
    free(raw.p);
    free(tmp.p);
}

/* Image prompts, stored as quoted JSON strings (the "query" value). */
static void build_prompts(Rng *r, Pool *p)
{
    Buf b = { 0 };
    for (uint32_t i = 0; i < p->n; i++) {
        buf_jstr(&b, PROMPTS[i % ARRLEN(PROMPTS)], pick_style(r));
        p->v[i] = buf_take(&b);
    }
    free(b.p);
}

static void tool_card_xml(Rng *r, Buf *b, unsigned id)
{
    static const char *const tools[] = {
        "web_search", "BrowsePage", "XSearch", "CodeExecution", "x_keyword_search"
    };
    int cdata = chance(r, 700);       /* the CDATA wrapper is optional */
    const char *tool = PICK(r, tools), *query = PICK(r, WORDS);
    buf_fmt(b, "<xai:tool_usage_card>\n<xai:tool_usage_card_id>%08x"
               "</xai:tool_usage_card_id>\n<xai:tool_name>%s</xai:tool_name>\n"
               "<xai:tool_args>%s{\"query\":\"%s\",\"num_results\":10}%s</xai:tool_args>\n"
               "</xai:tool_usage_card>\n",
            id, tool, cdata ? "<![CDATA[" : "", query, cdata ? "]]>" : "");
}

static void trace_text(Rng *r, Buf *b, size_t target)
{
    static const char *const openers[] = {
        "Okay, the user is asking about this. ", "Let me think step by step. ",
        "First, I should check the sources. ", "Hmm, that's ambiguous. ",
        "The user wants a concise answer. ",
    };
    buf_str(b, PICK(r, openers));
    while (b->n < target) {
        if (chance(r, 120))
            tool_card_xml(r, b, (unsigned)rnd(r));
        else
            md_paragraph(r, b);
    }
}

static void build_traces(Rng *r, Pool *p)
{
    Buf raw = { 0 }, tmp = { 0 };
    for (uint32_t i = 0; i < p->n; i++) {
        trace_text(r, &raw, log_size(r, 200, 6000));
        p->v[i] = escape_take(r, &raw, &tmp);
    }
    free(raw.p);
    free(tmp.p);
}

/* agent_thinking_traces: objects {agent_id, thinking_trace}, sometimes bare strings. */
static void build_agents(Rng *r, Pool *p)
{
    Buf b = { 0 }, raw = { 0 };
    for (uint32_t i = 0; i < p->n; i++) {
        int n = range(r, 1, 4), bare = chance(r, 150);
        buf_str(&b, "[");
        for (int k = 0; k < n; k++) {
            if (k)
                buf_str(&b, ",");
            if (!bare)
                buf_fmt(&b, "{\"agent_id\":\"%s\",\"thinking_trace\":",
                        k ? "Agent 1" : "Grok");
            trace_text(r, &raw, log_size(r, 100, 2000));
            buf_put(&raw, "", 1);
            buf_jstr(&b, raw.p, pick_style(r));
            raw.n = 0;
            if (!bare)
                buf_str(&b, "}");
        }
        buf_str(&b, "]");
        p->v[i] = buf_take(&b);
    }
    free(b.p);
    free(raw.p);
}

static void web_hit(Rng *r, Buf *b)
{
    Buf raw = { 0 };
    const char *domain = PICK(r, DOMAINS), *word = PICK(r, WORDS), *title = PICK(r, TITLES);
    unsigned page = below(r, 1000000);
    buf_fmt(b, "{\"url\":\"https://%s/%s/%u\",\"title\":", domain, word, page);
    buf_jstr(b, title, pick_style(r));
    buf_str(b, ",\"preview\":\"");
    md_paragraph(r, &raw);
    if (raw.n > 1024) {               /* previews are capped at 1024 chars */
        raw.n = 0;
        buf_str(&raw, PICK(r, EN));
    }
    json_escape(b, raw.p, raw.n, pick_style(r));
    buf_str(b, "\"");
    if (chance(r, 300))
        buf_fmt(b, ",\"siteName\":\"%s\",\"score\":%u.%02u", domain, page % 10,
                page / 10 % 100);
    buf_str(b, "}");
    free(raw.p);
}

static void web_array(Rng *r, Buf *b, int n)
{
    buf_str(b, "[");
    for (int k = 0; k < n; k++) {
        if (k)
            buf_str(b, ",");
        web_hit(r, b);
    }
    buf_str(b, "]");
}

static void build_web(Rng *r, Pool *p, int lo, int hi)
{
    Buf b = { 0 };
    for (uint32_t i = 0; i < p->n; i++) {
        web_array(r, &b, range(r, lo, hi));
        p->v[i] = buf_take(&b);
    }
    free(b.p);
}

/* One tool call: tool_usage_cards entry, sometimes with flat arguments. */
static void step_call(Rng *r, Buf *b, unsigned id)
{
    buf_fmt(b, "\"tool_usage_cards\":[{\"tool_usage_card_id\":\"%08x\",\"intent\":\"%s\","
               "\"tool\":", id, chance(r, 500) ? "search" : "browse");
    if (chance(r, 800))
        buf_fmt(b, "{\"WebSearch\":{\"args\":{\"query\":\"%s\",\"num_results\":%u}}}}]",
                PICK(r, WORDS), 5 + id % 16);
    else
        buf_fmt(b, "{\"BrowsePage\":{\"url\":\"https://%s/\"}}}]", PICK(r, DOMAINS));
}

static void step_object(Rng *r, Buf *b)
{
    unsigned id = (unsigned)rnd(r);
    int with_tool = chance(r, 600);
    Buf raw = { 0 };
    buf_str(b, with_tool ? "{\"tag_order\":[\"header\",\"summary\",\"tool_usage_card\"],"
                         : "{\"tag_order\":[\"header\"],");
    buf_str(b, "\"tagged_text\":{\"header\":");
    const char *header = PICK(r, TOPICS);
    buf_jstr(b, header, pick_style(r));
    if (with_tool) {
        buf_str(b, ",\"summary\":");
        const char *summary = pick_sentence(r);
        buf_jstr(b, summary, pick_style(r));
        tool_card_xml(r, &raw, id);
        buf_put(&raw, "", 1);
        buf_str(b, ",\"tool_usage_card\":");
        buf_jstr(b, raw.p, ESC_PLAIN);
    }
    if (chance(r, 200))               /* tag missing from tag_order */
        buf_str(b, ",\"raw_function_result\":\"\"");
    buf_str(b, "}");
    if (with_tool) {
        buf_str(b, ",");
        step_call(r, b, id);
        if (chance(r, 700)) {         /* some calls have no result at all */
            buf_fmt(b, ",\"tool_usage_results\":[{\"tool_usage_card_id\":\"%08x\","
                       "\"result\":{\"WebSearchResults\":", id);
            web_array(r, b, range(r, 1, 3));
            buf_str(b, "}}]");
        }
    }
    if (chance(r, 150))
        buf_fmt(b, ",\"x_posts_ids\":[\"%" PRIu64 "\"]", rnd(r) >> 4);
    buf_str(b, "}");
    free(raw.p);
}

static void build_steps(Rng *r, Pool *p)
{
    Buf b = { 0 };
    for (uint32_t i = 0; i < p->n; i++) {
        int n = range(r, 1, 6);
        buf_str(&b, "[");
        for (int k = 0; k < n; k++) {
            if (k)
                buf_str(&b, ",");
            step_object(r, &b);
        }
        buf_str(&b, "]");
        p->v[i] = buf_take(&b);
    }
    free(b.p);
}

/* Response metadata seen in real exports (free-form; numbers of every kind
 * so number callbacks get exercised). */
static const char *const META_ASSISTANT[] = {
    "{}",
    "{\"isMozart\":false}",
    "{\"request_metadata\":{\"model\":\"grok-4\",\"resolved_model\":\"grok-4-0709\","
    "\"source\":\"Web\",\"stream_errors\":[]},\"ui_layout\":{\"effort\":\"HIGH\","
    "\"reasoningUiLayout\":\"SPLIT\",\"willThinkLong\":true}}",
    "{\"llm_info\":{\"modelHash\":\"a1b2c3d4\",\"temperature\":0.7,\"top_p\":1.0,"
    "\"logprob\":-1.25e-3},\"request_trace_id\":\"5f3c9a7e0b1d4e2f\"}",
    "{\"deepsearchPreset\":\"default\",\"memoryReferences\":[],\"usedCustomInstructions\":true}",
    "{\"requestModelDetails\":{\"modelId\":\"grok-3\"},\"followUpSuggestions\":"
    "[{\"properties\":{\"messageType\":\"TEXT\"},\"label\":\"Tell me more\"}]}",
    "{\"generated_image_width\":1024,\"generated_image_height\":768,\"ratio\":1.3333333333333333}",
    "{\"request_metadata\":{\"model\":\"grok-3\",\"resolved_model\":\"grok-3\",\"source\":"
    "\"Web\",\"stream_errors\":[{\"code\":503,\"message\":\"upstream \\\"timeout\\\"\"}]}}",
    "{\"nested\":{\"deep\":{\"deeper\":{\"values\":[0,-0.0,1E+2,9007199254740993,null,false]}}}}",
};

static const char *const META_HUMAN[] = {
    "{}", "{}", "{}", "{\"isMozart\":false}",
    "{\"ui_layout\":{\"effort\":\"LOW\"},\"clientVersion\":\"web-1.2.3\"}",
    "{\"fileAttachmentsMetadata\":[]}",
};

static const char META_BUILD[] =
    "{\"request_metadata\":{\"model\":\"build\",\"resolved_model\":"
    "\"grok-chat-app-builder-free\",\"source\":\"Web\"}}";

/* ------------------------------------------------------------------ */
/* Output: one big buffer written with fwrite; optional pretty filter. */

#define OUT_CAP ((size_t)8 << 20)

typedef struct {
    int in_str, esc, pending, depth;
    size_t n;
    char stage[1 << 16];
} Pretty;

typedef struct {
    FILE *fp;
    char *buf;
    size_t len;
    uint64_t total;   /* compact bytes produced: drives size and schedules */
    Pretty *pretty;   /* NULL unless --pretty */
} Out;

static void raw_write(Out *o, const char *s, size_t n)
{
    if (n && fwrite(s, 1, n, o->fp) != n)
        die(strerror(errno));
}

static void pretty_char(Out *o, char c)
{
    Pretty *p = o->pretty;
    if (p->n == sizeof p->stage) {
        raw_write(o, p->stage, p->n);
        p->n = 0;
    }
    p->stage[p->n++] = c;
}

static void pretty_newline(Out *o)
{
    pretty_char(o, '\n');
    for (int i = 0; i < o->pretty->depth; i++) {
        pretty_char(o, ' ');
        pretty_char(o, ' ');
    }
}

/* Re-indents compact JSON byte by byte; "{}" and "[]" stay on one line,
 * which needs one byte of look-ahead (the "pending" opener). */
static void pretty_byte(Out *o, char c)
{
    Pretty *p = o->pretty;
    if (p->in_str) {
        pretty_char(o, c);
        if (p->esc)
            p->esc = 0;
        else if (c == '\\')
            p->esc = 1;
        else if (c == '"')
            p->in_str = 0;
        return;
    }
    int closer = (c == '}' || c == ']');
    if (p->pending) {
        p->pending = 0;
        if (closer) {
            p->depth--;
            pretty_char(o, c);
            return;
        }
        pretty_newline(o);
    }
    if (closer) {
        p->depth--;
        pretty_newline(o);
    }
    pretty_char(o, c);
    if (c == '{' || c == '[') {
        p->depth++;
        p->pending = 1;
    } else if (c == ',') {
        pretty_newline(o);
    } else if (c == ':') {
        pretty_char(o, ' ');
    } else if (c == '"') {
        p->in_str = 1;
    }
}

static void out_flush(Out *o)
{
    if (o->pretty) {
        for (size_t i = 0; i < o->len; i++)
            pretty_byte(o, o->buf[i]);
        raw_write(o, o->pretty->stage, o->pretty->n);
        o->pretty->n = 0;
    } else {
        raw_write(o, o->buf, o->len);
    }
    o->len = 0;
}

/* Hot path: one compare and a memcpy.  Anything that does not fit is
 * copied in slices so --pretty sees every byte through out_flush. */
static void put(Out *o, const char *s, size_t n)
{
    o->total += n;
    while (o->len + n > OUT_CAP) {
        size_t room = OUT_CAP - o->len;
        memcpy(o->buf + o->len, s, room);
        o->len = OUT_CAP;
        s += room;
        n -= room;
        out_flush(o);
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void put_str(Out *o, Str s)
{
    put(o, s.p, s.n);
}

/* "" lit "" makes anything but a string literal a compile error. */
#define PUTL(o, lit) put((o), "" lit "", sizeof(lit) - 1)
#define KEY(o, name) PUTL((o), "\"" name "\":")

static void put_cstr(Out *o, const char *s)
{
    put(o, s, strlen(s));
}

static void put_u64(Out *o, uint64_t v)
{
    char d[24];
    int i = sizeof d;
    do {
        d[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(o, d + i, sizeof d - (size_t)i);
}

static void put_bool(Out *o, int v)
{
    if (v)
        PUTL(o, "true");
    else
        PUTL(o, "false");
}

/* ------------------------------------------------------------------ */
/* Ids and timestamps. */

typedef struct { uint64_t hi, lo; } Uuid;

static Uuid new_uuid(Rng *r)
{
    Uuid u;
    u.hi = rnd(r);                    /* two statements: initializer order is unspecified */
    u.lo = rnd(r);
    u.hi = (u.hi & ~0xF000ULL) | 0x4000ULL;                 /* version 4 */
    u.lo = (u.lo & ~(3ULL << 62)) | (2ULL << 62);           /* RFC variant */
    return u;
}

static void hex_digits(char *d, uint64_t v, int n)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = n - 1; i >= 0; i--, v >>= 4)
        d[i] = hex[v & 15];
}

/* "8-4-4-4-12" form, 36 chars, no terminator. */
static void fmt_uuid(char *d, Uuid u)
{
    hex_digits(d, u.hi >> 32, 8);
    d[8] = '-';
    hex_digits(d + 9, u.hi >> 16, 4);
    d[13] = '-';
    hex_digits(d + 14, u.hi, 4);
    d[18] = '-';
    hex_digits(d + 19, u.lo >> 48, 4);
    d[23] = '-';
    hex_digits(d + 24, u.lo, 12);
}

static void put_bare_uuid(Out *o, Uuid u)
{
    char d[36];
    fmt_uuid(d, u);
    put(o, d, sizeof d);
}

/* Quoted UUID. */
static void put_uuid(Out *o, Uuid u)
{
    char d[38];
    d[0] = d[37] = '"';
    fmt_uuid(d + 1, u);
    put(o, d, sizeof d);
}

static void dec_digits(char *d, unsigned v, int n)
{
    for (int i = n - 1; i >= 0; i--, v /= 10)
        d[i] = (char)('0' + v % 10);
}

/* Quoted ISO-8601 UTC time with 0, 3 or 6 fraction digits (µs = ms*1000+us). */
static void put_iso(Out *o, int64_t ms, int frac, unsigned us)
{
    int64_t days = ms / 86400000, rem = ms % 86400000;
    /* civil_from_days (H. Hinnant); all our times are after 1970. */
    int64_t z = days + 719468, era = z / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153, day = doy - (153 * mp + 2) / 5 + 1;
    unsigned mon = mp < 10 ? mp + 3 : mp - 9;
    unsigned year = (unsigned)(yoe + era * 400) + (mon <= 2);
    char d[32];
    unsigned secs = (unsigned)(rem / 1000);
    d[0] = '"';
    dec_digits(d + 1, year, 4);
    d[5] = '-';
    dec_digits(d + 6, mon, 2);
    d[8] = '-';
    dec_digits(d + 9, day, 2);
    d[11] = 'T';
    dec_digits(d + 12, secs / 3600, 2);
    d[14] = ':';
    dec_digits(d + 15, secs / 60 % 60, 2);
    d[17] = ':';
    dec_digits(d + 18, secs % 60, 2);
    int n = 20;
    if (frac) {
        d[n++] = '.';
        unsigned f = (unsigned)(rem % 1000);
        if (frac == 6)
            f = f * 1000 + us;
        dec_digits(d + n, f, frac);
        n += frac;
    }
    d[n++] = 'Z';
    d[n++] = '"';
    put(o, d, (size_t)n);
}

enum { T_LONG, T_NUMBER, T_ISO_DATE, T_ISO };

/* Response timestamps: Mongo extended JSON and its defensive variants. */
static void put_mongo_time(Out *o, int64_t ms, int style)
{
    switch (style) {
    case T_LONG:
        PUTL(o, "{\"$date\":{\"$numberLong\":\"");
        put_u64(o, (uint64_t)ms);
        PUTL(o, "\"}}");
        break;
    case T_NUMBER:
        PUTL(o, "{\"$date\":");
        put_u64(o, (uint64_t)ms);
        PUTL(o, "}");
        break;
    case T_ISO_DATE:
        PUTL(o, "{\"$date\":");
        put_iso(o, ms, 3, 0);
        PUTL(o, "}");
        break;
    default:
        put_iso(o, ms, 3, 0);
        break;
    }
}

/* A response's create_time; now and then a form real exports and other
 * tools write besides Mongo's: {} (unreadable), a bare $numberLong,
 * {"seconds","nanos"}, a number of seconds, ISO with microseconds. */
static void put_odd_time(Out *o, int64_t ms, int style)
{
    if (!variant(4)) {
        put_mongo_time(o, ms, style);
        return;
    }
    switch (below(&V, 5)) {
    case 0: PUTL(o, "{}"); break;
    case 1: PUTL(o, "{\"$numberLong\":\""); put_u64(o, (uint64_t)ms); PUTL(o, "\"}"); break;
    case 2:
        PUTL(o, "{\"seconds\":");
        put_u64(o, (uint64_t)(ms / 1000));
        PUTL(o, ",\"nanos\":");
        put_u64(o, (uint64_t)(ms % 1000) * 1000000);
        PUTL(o, "}");
        break;
    case 3: put_u64(o, (uint64_t)(ms / 1000)); break;
    default: put_iso(o, ms, 6, below(&V, 1000)); break;
    }
}

/* ------------------------------------------------------------------ */
/* Conversation plan: the tree is decided before anything is written,
 * because conversation.leaf_response_id may precede the responses. */

#define MAX_NODES 64

typedef struct {
    Uuid id;
    int parent;        /* index into nodes, -1 = first turn (root handling) */
    int human;
    int64_t ms;
} Node;

enum { ROOT_ABSENT, ROOT_NULL, ROOT_DANGLING };
enum { LEAF_NULL, LEAF_VALID, LEAF_MISSING };

typedef struct {
    Node node[MAX_NODES];
    int order[MAX_NODES];  /* array order of the responses */
    int n;
    Uuid id, root_id, leaf_missing;
    int root_style, links, leaf_style, leaf;
    int time_mixed, frac, richness, resp_first;
    const char *sender, *model;
    int64_t create_ms, modify_ms;
    /* variants (issue 27), from the stream V */
    unsigned plain_id;     /* > 0: the id is "conv-<n>", no UUID */
    int title_v;           /* 1 blank, 2 padded with white space */
    int ctime_v;           /* 1 no create_time, 2 {"seconds","nanos"} */
    int summary_v, system_first;
} Plan;

typedef struct {
    uint64_t convs, responses, giants, giant_bytes, pool_bytes;
} Stats;

typedef struct {
    Rng r;
    Out out;
    Pool human, asst, cards, title, trace, agent, steps, web, cited, prompt;
    Plan plan;
    Uuid user_id;
    int64_t clock_ms;        /* walks backwards: conversations newest first */
    uint64_t next_giant;     /* output offset after which a giant message is due */
    uint64_t texts;          /* message texts written (rare words are due by count) */
    Stats st;
} Gen;

#define CLOCK_START 1788220800000LL   /* 2026-09-01T00:00:00Z */
#define CLOCK_FLOOR 1699056000000LL   /* 2023-11-04, Grok launch: wrap back */
#define MB ((uint64_t)1 << 20)

static void schedule_giant(Gen *g)
{
    g->next_giant = g->out.total + 50 * MB + rnd(&g->r) % (300 * MB);
}

static int add_node(Plan *p, Rng *r, int parent, int human, int64_t ms)
{
    if (p->n >= MAX_NODES)
        die("internal: conversation node budget exceeded");
    Node *nd = &p->node[p->n];
    nd->id = new_uuid(r);
    nd->parent = parent;
    nd->human = human;
    nd->ms = ms;
    return p->n++;
}

/* Answer stamped after its question, or 10 ms BEFORE it (persist order). */
static int add_answer(Plan *p, Rng *r, int q)
{
    int64_t qms = p->node[q].ms;
    int64_t ms = chance(r, 80) ? qms - 10 : qms + range(r, 10, 90000);
    return add_node(p, r, q, 0, ms);
}

static int pick_turns(Rng *r)
{
    unsigned k = below(r, 100);
    if (k < 35) return range(r, 1, 2);
    if (k < 75) return range(r, 3, 6);
    if (k < 95) return range(r, 7, 12);
    return range(r, 13, 20);
}

/* Linear Q/A chain with edits (human siblings) and regenerations
 * (assistant siblings); the conversation continues from the newest one. */
static void plan_tree(Gen *g, Plan *p, int64_t start)
{
    Rng *r = &g->r;
    int turns = pick_turns(r), last = -1;
    int64_t t = start;
    p->n = 0;
    /* a turn adds at most 5 nodes (question, answer, edit, its answer, regen) */
    for (int i = 0; i < turns && p->n <= MAX_NODES - 5; i++) {
        int q = add_node(p, r, last, 1, t);
        if (i == turns - 1 && chance(r, 30))
            break;                    /* unanswered last question */
        last = add_answer(p, r, q);
        if (chance(r, 40)) {          /* edit after reading the answer: same parent */
            t = p->node[last].ms + range(r, 5000, 120000);
            q = add_node(p, r, p->node[q].parent, 1, t);
            last = add_answer(p, r, q);
        }
        if (chance(r, 60))            /* regenerate the answer */
            last = add_node(p, r, q, 0, p->node[last].ms + range(r, 2000, 60000));
        t = p->node[last].ms + range(r, 10000, 1800000);
    }
}

static void plan_order(Rng *r, Plan *p)
{
    for (int i = 0; i < p->n; i++)
        p->order[i] = i;
    if (p->n > 2 && chance(r, 30)) {  /* out of time order in the array */
        int i = range(r, 0, p->n - 2);
        int tmp = p->order[i];
        p->order[i] = p->order[i + 1];
        p->order[i + 1] = tmp;
    }
}

/* A node without children, i.e. the end of some branch. */
static int pick_branch_leaf(Rng *r, const Plan *p)
{
    int has_child[MAX_NODES] = { 0 }, leaves[MAX_NODES], n = 0;
    for (int i = 0; i < p->n; i++)
        if (p->node[i].parent >= 0)
            has_child[p->node[i].parent] = 1;
    for (int i = 0; i < p->n; i++)
        if (!has_child[i])
            leaves[n++] = i;
    return leaves[below(r, (uint32_t)n)];
}

static void plan_leaf(Rng *r, Plan *p)
{
    unsigned k = below(r, 100);
    p->leaf_style = LEAF_NULL;
    if (p->n == 0 || k < 80)
        return;
    if (k < 92) {
        p->leaf_style = LEAF_VALID;
        /* usually the last node, sometimes an older branch's leaf */
        p->leaf = chance(r, 700) ? p->n - 1 : pick_branch_leaf(r, p);
        return;
    }
    p->leaf_style = LEAF_MISSING;
    p->leaf_missing = new_uuid(r);
}

static void plan_times(Plan *p, Rng *r, int64_t start)
{
    int64_t lo = start, hi = start;
    for (int i = 0; i < p->n; i++) {
        if (p->node[i].ms < lo) lo = p->node[i].ms;
        if (p->node[i].ms > hi) hi = p->node[i].ms;
    }
    p->create_ms = lo - range(r, 0, 2000);
    p->modify_ms = hi + range(r, 0, 5000);
}

static void plan_conversation(Gen *g, Plan *p)
{
    static const char *const senders[] = { "assistant", "ASSISTANT", "grok-3", "grok-4" };
    /* weighted by repetition; "build" is the late-2026 UI picker value */
    static const char *const models[] = {
        "grok-3", "grok-3", "grok-3", "grok-3", "grok-4", "grok-4", "grok-4", "grok-4",
        "grok-4", "grok-4-auto", "grok-4-auto", "grok-4-auto", "grok-2",
        "grok-4-mini-thinking-tahoe", "grok-4-1-non-thinking-w-tool", "build",
    };
    Rng *r = &g->r;
    unsigned k = below(r, 100);
    g->clock_ms -= range(r, 1000, 900000);
    if (g->clock_ms < CLOCK_FLOOR)
        g->clock_ms = CLOCK_START;
    p->id = new_uuid(r);
    p->root_id = new_uuid(r);
    p->root_style = (int)below(r, 3);
    p->links = chance(r, 900);
    p->time_mixed = chance(r, 100);
    p->frac = k < 70 ? 6 : k < 90 ? 3 : 0;
    p->richness = (int)below(r, 10);
    p->resp_first = chance(r, 100);
    p->sender = chance(r, 900) ? senders[below(r, 2)] : PICK(r, senders);
    p->model = PICK(r, models);
    if (chance(r, 10))
        p->n = 0;                     /* conversation with no responses */
    else
        plan_tree(g, p, g->clock_ms);
    /* An edited first question is a second root. Real exports that write
     * it (S5's fixture) have both first questions name the root the export
     * never holds; with an absent or null link, two first questions cannot
     * be told from a question that lost its link, which grokx places by
     * time with a warning (docs/inputs.md, "Order"). No draw: the stream,
     * and so every other byte, stays. */
    for (int i = 1; i < p->n; i++)
        if (p->node[i].parent < 0)
            p->root_style = ROOT_DANGLING;
    plan_order(r, p);
    plan_leaf(r, p);
    plan_times(p, r, g->clock_ms);
    p->plain_id = variant(3) ? (unsigned)(g->st.convs + 1) : 0;
    p->title_v = variant(5) ? 1 : variant(5) ? 2 : 0;
    p->ctime_v = variant(5) ? 1 : variant(3) ? 2 : 0;
    p->summary_v = variant(10);
    p->system_first = p->n && variant(3);
}

static void put_conv_id(Gen *g, const Plan *p)
{
    char d[32];
    if (!p->plain_id) {
        put_uuid(&g->out, p->id);
        return;
    }
    snprintf(d, sizeof d, "\"conv-%06u\"", p->plain_id);
    put_cstr(&g->out, d);
}

/* ------------------------------------------------------------------ */
/* Conversation object. */

static void put_pool(Gen *g, const Pool *p)
{
    put_str(&g->out, pool_pick(&g->r, p));
}

static void conv_leaf(Gen *g, const Plan *p)
{
    Out *o = &g->out;
    KEY(o, "leaf_response_id");
    if (p->leaf_style == LEAF_VALID)
        put_uuid(o, p->node[p->leaf].id);
    else if (p->leaf_style == LEAF_MISSING)
        put_uuid(o, p->leaf_missing);
    else
        PUTL(o, "null");
}

/* Fields beyond the core set; absent on "lean" conversations (sparse). */
static void conv_optional(Gen *g, const Plan *p)
{
    Out *o = &g->out;
    if (p->summary_v)
        PUTL(o, ",\"summary\":\"The user asks about a topic; Grok explains it with examples.\"");
    if (p->richness < 3)
        return;
    PUTL(o, ",\"anon_user_id\":null,\"x_user_id\":null,\"system_prompt_id\":null,");
    if (!p->summary_v)
        PUTL(o, "\"summary\":\"\",");
    PUTL(o, "\"root_asset_id\":null,\"media_types\":[],"
            "\"controller\":null,\"task_result_id\":null,\"team_id\":null,"
            "\"shared_with_team\":false,\"shared_with_user_ids\":[]");
    if (p->richness >= 7) {           /* unknown keys must be tolerated */
        PUTL(o, ",\"workspace_id\":null,\"kind\":\"CONVERSATION_KIND_DEFAULT\","
                "\"future_flags\":{\"x\":[1,-2.5e3,true,null],\"s\":\"\\u00e9\"}");
    }
}

static void emit_conv_object(Gen *g, const Plan *p)
{
    Out *o = &g->out;
    Rng *r = &g->r;
    PUTL(o, "\"conversation\":{\"id\":");
    put_conv_id(g, p);
    PUTL(o, ",\"title\":\"");
    if (p->title_v == 1) {
        (void)pool_pick(r, &g->title); /* the draw, not the text */
    } else {
        if (p->title_v == 2)
            PUTL(o, "  ");
        put_pool(g, &g->title);
        if (p->title_v == 2)
            PUTL(o, " \\t");
    }
    PUTL(o, "\"");
    unsigned us = below(r, 1000);
    if (p->ctime_v == 2) {
        PUTL(o, ",\"create_time\":{\"seconds\":");
        put_u64(o, (uint64_t)(p->create_ms / 1000));
        PUTL(o, ",\"nanos\":");
        put_u64(o, (uint64_t)(p->create_ms % 1000) * 1000000 + us * 1000);
        PUTL(o, "}");
    } else if (p->ctime_v == 0) {
        PUTL(o, ",\"create_time\":");
        put_iso(o, p->create_ms, p->frac, us);
    }
    if (p->richness != 0) {           /* modify_time may be absent */
        PUTL(o, ",\"modify_time\":");
        put_iso(o, p->modify_ms, p->frac, below(r, 1000));
    }
    PUTL(o, ",\"user_id\":");
    put_uuid(o, g->user_id);
    PUTL(o, ",\"system_prompt_name\":");
    if (chance(r, 900))
        PUTL(o, "\"\"");
    else
        PUTL(o, "\"Unhinged Comedian\"");
    PUTL(o, ",\"starred\":");
    put_bool(o, chance(r, 50));
    PUTL(o, ",\"temporary\":");
    put_bool(o, chance(r, 30));
    PUTL(o, ",");
    conv_leaf(g, p);
    PUTL(o, ",\"asset_ids\":[]");
    conv_optional(g, p);
    PUTL(o, "}");
}

/* ------------------------------------------------------------------ */
/* Responses: decide which keys a response carries, then emit them in
 * Mongo-like order, occasionally shuffled (consumers must not rely on it). */

enum {
    F_ID, F_CONV, F_MESSAGE, F_SENDER, F_CTIME, F_PARENT, F_MODEL, F_METADATA,
    F_XAI_USER, F_QUERY, F_QUERY_TYPE, F_GEN_IMAGES, F_WEB, F_CITED, F_XPOSTS,
    F_WEBPAGES, F_CARDS, F_FILES, F_THINK, F_AGENT, F_STEPS, F_ERROR,
    F_PARTIAL, F_MEDIA, F_IMAGE_EDIT, F_UNKNOWN, F_COUNT
};

typedef struct {
    const Node *nd;
    int f[F_COUNT], nf;
    int empty_msg, giant, time_style;
    Str msg, cards;
} Resp;

static void add_field(Resp *rs, int f)
{
    rs->f[rs->nf++] = f;
}

static void plan_human(Gen *g, Resp *rs)
{
    Rng *r = &g->r;
    rs->msg = pool_pick(r, &g->human);
    if (chance(r, 20)) {              /* voice turn: transcript missing */
        rs->empty_msg = 1;
        add_field(rs, F_MEDIA);
    }
    if (chance(r, 60)) add_field(rs, F_FILES);
    if (chance(r, 30)) add_field(rs, F_WEBPAGES);
    if (chance(r, 10)) add_field(rs, F_IMAGE_EDIT);
}

static void plan_imagine(Gen *g, Resp *rs)
{
    add_field(rs, F_QUERY);
    add_field(rs, F_QUERY_TYPE);
    add_field(rs, F_GEN_IMAGES);
    rs->empty_msg = chance(&g->r, 600);
}

static void plan_search(Gen *g, Resp *rs)
{
    Rng *r = &g->r;
    if (chance(r, 150)) add_field(rs, F_STEPS);
    if (chance(r, 150)) {
        add_field(rs, F_WEB);
        add_field(rs, F_CITED);
    }
    if (chance(r, 80)) add_field(rs, F_XPOSTS);
}

static void plan_assistant(Gen *g, const Plan *p, Resp *rs)
{
    Rng *r = &g->r;
    uint32_t i = below(r, g->asst.n);
    rs->msg = g->asst.v[i];
    if (g->out.total >= g->next_giant) {
        rs->giant = 1;
        schedule_giant(g);
    } else if (chance(r, 40)) {
        plan_imagine(g, rs);
    } else if (chance(r, 15)) {
        rs->empty_msg = 1;
        add_field(rs, F_ERROR);
    }
    if (!rs->giant && !rs->empty_msg && g->cards.v[i].n) {
        rs->cards = g->cards.v[i];    /* cards match this message's render tags */
        add_field(rs, F_CARDS);
    }
    if (chance(r, 20)) add_field(rs, F_PARTIAL);
    if (chance(r, 200) || strstr(p->model, "thinking")) add_field(rs, F_THINK);
    if (chance(r, 40)) add_field(rs, F_AGENT);
    plan_search(g, rs);
}

static void plan_response(Gen *g, const Plan *p, const Node *nd, Resp *rs)
{
    static const int core[] = { F_ID, F_CONV, F_MESSAGE, F_SENDER, F_CTIME, F_PARENT };
    Rng *r = &g->r;
    rs->nd = nd;
    rs->nf = 0;
    rs->empty_msg = rs->giant = 0;
    rs->cards = (Str){ NULL, 0 };
    for (size_t i = 0; i < ARRLEN(core); i++)
        add_field(rs, core[i]);
    if (p->richness >= 5) add_field(rs, F_XAI_USER);
    if (nd->human)
        plan_human(g, rs);
    else
        plan_assistant(g, p, rs);
    add_field(rs, F_MODEL);
    add_field(rs, F_METADATA);
    if (chance(r, 20)) add_field(rs, F_UNKNOWN);
    rs->time_style = p->time_mixed ? (int)below(r, 4) : T_LONG;
    if (chance(r, 80)) {              /* shuffled key order */
        for (int i = rs->nf - 1; i > 0; i--) {
            int j = (int)below(r, (uint32_t)i + 1), t = rs->f[i];
            rs->f[i] = rs->f[j];
            rs->f[j] = t;
        }
    }
}

static void emit_giant(Gen *g)
{
    size_t target = 2 * MB + below(&g->r, 6 * MB), start = g->out.total;
    while (g->out.total - start < target) {
        put_pool(g, &g->asst);
        PUTL(&g->out, "\\n\\n");
    }
    g->st.giants++;
    g->st.giant_bytes += g->out.total - start;
}

/* Words that real chats have and pooled texts cannot: a few messages in
 * thousands, at fixed intervals (no random draw, so the rest of the
 * output does not change). The index benchmark's "rare" queries. */
static void emit_rare(Gen *g)
{
    g->texts++;
    if (g->texts % 2003 == 0)
        PUTL(&g->out, "\\n\\nA side note on zanthoxylum peppercorns.");
    if (g->texts % 3001 == 0)
        PUTL(&g->out, "\\n\\nThe quetzalcoatlus had a wingspan of ten metres.");
}

static void emit_message(Gen *g, const Resp *rs)
{
    Out *o = &g->out;
    PUTL(o, "\"message\":\"");
    if (rs->giant)
        emit_giant(g);
    else if (!rs->empty_msg && rs->nd->human && variant(3))
        PUTL(o, "  \\n\\t ");            /* white space only */
    else if (!rs->empty_msg) {
        put_str(o, rs->msg);
        emit_rare(g);
    }
    PUTL(o, "\"");
}

static void emit_parent(Gen *g, const Plan *p, const Node *nd)
{
    Out *o = &g->out;
    KEY(o, "parent_response_id");
    if (nd->parent >= 0)
        put_uuid(o, p->node[nd->parent].id);
    else if (p->root_style == ROOT_DANGLING)
        put_uuid(o, p->root_id);
    else
        PUTL(o, "null");
}

/* "parent_response_id" is skipped entirely when absent (sparse fields). */
static int parent_absent(const Plan *p, const Node *nd)
{
    return !p->links || (nd->parent < 0 && p->root_style == ROOT_ABSENT);
}

static void emit_sender(Gen *g, const Plan *p, const Node *nd)
{
    static const char *const odd[] = { "grok-4-auto", "model", "assistant", "ASSISTANT" };
    Out *o = &g->out;
    KEY(o, "sender");
    PUTL(o, "\"");
    if (nd->human && p->system_first && nd == &p->node[0])
        PUTL(o, "system");
    else if (nd->human)
        PUTL(o, "human");
    else
        put_cstr(o, chance(&g->r, 30) ? PICK(&g->r, odd) : p->sender);
    PUTL(o, "\"");
}

static void emit_model(Gen *g, const Plan *p, const Node *nd)
{
    Out *o = &g->out;
    KEY(o, "model");
    PUTL(o, "\"");
    if (!nd->human)
        put_cstr(o, p->model);
    PUTL(o, "\"");
}

static void emit_metadata(Gen *g, const Plan *p, const Node *nd)
{
    Out *o = &g->out;
    KEY(o, "metadata");
    if (nd->human)
        put_cstr(o, PICK(&g->r, META_HUMAN));
    else if (strcmp(p->model, "build") == 0)
        put(o, META_BUILD, sizeof META_BUILD - 1);
    else
        put_cstr(o, PICK(&g->r, META_ASSISTANT));
}

/* Asset ids; now and then as objects with a name and a type, as some
 * exports and tools write file_attachments. */
static void emit_uuid_list(Gen *g, int lo, int hi)
{
    static const char *const files[][2] = {
        { "report.pdf", "application/pdf" }, { "photo.jpg", "image/jpeg" },
        { "notes.txt", "text/plain" },
    };
    int n = range(&g->r, lo, hi), objects = variant(100);
    PUTL(&g->out, "[");
    for (int i = 0; i < n; i++) {
        if (i)
            PUTL(&g->out, ",");
        if (objects) {
            const char *const *f = files[below(&V, ARRLEN(files))];
            PUTL(&g->out, "{\"name\":\"");
            put_cstr(&g->out, f[0]);
            PUTL(&g->out, "\",\"type\":\"");
            put_cstr(&g->out, f[1]);
            PUTL(&g->out, "\",\"id\":");
        }
        put_uuid(&g->out, new_uuid(&g->r));
        if (objects)
            PUTL(&g->out, "}");
    }
    PUTL(&g->out, "]");
}

/* Relative asset paths; "" entries are failed or moderated generations. */
static void emit_gen_images(Gen *g)
{
    Out *o = &g->out;
    int n = range(&g->r, 1, 4);
    KEY(o, "generated_image_urls");
    PUTL(o, "[");
    for (int i = 0; i < n; i++) {
        if (i)
            PUTL(o, ",");
        if (chance(&g->r, 200)) {
            PUTL(o, "\"\"");
            continue;
        }
        PUTL(o, "\"users/");
        put_bare_uuid(o, g->user_id);
        PUTL(o, "/generated/");
        put_bare_uuid(o, new_uuid(&g->r));
        PUTL(o, "/image.jpg\"");
    }
    PUTL(o, "]");
}

static void emit_thinking(Gen *g, const Node *nd, int style)
{
    Out *o = &g->out;
    int64_t start = nd->ms - range(&g->r, 2000, 120000);
    PUTL(o, "\"thinking_trace\":\"");
    put_pool(g, &g->trace);
    PUTL(o, "\",\"thinking_start_time\":");
    put_mongo_time(o, start, style);
    PUTL(o, ",\"thinking_end_time\":");
    put_mongo_time(o, nd->ms - range(&g->r, 0, 1500), style);
}

static void emit_xposts(Gen *g)
{
    int n = range(&g->r, 1, 5);
    KEY(&g->out, "xpost_ids");
    PUTL(&g->out, "[");
    for (int i = 0; i < n; i++) {
        if (i)
            PUTL(&g->out, ",");
        PUTL(&g->out, "\"");
        put_u64(&g->out, 1800000000000000000ULL + rnd(&g->r) % 100000000000000000ULL);
        PUTL(&g->out, "\"");
    }
    PUTL(&g->out, "]");
}

/* Fields whose whole "key":value text is constant. */
static const char *fixed_field(int f)
{
    switch (f) {
    case F_QUERY_TYPE: return "\"query_type\":\"imagine\"";
    case F_WEBPAGES: return "\"webpage_urls\":[\"https://example.com/a?b=c&d=e\"]";
    case F_ERROR: return "\"error\":\"Failed to respond.\"";
    case F_PARTIAL: return "\"partial\":true";
    case F_MEDIA: return "\"media_types\":[\"audio\"]";
    case F_UNKNOWN: return "\"ui_experiment\":{\"variant\":\"B\",\"weights\":[0.25,0.75]}";
    default: return NULL;
    }
}

/* Fields whose value is a pre-built pool item; sets *key. */
static const Pool *pooled_field(Gen *g, int f, const char **key)
{
    switch (f) {
    case F_QUERY: *key = "\"query\":"; return &g->prompt;
    case F_WEB: *key = "\"web_search_results\":"; return &g->web;
    case F_CITED: *key = "\"cited_web_search_results\":"; return &g->cited;
    case F_AGENT: *key = "\"agent_thinking_traces\":"; return &g->agent;
    case F_STEPS: *key = "\"steps\":"; return &g->steps;
    default: return NULL;
    }
}

/* Source image of an edit: users/<user>/<asset>/content. */
static void emit_image_edit(Gen *g)
{
    Out *o = &g->out;
    PUTL(o, "\"image_edit_uri\":\"users/");
    put_bare_uuid(o, g->user_id);
    PUTL(o, "/");
    put_bare_uuid(o, new_uuid(&g->r));
    PUTL(o, "/content\"");
}

static void emit_field(Gen *g, const Plan *p, const Resp *rs, int f)
{
    Out *o = &g->out;
    const Node *nd = rs->nd;
    const char *fixed = fixed_field(f), *key;
    const Pool *pool = pooled_field(g, f, &key);
    if (fixed) {
        put_cstr(o, fixed);
        return;
    }
    if (pool) {
        put_cstr(o, key);
        put_pool(g, pool);
        return;
    }
    switch (f) {
    case F_XAI_USER: KEY(o, "xai_user_id"); put_uuid(o, g->user_id); break;
    case F_FILES: KEY(o, "file_attachments"); emit_uuid_list(g, 1, 3); break;
    case F_IMAGE_EDIT: emit_image_edit(g); break;
    case F_ID: KEY(o, "_id"); put_uuid(o, nd->id); break;
    case F_CONV: KEY(o, "conversation_id"); put_conv_id(g, p); break;
    case F_MESSAGE: emit_message(g, rs); break;
    case F_SENDER: emit_sender(g, p, nd); break;
    case F_CTIME: KEY(o, "create_time"); put_odd_time(o, nd->ms, rs->time_style); break;
    case F_PARENT: emit_parent(g, p, nd); break;
    case F_MODEL: emit_model(g, p, nd); break;
    case F_METADATA: emit_metadata(g, p, nd); break;
    case F_GEN_IMAGES: emit_gen_images(g); break;
    case F_XPOSTS: emit_xposts(g); break;
    case F_CARDS: KEY(o, "card_attachments_json"); put_str(o, rs->cards); break;
    case F_THINK: emit_thinking(g, nd, rs->time_style); break;
    default: die("internal: unknown field");
    }
}

static void emit_response(Gen *g, const Plan *p, const Node *nd)
{
    Resp rs;
    int first = 1;
    plan_response(g, p, nd, &rs);
    PUTL(&g->out, "{");
    for (int i = 0; i < rs.nf; i++) {
        if (rs.f[i] == F_PARENT && (parent_absent(p, nd) || (nd->parent >= 0 && variant(3))))
            continue; /* (the variant: a link lost in the middle) */
        if (!first)
            PUTL(&g->out, ",");
        first = 0;
        emit_field(g, p, &rs, rs.f[i]);
    }
    PUTL(&g->out, "}");
    g->st.responses++;
}

static void emit_share_link(Gen *g)
{
    Out *o = &g->out;
    KEY(o, "share_link");
    if (!chance(&g->r, 20)) {
        PUTL(o, "null");
        return;
    }
    PUTL(o, "{\"share_link_id\":");
    put_uuid(o, new_uuid(&g->r));
    PUTL(o, ",\"is_public\":true}");
}

static void emit_wrapper(Gen *g, const Plan *p, const Node *nd)
{
    int link_first = chance(&g->r, 30);
    PUTL(&g->out, "{");
    if (link_first) {
        emit_share_link(g);
        PUTL(&g->out, ",");
    }
    PUTL(&g->out, "\"response\":");
    emit_response(g, p, nd);
    if (!link_first) {
        PUTL(&g->out, ",");
        emit_share_link(g);
    }
    PUTL(&g->out, "}");
}

static void emit_responses(Gen *g, const Plan *p)
{
    PUTL(&g->out, "\"responses\":[");
    for (int i = 0; i < p->n; i++) {
        if (i)
            PUTL(&g->out, ",");
        emit_wrapper(g, p, &p->node[p->order[i]]);
    }
    PUTL(&g->out, "]");
}

static void emit_conversation(Gen *g)
{
    Plan *p = &g->plan;
    plan_conversation(g, p);
    PUTL(&g->out, "{");
    if (p->resp_first) {
        emit_responses(g, p);
        PUTL(&g->out, ",");
        emit_conv_object(g, p);
    } else {
        emit_conv_object(g, p);
        PUTL(&g->out, ",");
        emit_responses(g, p);
    }
    PUTL(&g->out, "}");
    g->st.convs++;
}

/* ------------------------------------------------------------------ */
/* Small top-level sections after the conversations. */

static void emit_project(Gen *g, int64_t ms)
{
    static const char *const names[] = { "Thesis", "Home lab", "Trip planning", "仕事" };
    Out *o = &g->out;
    PUTL(o, "{\"workspace_id\":");
    put_uuid(o, new_uuid(&g->r));
    PUTL(o, ",\"name\":\"");
    put_cstr(o, PICK(&g->r, names));
    PUTL(o, "\",\"custom_personality\":\"Be concise.\\nCite sources.\","
            "\"preferred_model\":\"grok-4\",\"conversation_starters\":"
            "[\"What's next?\",\"Summarize my notes\"],\"create_time\":");
    put_iso(o, ms, 6, below(&g->r, 1000));
    PUTL(o, "}");
}

static void emit_media_post(Gen *g, int64_t ms)
{
    Out *o = &g->out;
    Uuid id = new_uuid(&g->r);
    PUTL(o, "{\"id\":");
    put_uuid(o, id);
    PUTL(o, ",\"original_prompt\":\"");
    put_cstr(o, chance(&g->r, 500) ? "sunset over Kyoto, watercolor"
                                   : "a cat wearing a space suit \\ud83d\\ude80");
    PUTL(o, "\",\"media_type\":");
    if (chance(&g->r, 800))
        PUTL(o, "\"image\"");
    else
        PUTL(o, "\"video\"");
    PUTL(o, ",\"link\":\"https://grok.com/imagine/post/");
    put_bare_uuid(o, id);
    PUTL(o, "\",\"create_time\":");
    put_iso(o, ms, 3, 0);
    PUTL(o, "}");
}

static void emit_tail(Gen *g)
{
    Out *o = &g->out;
    int extra = chance(&g->r, 500), np = range(&g->r, 1, 4), nm = range(&g->r, 2, 12);
    PUTL(o, ",\"projects\":[");
    for (int i = 0; i < np; i++) {
        if (i)
            PUTL(o, ",");
        emit_project(g, CLOCK_START - (int64_t)i * 86400000 * 7);
    }
    PUTL(o, "],\"tasks\":[],\"media_posts\":[");
    for (int i = 0; i < nm; i++) {
        if (i)
            PUTL(o, ",");
        emit_media_post(g, CLOCK_START - (int64_t)i * 3600000 * 5);
    }
    PUTL(o, "]");
    if (extra)                        /* unknown top-level key: keep as held data */
        PUTL(o, ",\"future_section\":[{\"a\":1},{\"b\":[true,null,\"x\"]}]");
}

/* ------------------------------------------------------------------ */
/* Start-up and main loop. */

#define TAIL_RESERVE 8192

static void build_pools(Gen *g)
{
    Rng *r = &g->r;
    pool_init(&g->human, 1024);
    pool_init(&g->asst, 2048);
    pool_init(&g->cards, 2048);
    pool_init(&g->title, 512);
    pool_init(&g->trace, 256);
    pool_init(&g->agent, 64);
    pool_init(&g->steps, 128);
    pool_init(&g->web, 128);
    pool_init(&g->cited, 128);
    pool_init(&g->prompt, 2 * ARRLEN(PROMPTS));
    build_human(r, &g->human);
    build_assistant(r, &g->asst, &g->cards);
    build_titles(r, &g->title);
    build_traces(r, &g->trace);
    build_agents(r, &g->agent);
    build_steps(r, &g->steps);
    build_web(r, &g->web, 2, 10);
    build_web(r, &g->cited, 1, 3);
    build_prompts(r, &g->prompt);
    const Pool *all[] = { &g->human, &g->asst, &g->cards, &g->title, &g->trace,
                          &g->agent, &g->steps, &g->web, &g->cited, &g->prompt };
    for (size_t i = 0; i < ARRLEN(all); i++)
        g->st.pool_bytes += pool_bytes(all[i]);
}

static void generate(Gen *g, uint64_t target, long long nconv)
{
    Out *o = &g->out;
    PUTL(o, "{\"conversations\":[");
    for (long long i = 0;; i++) {
        if (nconv >= 0 ? i >= nconv : o->total + TAIL_RESERVE >= target)
            break;
        if (i)
            PUTL(o, ",");
        emit_conversation(g);
    }
    PUTL(o, "]");
    emit_tail(g);
    PUTL(o, "}");
    out_flush(o);
    if (o->pretty)
        raw_write(o, "\n", 1);
}

static void usage(void)
{
    fprintf(stderr, "usage: gen-export [-s SIZE[K|M|G]] [-S SEED] [-n N] [-o FILE] "
                    "[--pretty] [-v]\n");
    exit(2);
}

static uint64_t parse_size(const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    int shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    default: break;
    }
    if (errno || end == s || *end || (shift && v > (UINT64_MAX >> shift)))
        usage();
    return (uint64_t)v << shift;
}

static uint64_t parse_seed(const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *end)
        usage();
    return (uint64_t)v;
}

typedef struct {
    uint64_t size, seed;
    long long nconv;
    const char *path;
    int pretty, verbose;
} Opts;

static Opts parse_args(int argc, char **argv)
{
    Opts op = { 10 * MB, 1, -1, NULL, 0, 0 };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--pretty") == 0) { op.pretty = 1; continue; }
        if (strcmp(a, "-v") == 0) { op.verbose = 1; continue; }
        if (!v || a[0] != '-' || a[1] == 0 || a[2] != 0)
            usage();
        i++;
        switch (a[1]) {
        case 's': op.size = parse_size(v); break;
        case 'S': op.seed = parse_seed(v); break;
        case 'n': op.nconv = (long long)parse_size(v); break;
        case 'o': op.path = v; break;
        default: usage();
        }
    }
    return op;
}

/* A 64 KiB pipe (the Linux default) halves "gen-export | consumer"
 * throughput through context switches; ask for 1 MiB, ignore refusal
 * (not a pipe, over /proc/sys/fs/pipe-max-size, not Linux). */
static void widen_pipe(FILE *fp)
{
#ifdef F_SETPIPE_SZ
    (void)fcntl(fileno(fp), F_SETPIPE_SZ, 1 << 20);
#else
    (void)fp;
#endif
}

int main(int argc, char **argv)
{
    Opts op = parse_args(argc, argv);
    static Gen gen;
    Gen *g = &gen;

    g->r.s = op.seed;
    V.s = op.seed ^ 0x27f1de11c0ffee27ULL; /* the variants' own stream */
    g->out.fp = op.path ? fopen(op.path, "wb") : stdout;
    if (!g->out.fp) {
        fprintf(stderr, "gen-export: %s: %s\n", op.path, strerror(errno));
        return 1;
    }
    g->out.buf = xmalloc(OUT_CAP);
    widen_pipe(g->out.fp);
    if (op.pretty)
        g->out.pretty = calloc(1, sizeof(Pretty));
    build_pools(g);
    g->user_id = new_uuid(&g->r);
    g->clock_ms = CLOCK_START;
    schedule_giant(g);
    generate(g, op.size, op.nconv);
    if (fflush(g->out.fp) != 0 || (op.path && fclose(g->out.fp) != 0))
        die(strerror(errno));
    if (op.verbose)
        fprintf(stderr, "bytes=%" PRIu64 " conversations=%" PRIu64 " responses=%" PRIu64
                        " giant_messages=%" PRIu64 " giant_bytes=%" PRIu64
                        " pool_bytes=%" PRIu64 "\n",
                g->out.total, g->st.convs, g->st.responses, g->st.giants,
                g->st.giant_bytes, g->st.pool_bytes);
    return 0;
}
