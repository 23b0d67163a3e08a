/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A notice's sources in words (notify-sources.h). Pure: the notice in, text out. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "labourwatch/hashmap.h"
#include "labourwatch/macro.h"
#include "labourwatch/time-util.h"
#include "notify-sources.h"

static const char *jstr(const json_t *o, const char *key)
{
        const char *s = json_string_value(json_object_get(o, key));
        return s && *s ? s : NULL;
}

/* "8. juli 2024" from the entry's fetched_at (usec), "" without one. */
static void fetched_date(const json_t *s, Language l, char *buf, size_t size)
{
        json_t *fa = json_object_get(s, "fetched_at");
        int64_t usec = json_is_integer(fa) ? (int64_t) json_integer_value(fa) : 0;
        time_t t = (time_t) (usec / (int64_t) USEC_PER_SEC);
        struct tm tm;

        buf[0] = 0;
        if (usec > 0 && gmtime_r(&t, &tm))
                format_date((Date){ tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday }, l, buf, size);
}

/* Control characters out: the pieces end up in a header-safe line of the text part. */
static char *clean(char *s)
{
        for (char *p = s; p && *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        *p = ' ';
        return s;
}

char *notify_sources_text(const json_t *sources, Language l)
{
        bool en = l == LANGUAGE_EN, oom = false;
        _cleanup_(hashmap_freep) Hashmap *seen = NULL;
        _cleanup_free_ char **pieces = NULL;
        char *out = NULL;
        size_t n = 0, len = 0, i;
        json_t *s;

        if (!json_is_array(sources) || json_array_size(sources) == 0 ||
            hashmap_new(json_array_size(sources), &seen) < 0 ||
            !(pieces = calloc(json_array_size(sources), sizeof(char *))))
                return NULL;
        json_array_foreach(sources, i, s)
        {
                const char *name = jstr(s, en ? "display_name_en" : "display_name") ?: jstr(s, "display_name") ?:
                                   jstr(s, "source") ?: "?";
                char d[FORMAT_PERIOD_MAX];
                char *p;
                int r;

                fetched_date(s, l, d, sizeof(d));
                /* cleaned before it is a key: a key must not change while in the map */
                p = clean(strdup_printf(
                        "%s%s%s%s%s", name, jstr(s, "table") ? (en ? ", table " : ", tabel ") : "",
                        strempty(jstr(s, "table")), *d ? (en ? ", fetched " : ", hentet ") : "", d));
                r = p ? hashmap_put(seen, p, p, NULL) : -ENOMEM;
                if (r <= 0) { /* said already, or out of memory */
                        free(p);
                        oom = r < 0;
                        if (oom)
                                break;
                        continue;
                }
                pieces[n++] = p;
                len += strlen(p) + 2;
        }
        if (!oom && n > 0 && (out = malloc(len + 1))) {
                char *o = out;
                for (size_t k = 0; k < n; k++) {
                        size_t m = strlen(pieces[k]);
                        if (k > 0)
                                memcpy(o, "; ", 2), o += 2;
                        memcpy(o, pieces[k], m);
                        o += m;
                }
                *o = 0;
        }
        for (size_t k = 0; k < n; k++)
                free(pieces[k]);
        return out;
}

int notify_series_ids(const json_t *events, Language l, char **ret)
{
        _cleanup_(hashmap_freep) Hashmap *seen = NULL;
        char *buf = NULL;
        size_t size = 0, n = 0, i;
        bool oom = false;
        FILE *f;
        json_t *ev;

        *ret = NULL;
        if (!json_is_array(events))
                return 0;
        if (hashmap_new(0, &seen) < 0 || !(f = open_memstream(&buf, &size)))
                return -ENOMEM;
        json_array_foreach(events, i, ev)
        {
                size_t j;
                json_t *s;

                json_array_foreach(json_object_get(ev, "sources"), j, s)
                {
                        const char *id = jstr(s, "series");
                        int r = id ? hashmap_put(seen, id, (void *) id, NULL) : 0;
                        oom = oom || r < 0;
                        if (r <= 0)
                                continue;
                        fprintf(f, "%s%s", n++ == 0 ? (l == LANGUAGE_EN ? "Series: " : "Serier: ") : ", ",
                                id);
                        if (jstr(s, "source"))
                                fprintf(f, " (%s%s%s)", jstr(s, "source"), jstr(s, "table") ? ", " : "",
                                        strempty(jstr(s, "table")));
                }
        }
        if (n > 0)
                fputs(".", f);
        if (fclose(f) != 0 || oom) {
                free(buf);
                return -ENOMEM;
        }
        if (n == 0)
                free(buf);
        else
                *ret = clean(buf);
        return 0;
}
