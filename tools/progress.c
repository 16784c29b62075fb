/*
 * progress.c -- the progress line of info and convert: a bar, the share
 * done, bytes of the total, conversations, the rate and the time left.
 * Only the text; grokx.c decides when it is shown (a terminal, at most
 * ten times a second, cleared at the end).
 */
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "cli.h"

/* 950 kB, 12.3 MB, 1.24 GB (decimal units, as file managers show sizes) */
static void
put_size(char *buf, size_t n, double b)
{
    if (b < 1e6)
        snprintf(buf, n, "%.0f kB", b / 1e3);
    else if (b < 1e9)
        snprintf(buf, n, "%.1f MB", b / 1e6);
    else
        snprintf(buf, n, "%.2f GB", b / 1e9);
}

/* 3456 -> "3,456" */
static void
put_count(char *buf, size_t n, uint64_t v)
{
    char d[32];
    size_t len = (size_t)snprintf(d, sizeof d, "%llu", (unsigned long long)v), i, k = 0;
    for (i = 0; i < len && k + 2 < n; i++) {
        if (i && (len - i) % 3 == 0)
            buf[k++] = ',';
        buf[k++] = d[i];
    }
    buf[k] = 0;
}

/* The first of the texts that fits in room columns; the last (the share
 * alone) is cut to room if even that is too wide. */
static void
put_fitting(char *buf, size_t n, char texts[][256], int ntexts, int room)
{
    int i;
    if (room < 0)
        room = 0;
    for (i = 0; i < ntexts - 1; i++)
        if ((int)strlen(texts[i]) <= room)
            break;
    snprintf(buf, n, "%.*s", room, texts[i]);
}

void
progress_format(char *buf, size_t n, uint64_t done, uint64_t total, uint64_t conversations,
                double secs, int columns)
{
    char sdone[32], stotal[32], srate[32], sconv[32], eta[32], texts[5][256];
    double rate = secs > 0.05 ? (double)done / secs : 0;
    int pct, bar, room;
    put_size(sdone, sizeof sdone, (double)done);
    put_size(srate, sizeof srate, rate);
    put_count(sconv, sizeof sconv, conversations);
    if (!total) { /* a pipe: no share, no time left */
        snprintf(texts[0], sizeof texts[0], "%s: %s read, %s conversations, %s/s", prog, sdone,
                 sconv, srate);
        snprintf(texts[1], sizeof texts[1], "%s read, %s conversations, %s/s", sdone, sconv, srate);
        snprintf(texts[2], sizeof texts[2], "%s read, %s conv", sdone, sconv);
        snprintf(texts[3], sizeof texts[3], "%s read", sdone);
        if (!columns)
            snprintf(buf, n, "%s", texts[0]);
        else /* one column spare: the cursor never wraps */
            put_fitting(buf, n, texts, 4, columns - 1);
        return;
    }
    if (done > total)
        done = total;
    put_size(stotal, sizeof stotal, (double)total);
    if (rate > 0 && done > 0 && secs >= 1) {
        unsigned long left = (unsigned long)((double)(total - done) / rate + 0.5);
        if (left >= 3600)
            snprintf(eta, sizeof eta, "ETA %lu:%02lu:%02lu", left / 3600, left / 60 % 60, left % 60);
        else
            snprintf(eta, sizeof eta, "ETA %lu:%02lu", left / 60, left % 60);
    } else {
        snprintf(eta, sizeof eta, "ETA --:--"); /* too early to say */
    }
    pct = (int)(100.0 * (double)done / (double)total);
    /* the fields dropped in a fixed order as the room shrinks: the
     * conversations' word, the rate and count, the bytes, the time left */
    snprintf(texts[0], sizeof texts[0], "%3d%% %s of %s, %s conversations, %s/s, %s", pct, sdone,
             stotal, sconv, srate, eta);
    snprintf(texts[1], sizeof texts[1], "%3d%% %s of %s, %s conv, %s/s, %s", pct, sdone, stotal,
             sconv, srate, eta);
    snprintf(texts[2], sizeof texts[2], "%3d%% %s of %s, %s", pct, sdone, stotal, eta);
    snprintf(texts[3], sizeof texts[3], "%3d%% %s", pct, eta);
    snprintf(texts[4], sizeof texts[4], "%d%%", pct);
    if (!columns) { /* not a terminal: "grokx: text", whole */
        snprintf(buf, n, "%s: %s", prog, texts[0]);
        return;
    }
    /* On a terminal the layout depends on the width alone, never on the
     * text of this update (an ETA one character longer once flipped the
     * line between the bar and the plain form): a bar of 10 to 30 columns
     * from 80 columns up, none below. The text takes what is left, less
     * one column so the line never reaches the last (which would wrap),
     * and the terminal's width is asked at every redraw (a resize counts
     * from the next one). */
    bar = columns >= 80 ? columns - 74 : 0; /* 70 columns of text beside it */
    if (bar > 30)
        bar = 30;
    if (columns >= 80 && bar < 10)
        bar = 10;
    room = columns - 1 - (bar ? bar + 3 : 0);
    if (bar) {
        int k, fill = (int)((double)bar * (double)done / (double)total);
        char b[32], t[256];
        for (k = 0; k < bar; k++)
            b[k] = k < fill ? '#' : '-';
        b[bar] = 0;
        put_fitting(t, sizeof t, texts, 5, room);
        snprintf(buf, n, "[%s] %s", b, t);
    } else {
        put_fitting(buf, n, texts, 5, room);
    }
}

int
terminal_columns(int fd)
{
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}
