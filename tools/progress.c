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

void
progress_format(char *buf, size_t n, uint64_t done, uint64_t total, uint64_t conversations,
                double secs, int columns)
{
    char sdone[32], stotal[32], srate[32], sconv[32], eta[32], text[160];
    double rate = secs > 0.05 ? (double)done / secs : 0;
    int len, bar;
    put_size(sdone, sizeof sdone, (double)done);
    put_size(srate, sizeof srate, rate);
    put_count(sconv, sizeof sconv, conversations);
    if (!total) { /* a pipe: no share, no time left */
        snprintf(buf, n, "%s: %s read, %s conversations, %s/s", prog, sdone, sconv, srate);
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
    len = snprintf(text, sizeof text, "%3d%% %s of %s, %s conversations, %s/s, %s",
                   (int)(100.0 * (double)done / (double)total), sdone, stotal, sconv, srate, eta);
    /* on a terminal "[bar] text", the bar filling what the text leaves
     * (one column spare, so the line never wraps); elsewhere "grokx: text" */
    /* the same width from one update to the next: what the text's usual
     * length (up to 66 columns) leaves, at least 10 (80 columns), narrower
     * only when a longer text needs the room */
    bar = columns - 70;
    if (bar > 30)
        bar = 30;
    if (bar < 10)
        bar = 10;
    if (bar > columns - 3 - len - 1)
        bar = columns - 3 - len - 1;
    if (columns && bar >= 8) {
        int k, fill = (int)((double)bar * (double)done / (double)total);
        char b[32];
        for (k = 0; k < bar; k++)
            b[k] = k < fill ? '#' : '-';
        b[bar] = 0;
        snprintf(buf, n, "[%s] %s", b, text);
    } else {
        snprintf(buf, n, "%s: %s", prog, text);
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
