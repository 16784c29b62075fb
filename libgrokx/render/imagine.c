/*
 * imagine.c -- Grok Imagine, for the writers of notes and pages: an image
 * generation turn of a conversation (its prompt is in "query", its answer
 * empty), and the export's media_posts (the Imagine gallery, outside any
 * conversation), collected so a writer can show them a month at a time.
 *
 * Posts arrive one grokx_item at a time, in the export's order; a writer
 * keeps them (a few hundred bytes each: 2,000 posts are well under a MiB)
 * and sorts them at the end, when it writes one note or page per month.
 * A month's note, not a note per post: a person with 2,000 posts gets
 * two dozen readable notes with their images, not 2,000 files beside
 * their conversations.
 */
#include <stdlib.h>
#include <string.h>

#include "render/render.h"

static int
S_is_imagine(grokx_str t)
{
    static const char w[] = "imagine";
    size_t i;
    if (t.len != sizeof w - 1)
        return 0;
    for (i = 0; i < t.len; i++)
        if ((t.ptr[i] | 0x20) != w[i])
            return 0;
    return 1;
}

int
gx_imagine_turn(const grokx_message *m)
{
    return m->role != GROKX_ROLE_USER && S_is_imagine(m->query_type) && !gx_text_blank(m->query.ptr, m->query.len) &&
           gx_text_blank(m->text.ptr, m->text.len); /* empty as the writers judge it */
}

int
gx_imagine_no_image(const grokx_message *m)
{
    size_t i;
    if (!gx_imagine_turn(m) || m->card_attachments.count)
        return 0;
    for (i = 0; i < m->generated_image_urls.count; i++)
        if (m->generated_image_urls.items[i].len)
            return 0; /* shown, or noted as missing by its URL */
    return 1;
}

/* ---- media posts ------------------------------------------------------ */

void
gx_posts_init(gx_posts *p, gx_mem *mem, unsigned flags, int tz_minutes)
{
    memset(p, 0, sizeof *p);
    gx_buf_init(&p->text, mem);
    p->flags = flags;
    p->tz_minutes = tz_minutes;
}

void
gx_posts_free(gx_posts *p)
{
    gx_buf_free(&p->text);
    free(p->v);
    memset(p, 0, sizeof *p);
}

/* s into the text, NUL-terminated: its offset in *off. */
static int
S_keep(gx_posts *p, const char *s, size_t len, size_t *off)
{
    *off = p->text.len;
    return gx_buf_put(&p->text, s, len) || gx_buf_putc(&p->text, 0) ? GROKX_E_NOMEM : 0;
}

int
gx_posts_add(gx_posts *p, const grokx_item *it)
{
    static const char *const keys[] = {"media_type", "link", "type", "prompt"};
    char vals[4][GX_FIELD_MAX], iso[32];
    const char *type, *link;
    gx_post *post;
    size_t i;
    if (strcmp(it->section.ptr, "media_posts") || !it->json.len || it->json.ptr[0] != '{')
        return 0; /* another section, or a post that is no object */
    gx_json_top_scalars(it->json.ptr, it->json.len, keys, 4, vals);
    if (gx_grow(&p->v, &p->cap, p->n + 1, sizeof *p->v))
        return GROKX_E_NOMEM;
    post = &p->v[p->n];
    memset(post, 0, sizeof *post);
    type = vals[0][0] ? vals[0] : vals[2];
    /* a link cut at the buffer's size would lead elsewhere: none then */
    link = strlen(vals[1]) < GX_FIELD_MAX - 1 ? vals[1] : "";
    if (S_keep(p, it->id.ptr, it->id.len, &post->id) ||
        (it->name.len ? S_keep(p, it->name.ptr, it->name.len, &post->prompt)
                      : S_keep(p, vals[3], strlen(vals[3]), &post->prompt)) ||
        S_keep(p, type, strlen(type), &post->type) || S_keep(p, link, strlen(link), &post->link))
        return GROKX_E_NOMEM;
    post->time = it->create_time;
    post->index = it->index;
    gx_time_local(p->flags, p->tz_minutes, post->time, iso); /* "YYYY-MM-..." or "undated" */
    for (i = 0; i < 7 && iso[i]; i++)
        post->month[i] = iso[i];
    post->month[i] = 0;
    p->n++;
    return 0;
}

/* Months newest first, undated last; in a month, oldest first (as a
 * conversation reads), then in the export's order. */
static int
S_cmp(const void *a, const void *b)
{
    const gx_post *x = a, *y = b;
    int ux = x->time == GROKX_TIME_NONE, uy = y->time == GROKX_TIME_NONE, c;
    if (ux != uy)
        return ux - uy;
    if ((c = strcmp(y->month, x->month)) != 0)
        return c;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

void
gx_posts_sort(gx_posts *p)
{
    if (p->n)
        qsort(p->v, p->n, sizeof *p->v, S_cmp);
}

size_t
gx_posts_month_end(const gx_posts *p, size_t from)
{
    size_t i = from;
    while (i < p->n && !strcmp(p->v[i].month, p->v[from].month))
        i++;
    return i;
}

const char *
gx_post_str(const gx_posts *p, size_t off)
{
    return p->text.ptr + off;
}

int
gx_post_video(const char *asset, const char *media_type)
{
    const char *dot = asset ? strrchr(asset, '.') : NULL;
    if (asset)
        return dot && (!strcmp(dot, ".mp4") || !strcmp(dot, ".webm") || !strcmp(dot, ".mov"));
    return !strcmp(media_type, "video");
}

int
gx_post_https(const char *link)
{
    size_t i;
    if (strncmp(link, "https://", 8) || !link[8])
        return 0;
    for (i = 0; link[i]; i++) /* one word a reader cannot take apart */
        if ((unsigned char)link[i] <= ' ' || link[i] == '<' || link[i] == '>' || link[i] == '"' ||
            link[i] == '\\' || link[i] == 0x7F)
            return 0;
    return 1;
}
