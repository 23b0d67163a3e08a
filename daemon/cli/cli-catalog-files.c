/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `labourwatch tables` for sources without a table list (issue 19 §1): a CSV or JSON-stat source
 * is a base_url its series name files under, so what it "offers" is what those files contain — a
 * CSV file's header columns, a JSON-stat dataset's dimensions — and the period range the series
 * read from them. Each file is asked for once, at the address the provider itself plans
 * (source.h), and read by the provider's own parser, so the range is what `fetch` would store. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli-catalog.h"
#include "labourwatch/macro.h"
#include "labourwatch/series.h"
#include "labourwatch/source.h"

/* Bytes as a JSON string: invalid UTF-8 (a Windows-1252 header) becomes '?', so the listing stays
 * JSON. */
static json_t *json_text(const char *s, size_t n)
{
        _cleanup_free_ char *copy = strndup(s, n);
        json_t *j;

        if (!copy)
                return NULL;
        j = json_string(copy);
        if (j)
                return j;
        for (char *p = copy; *p; p++)
                if ((unsigned char) *p >= 0x80)
                        *p = '?';
        return json_string(copy);
}

/* The header of a CSV body: the first line that is not Excel's "sep=;", split at ';' (the
 * providers' separator [V]) or, when the line has none, at ','. */
static json_t *csv_columns(const char *body, size_t size)
{
        const char *p = body, *end = body + size, *eol;
        json_t *cols = json_array();
        char sep;

        if (!cols)
                return NULL;
        if (size >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
                p += 3;
        for (;;) {
                eol = memchr(p, '\n', (size_t) (end - p));
                if (!eol)
                        eol = end;
                if ((size_t) (eol - p) >= 4 && strncasecmp(p, "sep=", 4) == 0 && eol < end)
                        p = eol + 1;
                else
                        break;
        }
        if (eol > p && eol[-1] == '\r')
                eol--;
        if (eol < p)
                eol = p;
        sep = memchr(p, ';', (size_t) (eol - p)) ? ';' : ',';
        while (p < eol) {
                const char *q = memchr(p, sep, (size_t) (eol - p));
                if (!q)
                        q = eol;
                size_t n = (size_t) (q - p);
                const char *s = p;
                if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
                        s++;
                        n -= 2;
                }
                if (json_array_append_new(cols, json_text(s, n)) < 0) {
                        json_decref(cols);
                        return NULL;
                }
                p = q < eol ? q + 1 : eol;
        }
        return cols;
}

/* The dimensions of a JSON-stat dataset (2.0, or the first/the named dataset of a 1.x bundle):
 * [{id, label, size}] in the dataset's id order. NULL when the body is no dataset. */
static json_t *jsonstat_dimensions(const char *body, size_t size, const char *dataset)
{
        _cleanup_(json_decrefp) json_t *root = json_loadb(body, size, 0, NULL);
        json_t *ds = root, *dims, *ids, *out, *id;
        size_t i;

        if (!json_is_object(root))
                return NULL;
        if (!json_object_get(root, "class") && !json_object_get(root, "dimension")) {
                /* a bundle: {"name": {dataset}, …} */
                ds = dataset ? json_object_get(root, dataset) : json_object_iter_value(json_object_iter(root));
                if (!json_is_object(ds))
                        return NULL;
        }
        dims = json_object_get(ds, "dimension");
        ids = json_object_get(ds, "id");
        if (!json_is_array(ids))
                ids = json_object_get(dims, "id"); /* 1.x: id inside dimension */
        if (!json_is_object(dims) || !json_is_array(ids) || !(out = json_array()))
                return NULL;
        json_array_foreach(ids, i, id) {
                json_t *d = json_object_get(dims, strempty(json_string_value(id))), *cat, *n;
                size_t count;
                if (!json_is_object(d))
                        continue;
                cat = json_object_get(d, "category");
                count = json_is_object(json_object_get(cat, "index")) ? json_object_size(json_object_get(cat, "index"))
                        : json_is_array(json_object_get(cat, "index")) ? json_array_size(json_object_get(cat, "index"))
                                                                       : json_object_size(json_object_get(cat, "label"));
                n = json_pack("{s:O, s:s, s:I}", "id", id, "label",
                              strempty(json_string_value(json_object_get(d, "label"))), "size", (json_int_t) count);
                if (!n || json_array_append_new(out, n) < 0) {
                        json_decref(out);
                        return NULL;
                }
        }
        return out;
}

/* The range of what series def reads from the file, merged into entry's first_period and
 * last_period; a series the provider cannot read (an open JSON-stat dimension …) adds a note. */
static int merge_range(json_t *entry, const SourceDef *src, const SeriesDef *def, const char *url,
                       const CatalogBody *b)
{
        const Provider *p = provider_for(src->kind);
        _cleanup_(series_freep) Series *s = NULL;
        _cleanup_free_ char *note = NULL, *err = NULL;
        char buf[PERIOD_STRING_MAX];
        int r;

        r = p->parse_data(src, def, NULL,
                          &(SourceResponse) { .url = url, .status = 200, .body = b->body, .size = b->size }, &s,
                          &note, &err);
        if (r < 0) {
                json_t *notes = json_object_get(entry, "notes");
                return json_array_append_new(notes, json_pack("s++", def->name, ": ", strempty(err))) < 0
                               ? -ENOMEM
                               : 0;
        }
        if (s->n_points == 0)
                return 0;
        /* periods of one frequency compare as (year, sub); a file read as two frequencies keeps the
         * first series' */
        Period first = s->points[0].period, last = s->points[s->n_points - 1].period, cur;
        const char *cf = json_string_value(json_object_get(entry, "first_period"));
        const char *cl = json_string_value(json_object_get(entry, "last_period"));
        if (cf && period_parse(cf, &cur) >= 0 &&
            (cur.freq != first.freq || cur.year * 100 + cur.sub <= first.year * 100 + first.sub))
                first = cur;
        if (cl && period_parse(cl, &cur) >= 0 &&
            (cur.freq != last.freq || cur.year * 100 + cur.sub >= last.year * 100 + last.sub))
                last = cur;
        if (json_object_set_new(entry, "first_period", json_string(period_to_string(first, buf))) < 0 ||
            json_object_set_new(entry, "last_period", json_string(period_to_string(last, buf))) < 0)
                return -ENOMEM;
        return 0;
}

typedef struct FileSeen {
        char *url;
        CatalogBody body;
        json_t *entry; /* borrowed from the listing */
} FileSeen;

static void files_seen_free(FileSeen **f)
{
        for (FileSeen *x = *f; x && x->url; x++) {
                free(x->url);
                free(x->body.body);
        }
        free(*f);
}

static json_t *file_entry(const SourceDef *src, const SeriesDef *def, const char *url, const CatalogBody *b)
{
        json_t *e = json_pack("{s:s, s:s, s:s, s:n, s:n, s:n, s:n, s:[]}", "id",
                              def->path ? def->path : def->table ? def->table : url, "title", url, "type", "file",
                              "unit", "first_period", "last_period", "updated", "notes");
        json_t *what;

        if (!e)
                return NULL;
        if (src->kind == SOURCE_CSV)
                what = csv_columns(b->body, b->size);
        else
                what = jsonstat_dimensions(b->body, b->size, def->dataset);
        if (json_object_set_new(e, src->kind == SOURCE_CSV ? "columns" : "dimensions", what ? what : json_array()) < 0) {
                json_decref(e);
                return NULL;
        }
        return e;
}

int catalog_files(const Config *c, const SourceDef *src, json_t **ret, char **ret_error)
{
        _cleanup_(json_decrefp) json_t *out = json_array();
        _cleanup_(files_seen_free) FileSeen *seen = calloc(c->n_series + 1, sizeof(FileSeen));
        const Provider *p = provider_for(src->kind);
        size_t n_seen = 0;
        int r;

        if (!out || !seen || !p)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_series; i++) {
                const SeriesDef *def = &c->series[i];
                _cleanup_(source_request_done) SourceRequest req = {};
                FileSeen *f = NULL;

                if (!def->source || !streq(def->source, src->name))
                        continue;
                r = p->plan(&(SourcePlanContext) { .source = src, .series = def }, &req, ret_error);
                if (r < 0)
                        return -EIO;
                for (size_t k = 0; k < n_seen && !f; k++) /* a few files: the series of one source */
                        if (streq(seen[k].url, req.url))
                                f = &seen[k];
                if (!f) {
                        f = &seen[n_seen];
                        r = catalog_http(src, req.url, NULL, NULL, &f->body, ret_error);
                        if (r < 0)
                                return r;
                        f->url = TAKE_PTR(req.url);
                        n_seen++;
                        f->entry = file_entry(src, def, f->url, &f->body);
                        if (!f->entry || json_array_append_new(out, f->entry) < 0)
                                return -ENOMEM;
                }
                r = merge_range(f->entry, src, def, f->url, &f->body);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(out);
        return 0;
}
