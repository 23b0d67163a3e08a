/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The configuration's schema: one declarative field table per section (key, type, where it goes,
 * which kinds it applies to, which kinds require it), walked by the YAML field engine
 * (yaml-fields.c), and the few checks a table cannot say (URLs, paths, ranges, combinations).
 * labourwatch.yaml(5) documents the same keys; keep them in step. */
#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config-internal.h"
#include "labourwatch/macro.h"
#include "labourwatch/municipality.h"
#include "labourwatch/parse-util.h"
#include "labourwatch/schedule.h"
#include "labourwatch/secret.h"
#include "labourwatch/suggest.h"

#define DEFAULT_STATBANK_URL "https://api.statbank.dk/v1"
#define DEFAULT_JOBINDSATS_URL_V3 "https://api.jobindsats.dk/v3"
#define DEFAULT_JOBINDSATS_URL_V2 "https://api.jobindsats.dk/v2"
#define DEFAULT_INTERVAL_USEC (6 * USEC_PER_HOUR)
#define DEFAULT_JITTER_USEC (10 * USEC_PER_MINUTE)
#define DEFAULT_CONNECT_TIMEOUT_USEC (30 * USEC_PER_SEC)
#define DEFAULT_TIMEOUT_USEC (300 * USEC_PER_SEC)
#define DEFAULT_NOTIFIER_TIMEOUT_USEC (30 * USEC_PER_SEC)
#define DEFAULT_MAX_RESPONSE_SIZE (UINT64_C(64) * 1024 * 1024)
#define DEFAULT_STALE_AFTER_USEC (14 * USEC_PER_DAY)
#define DEFAULT_TREND_WINDOW 6
#define ALERT_FOR_MAX 120U      /* `for:` in data periods: ten years of months */
#define REPEAT_PERIODS_MAX 120U /* `repeat:` as an integer */

#define K YAML_KIND
#define ALL YAML_KINDS_ALL

#define HAS(p, fields, key) yaml_parsed_has((p), (fields), ELEMENTSOF(fields), (key))
#define KEY(p, fields, key) yaml_parsed_key((p), (fields), ELEMENTSOF(fields), (key))
#define VALUE(p, fields, key) yaml_parsed_value((p), (fields), ELEMENTSOF(fields), (key))

static bool startswith(const char *s, const char *prefix)
{
        return s && strneq(s, prefix, strlen(prefix));
}

static bool endswith(const char *s, const char *suffix)
{
        size_t a, b;
        if (!s)
                return false;
        a = strlen(s);
        b = strlen(suffix);
        return a >= b && streq(s + a - b, suffix);
}

static bool url_has_scheme(const char *u, const char *const *schemes, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (startswith(u, schemes[i]) && u[strlen(schemes[i])])
                        return true;
        return false;
}

/* scheme://user:password@host/...: a password there would be logged and stored with the URL. */
static bool url_has_credentials(const char *u)
{
        const char *p = u ? strstr(u, "://") : NULL;

        if (!p)
                return false;
        p += 3;
        return memchr(p, '@', strcspn(p, "/?#")) != NULL;
}

/* Refuses a URL with credentials, naming the keys to use instead; never echoes the URL. */
static bool check_url_credentials(Ctx *x, yaml_node_t *v, const char *key, const char *url, const char *instead)
{
        if (!url_has_credentials(url))
                return true;
        ctx_error(x, v,
                  "%s: must not contain a user name or password (user:password@host): it would be logged and "
                  "stored with the URL; %s",
                  key, instead);
        return false;
}

static void check_secret_pair(Ctx *x, const YamlParsed *p, const YamlField *fields, size_t n, const char *base,
                              const SecretRef *s)
{
        char kf[64], kc[64];

        (void) snprintf(kf, sizeof kf, "%s_file", base);
        (void) snprintf(kc, sizeof kc, "%s_credential", base);
        if (yaml_parsed_has(p, fields, n, kf) && yaml_parsed_has(p, fields, n, kc))
                ctx_error(x, yaml_parsed_key(p, fields, n, kc), "'%s' and '%s' exclude each other, give one", kf, kc);
        if (s->credential && !credential_name_is_valid(s->credential))
                ctx_error(x, yaml_parsed_value(p, fields, n, kc),
                          "%s: a credential name must not contain '/' (it names a file in "
                          "$CREDENTIALS_DIRECTORY)",
                          kc);
        if (s->file && s->file[0] != '/')
                ctx_error(x, yaml_parsed_value(p, fields, n, kf), "%s: must be an absolute path", kf);
}

static void check_kind(Ctx *x, const YamlParsed *p, const YamlField *fields, size_t n, int kind,
                       const char *const *kind_names, size_t n_kinds, const char *noun, const char *what, ConfigPos at)
{
        yaml_fields_check_kind(&x->walk, p, fields, n, kind, kind_names, n_kinds, noun, -1, NULL, what, at.line,
                               at.column);
}

#define CHECK_KIND(x, p, fields, kind, table, noun, what, at)                                                    \
        check_kind((x), (p), (fields), ELEMENTSOF(fields), (kind), (table), ELEMENTSOF(table), (noun), (what), (at))


/* ---- sources ---- */

#define SRC_WEB (K(SOURCE_JSONSTAT) | K(SOURCE_PXWEB))

static void read_schedule(YamlWalk *w, const char *key, yaml_node_t *v, void *dest);

static const YamlField source_fields[] = {
        {.key = "kind", .type = YF_ENUM, .offset = offsetof(SourceDef, kind), .names = source_kind_table,
         .n_names = _SOURCE_KIND_MAX, .required = ALL},
        {.key = "base_url", .type = YF_STRING, .offset = offsetof(SourceDef, base_url), .required = SRC_WEB},
        {.key = "token_file", .type = YF_STRING, .offset = offsetof(SourceDef, token.file), .kinds = K(SOURCE_JOBINDSATS)},
        {.key = "token_credential", .type = YF_STRING, .offset = offsetof(SourceDef, token.credential),
         .kinds = K(SOURCE_JOBINDSATS)},
        {.key = "ca_file", .type = YF_STRING, .offset = offsetof(SourceDef, ca_file)},
        /* only the Statistikbank API takes a language (source-statbank.c); the others' languages are in
         * their URLs */
        {.key = "lang", .type = YF_CHOICE, .offset = offsetof(SourceDef, lang), .names = language_table,
         .n_names = ELEMENTSOF(language_table), .kinds = K(SOURCE_STATBANK)},
        {.key = "api_version", .type = YF_INT, .offset = offsetof(SourceDef, api_version), .kinds = K(SOURCE_JOBINDSATS)},
        {.key = "schedule", .type = YF_CUSTOM, .custom = read_schedule},
        {.key = "connect_timeout", .type = YF_DURATION, .offset = offsetof(SourceDef, connect_timeout_usec)},
        {.key = "timeout", .type = YF_DURATION, .offset = offsetof(SourceDef, timeout_usec)},
        {.key = "max_response_size", .type = YF_SIZE, .offset = offsetof(SourceDef, max_response_size)},
        {.key = "stale_after", .type = YF_DURATION, .offset = offsetof(SourceDef, stale_after_usec)},
        {.key = "encoding", .type = YF_CHOICE, .offset = offsetof(SourceDef, encoding), .names = encoding_table,
         .n_names = ELEMENTSOF(encoding_table), .kinds = K(SOURCE_CSV)},
        {.key = "display_name", .type = YF_TEXT, .offset = offsetof(SourceDef, display_name_da),
         .offset2 = offsetof(SourceDef, display_name_en)},
};

/* The checks a table cannot express: URLs, defaults that depend on the kind, ranges. */
static void source_check(Ctx *x, SourceDef *s, const YamlParsed *p, const char *what)
{
        static const char *const web[] = {"https://", "http://", "file://"};

        if (s->base_url && !check_url_credentials(x, VALUE(p, source_fields, "base_url"), "base_url", s->base_url,
                                                   s->kind == SOURCE_JOBINDSATS
                                                           ? "put the token in token_file or token_credential"
                                                           : "secrets go in *_file or *_credential keys"))
                ;
        else if (s->base_url && !(url_has_scheme(s->base_url, web, ELEMENTSOF(web)) ||
                             (s->kind == SOURCE_CSV && s->base_url[0] == '/')))
                ctx_error(x, VALUE(p, source_fields, "base_url"), "base_url: expected an https://, http:// or file:// URL%s",
                          s->kind == SOURCE_CSV ? " or an absolute path" : "");

        switch (s->kind) {
        case SOURCE_STATBANK:
                if (!s->base_url && !(s->base_url = strdup(DEFAULT_STATBANK_URL)))
                        x->oom = true;
                break;
        case SOURCE_JOBINDSATS:
                if (s->api_version != 2 && s->api_version != 3)
                        ctx_error(x, VALUE(p, source_fields, "api_version"),
                                  "api_version: bad value '%d', expected one of: 2, 3", s->api_version);
                if (!HAS(p, source_fields, "token_file") && !HAS(p, source_fields, "token_credential"))
                        ctx_error_pos(x, s->pos, "%s: jobindsats needs 'token_file' or 'token_credential'", what);
                if (!s->base_url && !(s->base_url = strdup(s->api_version == 2 ? DEFAULT_JOBINDSATS_URL_V2
                                                                               : DEFAULT_JOBINDSATS_URL_V3)))
                        x->oom = true;
                break;
        case SOURCE_CSV:
                if (!s->encoding && !(s->encoding = strdup("auto")))
                        x->oom = true;
                break;
        default:
                break;
        }

        if (HAS(p, source_fields, "timeout") && s->timeout_usec == 0)
                ctx_error(x, VALUE(p, source_fields, "timeout"), "timeout: must be greater than 0");
        if (HAS(p, source_fields, "connect_timeout") &&
            (s->connect_timeout_usec == 0 || s->connect_timeout_usec > s->timeout_usec))
                ctx_error(x, VALUE(p, source_fields, "connect_timeout"),
                          "connect_timeout: must be greater than 0 and at most 'timeout'");
        if (HAS(p, source_fields, "max_response_size") && s->max_response_size == 0)
                ctx_error(x, VALUE(p, source_fields, "max_response_size"), "max_response_size: must be greater than 0");
        if (s->ca_file && s->ca_file[0] != '/')
                ctx_error(x, VALUE(p, source_fields, "ca_file"), "ca_file: must be an absolute path");
        /* what the mails and the report call it: "Kilde: Jobindsats, tabel Y08A02", never the
         * configuration's internal name unless nothing better is known (issue 23) */
        for (int en = 0; en <= 1; en++) {
                char **d = en ? &s->display_name_en : &s->display_name_da;
                if (!*d && !(*d = strdup(source_default_display_name(s->kind, en) ?: strempty(s->name))))
                        x->oom = true;
        }
}

static void parse_source(Ctx *x, const char *name, yaml_node_t *key, yaml_node_t *v)
{
        _cleanup_free_ char *what = strdup_printf("source '%s'", name);
        Config *c = x->c;
        SourceDef *s;
        YamlParsed p;

        if (!what || GREEDY_REALLOC(c->sources, x->n_sources_alloc, c->n_sources + 1) < 0) {
                x->oom = true;
                return;
        }
        s = &c->sources[c->n_sources++];
        *s = (SourceDef){
                .name = strdup(name),
                .kind = _SOURCE_KIND_INVALID,
                .api_version = 3,
                .schedule = {.kind = SCHEDULE_INTERVAL, .interval_usec = DEFAULT_INTERVAL_USEC, .jitter_usec = DEFAULT_JITTER_USEC},
                .connect_timeout_usec = DEFAULT_CONNECT_TIMEOUT_USEC,
                .timeout_usec = DEFAULT_TIMEOUT_USEC,
                .max_response_size = DEFAULT_MAX_RESPONSE_SIZE,
                .stale_after_usec = DEFAULT_STALE_AFTER_USEC,
                .pos = ctx_node_pos(x, key),
        };
        if (!s->name) {
                x->oom = true;
                return;
        }
        ctx_name_add(x, &x->source_names, s->name, c->n_sources - 1);
        if (!name_is_valid_id(name))
                ctx_error(x, key, "bad source name '%s', use letters, digits, '_', '-' and '.'", name);

        yaml_parse_fields(&x->walk, v, what, source_fields, ELEMENTSOF(source_fields), s, &p);
        if (v->type != YAML_MAPPING_NODE)
                return;
        CHECK_KIND(x, &p, source_fields, s->kind, source_kind_table, "sources", what, s->pos);
        check_secret_pair(x, &p, source_fields, ELEMENTSOF(source_fields), "token", &s->token);
        if (!s->lang && !(s->lang = strdup("da")))
                x->oom = true;
        source_check(x, s, &p, what);
}

/* ---- series ---- */

/* The kinds of a series: its source's kind, or derived (an expression over other series). */
#define SERIES_DERIVED _SOURCE_KIND_MAX
static const char *const series_kind_table[_SOURCE_KIND_MAX + 1] = {
        [SOURCE_STATBANK] = "statbank", [SOURCE_JOBINDSATS] = "jobindsats", [SOURCE_CSV] = "csv",
        [SOURCE_JSONSTAT] = "jsonstat", [SOURCE_PXWEB] = "pxweb",           [SERIES_DERIVED] = "derived",
};
#define FETCHED (K(SOURCE_STATBANK) | K(SOURCE_JOBINDSATS) | K(SOURCE_CSV) | SRC_WEB)
#define TABLED (K(SOURCE_STATBANK) | K(SOURCE_JOBINDSATS) | SRC_WEB)

static void read_select(YamlWalk *w, const char *key, yaml_node_t *v, void *dest);
static void read_expr(YamlWalk *w, const char *key, yaml_node_t *v, void *dest);

static const YamlField series_fields[] = {
        {.key = "source", .type = YF_STRING, .offset = offsetof(SeriesDef, source), .kinds = FETCHED},
        {.key = "table", .type = YF_STRING, .offset = offsetof(SeriesDef, table), .kinds = TABLED, .required = TABLED,
         .hint = "(csv series use 'path')"},
        {.key = "select", .type = YF_CUSTOM, .custom = read_select, .kinds = FETCHED},
        {.key = "measure", .type = YF_STRING, .offset = offsetof(SeriesDef, measure),
         .kinds = K(SOURCE_JOBINDSATS) | SRC_WEB, .required = K(SOURCE_JOBINDSATS),
         .hint = "(a statbank table has one value; csv series use 'column')"},
        {.key = "column", .type = YF_STRING, .offset = offsetof(SeriesDef, column), .kinds = K(SOURCE_CSV)},
        {.key = "path", .type = YF_STRING, .offset = offsetof(SeriesDef, path), .kinds = K(SOURCE_CSV)},
        {.key = "expr", .type = YF_CUSTOM, .custom = read_expr, .kinds = K(SERIES_DERIVED)},
        {.key = "frequency", .type = YF_ENUM, .offset = offsetof(SeriesDef, freq), .names = freq_table,
         .n_names = _PERIOD_FREQ_MAX}, /* required, checked before the kind is known */
        {.key = "publication_lag", .type = YF_INT, .offset = offsetof(SeriesDef, publication_lag)},
        {.key = "unit", .type = YF_TEXT, .offset = offsetof(SeriesDef, unit_da), .offset2 = offsetof(SeriesDef, unit_en)},
        {.key = "label", .type = YF_TEXT, .offset = offsetof(SeriesDef, label_da), .offset2 = offsetof(SeriesDef, label_en)},
        {.key = "label_en", .type = YF_STRING, .offset = offsetof(SeriesDef, label_en)},
        {.key = "dataset", .type = YF_STRING, .offset = offsetof(SeriesDef, dataset), .kinds = SRC_WEB},
        {.key = "time_format", .type = YF_STRING, .offset = offsetof(SeriesDef, time_format), .kinds = SRC_WEB},
};

static ConfigPos expr_position(Ctx *x, yaml_node_t *v)
{
        ConfigPos pos = ctx_node_pos(x, v);

        switch (v->data.scalar.style) {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE:
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
                pos.column++; /* after the quote */
                break;
        case YAML_LITERAL_SCALAR_STYLE:
        case YAML_FOLDED_SCALAR_STYLE: {
                /* The text starts on the first non-blank line after the "|" or ">" header. Lines are
                 * counted in the file buffer; the indentation is ASCII spaces, so bytes = columns. */
                const char *p = x->yf->buf;
                unsigned line = 1;

                if (!p)
                        break;
                while (*p && line < pos.line) {
                        if (*p == '\n')
                                line++;
                        p++;
                }
                for (;;) {
                        const char *q;
                        p = strchr(p, '\n');
                        if (!p)
                                return pos;
                        p++;
                        line++;
                        q = p;
                        while (*q == ' ')
                                q++;
                        if (*q && *q != '\n' && *q != '\r') {
                                pos.line = line;
                                pos.column = (unsigned) (q - p) + 1;
                                break;
                        }
                }
                break;
        }
        default:
                break;
        }
        return pos;
}

static void read_expr(YamlWalk *w, const char *key, yaml_node_t *v, void *dest)
{
        SeriesDef *s = dest;

        if (yaml_read_text(w, key, v, &s->expr))
                s->expr_pos = expr_position(w->userdata, v);
}

static void read_select(YamlWalk *w, const char *key, yaml_node_t *v, void *dest)
{
        Ctx *x = w->userdata;
        SeriesDef *sd = dest;
        SelectionItem **ret = &sd->select;
        size_t *ret_n = &sd->n_select, alloc = 0;

        if (v->type != YAML_MAPPING_NODE) {
                ctx_error(x, v, "%s: expected a mapping of dimension: value, got %s", key, yaml_node_describe(v));
                return;
        }
        for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
                const char *k = yaml_mapping_key(x->yf, v, p);
                yaml_node_t *val = yaml_file_node(x->yf, p->value);
                const char *s;
                char *dim, *value;

                if (!k)
                        continue;
                s = yaml_node_scalar(val);
                if (!s || !*s) {
                        ctx_error(x, val, "%s: expected a single value for dimension '%s', got %s", key, k,
                                  yaml_node_describe(val));
                        continue;
                }
                if (yaml_string_has_control(s, false)) {
                        ctx_error(x, val, "%s: the value for dimension '%s' must not contain control characters", key, k);
                        continue;
                }
                dim = strdup(k);
                value = strdup(s);
                if (!dim || !value || GREEDY_REALLOC(*ret, alloc, *ret_n + 1) < 0) {
                        free(dim);
                        free(value);
                        x->oom = true;
                        return;
                }
                (*ret)[(*ret_n)++] = (SelectionItem){
                        .dimension = dim,
                        .value = value,
                        .pos = ctx_node_pos(x, yaml_file_node(x->yf, p->key)),
                };
        }
}

static int default_publication_lag(PeriodFreq f)
{
        switch (f) {
        case PERIOD_MONTH:
                return 3;
        case PERIOD_QUARTER:
        case PERIOD_QMAT:
                return 2;
        default:
                return 1;
        }
}

/* A csv series needs a file: its own path, or the source's base_url naming one file. */
static void series_check_csv(Ctx *x, SeriesDef *s, const SourceDef *src, const YamlParsed *p, const char *what)
{
        if (!s->path && !HAS(p, series_fields, "path")) {
                if (!src->base_url)
                        ctx_error_pos(x, s->pos, "%s: missing required key 'path' (source '%s' has no base_url)", what,
                                      src->name);
                else if (endswith(src->base_url, "/"))
                        ctx_error_pos(x, s->pos,
                                      "%s: missing required key 'path' (source '%s' base_url is a directory)", what,
                                      src->name);
        } else if (s->path && !check_url_credentials(x, VALUE(p, series_fields, "path"), "path", s->path,
                                                     "secrets go in *_file or *_credential keys"))
                ;
        else if (s->path && !src->base_url && s->path[0] != '/' && !strstr(s->path, "://"))
                ctx_error(x, VALUE(p, series_fields, "path"), "path: must be absolute or a URL, source '%s' has no base_url",
                          src->name);
}

/* Whether a selection's dimension names the area: Jobindsats' "area" (also written område), and
 * Statistikbank's OMRÅDE. */
static bool is_area_dimension(SourceKind kind, const char *dim)
{
        if (kind == SOURCE_STATBANK)
                return suggest_same(dim, "område");
        if (kind == SOURCE_JOBINDSATS)
                return suggest_same(dim, "area") || suggest_same(dim, "område") || suggest_same(dim, "omrade") ||
                       suggest_same(dim, "_område") || suggest_same(dim, "_omrade");
        return false;
}

static bool starts_with_word(const char *s, const char *word)
{
        size_t n = strlen(word);
        return strncasecmp(s, word, n) == 0 && s[n] == ' ';
}

/* A misspelt municipality in an area selection is caught here, with the nearest name, instead of
 * at the first fetch. Only a text near one of the 98 names (or "Hele landet") is an error: both
 * providers have other areas too (Jobindsats' "RAR ..." and regions, Statistikbank's regions and
 * landsdele), and codes are left to the table's metadata, so nothing valid is refused. */
static void series_check_area(Ctx *x, const char *value, yaml_node_t *vn)
{
        const Municipality *m;
        size_t n;

        if (suggest_caseeq(value, "Hele landet") || streq(value, "*") || strchr(value, ',') ||
            value[strspn(value, "0123456789")] == 0 || starts_with_word(value, "RAR") ||
            starts_with_word(value, "Region"))
                return;
        m = municipality_all(&n);
        for (size_t i = 0; i < n; i++)
                if (suggest_caseeq(value, m[i].name))
                        return;
        m = municipality_by_name(value);
        if (!m)
                m = municipality_nearest(value);
        if (m)
                ctx_error(x, vn, "'%s' is not a municipality; did you mean '%s' (%03u)?", value, m->name, m->code);
        else if (suggest_index(value, (const char *const[]){"Hele landet"}, 1, sizeof(char *), 3) >= 0)
                ctx_error(x, vn, "'%s' is not an area; did you mean 'Hele landet' (the whole country)?", value);
}

static void series_check_areas(Ctx *x, const SourceDef *src, yaml_node_t *select)
{
        if (!select || select->type != YAML_MAPPING_NODE)
                return;
        for (yaml_node_pair_t *p = select->data.mapping.pairs.start; p < select->data.mapping.pairs.top; p++) {
                const char *k = yaml_mapping_key(x->yf, select, p);
                yaml_node_t *vn = yaml_file_node(x->yf, p->value);
                const char *v = vn ? yaml_node_scalar(vn) : NULL;

                if (k && v && *v && is_area_dimension(src->kind, k))
                        series_check_area(x, v, vn);
        }
}

static void series_check(Ctx *x, SeriesDef *s, const YamlParsed *p, const char *what)
{
        const SourceDef *src;
        ssize_t si;

        /* `label_en:` alone names the series in both languages, like a one-language `label:`. */
        if (s->label_en && !s->label_da && !(s->label_da = strdup(s->label_en)))
                x->oom = true;
        if (s->time_format && !strchr(s->time_format, '%'))
                ctx_error(x, VALUE(p, series_fields, "time_format"),
                          "time_format: '%s' has no conversion (expected e.g. \"%%Y - %%q\", \"%%YM%%m\")", s->time_format);

        if (HAS(p, series_fields, "expr")) {
                yaml_fields_check_kind(&x->walk, p, series_fields, ELEMENTSOF(series_fields), SERIES_DERIVED,
                                       series_kind_table, ELEMENTSOF(series_kind_table), "series", SERIES_DERIVED,
                                       "applies only to fetched series; this series is derived ('expr')", what,
                                       s->pos.line, s->pos.column);
                return;
        }
        if (!HAS(p, series_fields, "source")) {
                ctx_error_pos(x, s->pos, "%s: missing required key 'source' (or 'expr' for a derived series)", what);
                return;
        }
        if (!s->source)
                return;
        si = ctx_name_find(x->source_names, s->source);
        src = si >= 0 ? &x->c->sources[si] : NULL;
        if (!src && x->main_broken)
                return;
        if (!src) {
                const char *hint = CTX_SUGGEST(x, s->source, x->c->sources, x->c->n_sources);
                if (hint)
                        ctx_error(x, VALUE(p, series_fields, "source"), "undefined source '%s' (did you mean '%s'?)",
                                  s->source, hint);
                else
                        ctx_error(x, VALUE(p, series_fields, "source"), "undefined source '%s'", s->source);
                return;
        }
        s->source_def = src;
        yaml_fields_check_kind(&x->walk, p, series_fields, ELEMENTSOF(series_fields), src->kind, series_kind_table,
                               ELEMENTSOF(series_kind_table), "series", SERIES_DERIVED, NULL, what, s->pos.line,
                               s->pos.column);
        if (src->kind == SOURCE_CSV)
                series_check_csv(x, s, src, p, what);
        if (HAS(p, series_fields, "select"))
                series_check_areas(x, src, VALUE(p, series_fields, "select"));
}

static void parse_series(Ctx *x, const char *name, yaml_node_t *key, yaml_node_t *v)
{
        _cleanup_free_ char *what = strdup_printf("series '%s'", name);
        Config *c = x->c;
        ssize_t di = ctx_name_find(x->series_names, name);
        SeriesDef *s;
        YamlParsed p;

        if (!what) {
                x->oom = true;
                return;
        }
        if (di >= 0) {
                const SeriesDef *dup = &c->series[di];
                ctx_error(x, key, "duplicate series '%s' (first defined at %s:%u:%u)", name, dup->pos.file, dup->pos.line,
                          dup->pos.column);
        }
        if (!name_is_identifier(name))
                ctx_error(x, key,
                          "bad series name '%s', use letters, digits and '_' (not first), so that "
                          "expressions can name it",
                          name);
        if (GREEDY_REALLOC(c->series, x->n_series_alloc, c->n_series + 1) < 0) {
                x->oom = true;
                return;
        }
        s = &c->series[c->n_series++];
        *s = (SeriesDef){
                .name = strdup(name),
                .freq = _PERIOD_FREQ_INVALID,
                .publication_lag = -1,
                .pos = ctx_node_pos(x, key),
        };
        if (!s->name) {
                x->oom = true;
                return;
        }
        ctx_name_add(x, &x->series_names, s->name, c->n_series - 1);
        yaml_parse_fields(&x->walk, v, what, series_fields, ELEMENTSOF(series_fields), s, &p);
        if (v->type != YAML_MAPPING_NODE)
                return;
        if (!HAS(&p, series_fields, "frequency"))
                ctx_error_pos(x, s->pos, "%s: missing required key 'frequency'", what);
        if (s->publication_lag < 0) {
                if (HAS(&p, series_fields, "publication_lag"))
                        ctx_error(x, VALUE(&p, series_fields, "publication_lag"), "publication_lag: must not be negative");
                s->publication_lag = s->freq >= 0 ? default_publication_lag(s->freq) : 0;
        }
        series_check(x, s, &p, what);
}

/* ---- goals ---- */

#define NOT_SHARE (K(GOAL_LEVEL) | K(GOAL_CHANGE) | K(GOAL_REFERENCE) | K(GOAL_RANK) | K(GOAL_CUMULATIVE))
#define BASELINED (K(GOAL_CHANGE) | K(GOAL_REFERENCE))

static const YamlField goal_fields[] = {
        {.key = "id", .type = YF_STRING, .offset = offsetof(GoalDef, id)},
        {.key = "title", .type = YF_TEXT, .offset = offsetof(GoalDef, title_da), .offset2 = offsetof(GoalDef, title_en)},
        {.key = "kind", .type = YF_ENUM, .offset = offsetof(GoalDef, kind), .names = goal_kind_table,
         .n_names = _GOAL_KIND_MAX, .required = ALL},
        {.key = "series", .type = YF_STRING, .offset = offsetof(GoalDef, series), .ref = REF_SERIES, .kinds = NOT_SHARE,
         .required = NOT_SHARE, .hint = "(share goals use numerator and denominator)"},
        {.key = "numerator", .type = YF_STRING, .offset = offsetof(GoalDef, numerator), .ref = REF_SERIES,
         .kinds = K(GOAL_SHARE), .required = K(GOAL_SHARE)},
        {.key = "denominator", .type = YF_STRING, .offset = offsetof(GoalDef, denominator), .ref = REF_SERIES,
         .kinds = K(GOAL_SHARE), .required = K(GOAL_SHARE)},
        {.key = "reference", .type = YF_STRING, .offset = offsetof(GoalDef, reference), .ref = REF_SERIES,
         .kinds = K(GOAL_REFERENCE), .required = K(GOAL_REFERENCE)},
        {.key = "period", .type = YF_PERIOD, .offset = offsetof(GoalDef, period), .required = ALL},
        {.key = "baseline", .type = YF_PERIOD, .offset = offsetof(GoalDef, baseline), .kinds = BASELINED,
         .required = BASELINED},
        {.key = "aggregate", .type = YF_ENUM, .offset = offsetof(GoalDef, aggregate), .names = goal_aggregate_table,
         .n_names = _GOAL_AGGREGATE_MAX},
        {.key = "direction", .type = YF_ENUM, .offset = offsetof(GoalDef, direction), .names = goal_direction_table,
         .n_names = _GOAL_DIRECTION_MAX},
        {.key = "target", .type = YF_DOUBLE, .offset = offsetof(GoalDef, target), .required = ALL},
        {.key = "change_unit", .type = YF_ENUM, .offset = offsetof(GoalDef, change_unit), .names = change_unit_table,
         .n_names = _CHANGE_UNIT_MAX, .kinds = BASELINED},
        {.key = "tolerance", .type = YF_DOUBLE, .offset = offsetof(GoalDef, tolerance)},
        {.key = "min_denominator", .type = YF_DOUBLE, .offset = offsetof(GoalDef, min_denominator), .kinds = K(GOAL_SHARE)},
        {.key = "projection", .type = YF_ENUM, .offset = offsetof(GoalDef, projection), .names = projection_method_table,
         .n_names = _PROJECTION_METHOD_MAX},
        {.key = "trend_window", .type = YF_INT, .offset = offsetof(GoalDef, trend_window)},
        {.key = "status_from", .type = YF_ENUM, .offset = offsetof(GoalDef, status_from), .names = goal_status_from_table,
         .n_names = _GOAL_STATUS_FROM_MAX},
        {.key = "probability_at_risk", .type = YF_DOUBLE, .offset = offsetof(GoalDef, probability_at_risk)},
        {.key = "probability_off_track", .type = YF_DOUBLE, .offset = offsetof(GoalDef, probability_off_track)},
        {.key = "probability_recover", .type = YF_DOUBLE, .offset = offsetof(GoalDef, probability_recover)},
        {.key = "recipients", .type = YF_STRV, .offset = offsetof(GoalDef, recipients),
         .offset2 = offsetof(GoalDef, n_recipients), .ref = REF_RECIPIENT},
        {.key = "for", .type = YF_UINT, .offset = offsetof(GoalDef, alert_for)},
        {.key = "notify_at_risk", .type = YF_BOOL, .offset = offsetof(GoalDef, notify_at_risk)},
        {.key = "recovery_band", .type = YF_DOUBLE, .offset = offsetof(GoalDef, recovery_band)},
        {.key = "plan", .type = YF_STRING, .offset = offsetof(GoalDef, plan)},
};

static void goal_check_values(Ctx *x, GoalDef *g, const YamlParsed *p)
{
        if (HAS(p, goal_fields, "baseline") && HAS(p, goal_fields, "period") && period_is_valid(g->baseline) &&
            period_is_valid(g->period) && date_compare(period_last_day(g->baseline), period_first_day(g->period)) >= 0) {
                char a[PERIOD_STRING_MAX], b[PERIOD_STRING_MAX];
                ctx_error(x, VALUE(p, goal_fields, "baseline"), "baseline: %s must end before the goal period %s begins",
                          period_to_string(g->baseline, a), period_to_string(g->period, b));
        }
        if (HAS(p, goal_fields, "tolerance") && g->tolerance < 0)
                ctx_error(x, VALUE(p, goal_fields, "tolerance"), "tolerance: must not be negative");
        if (HAS(p, goal_fields, "min_denominator") && g->min_denominator < 0)
                ctx_error(x, VALUE(p, goal_fields, "min_denominator"), "min_denominator: must not be negative");
        if (HAS(p, goal_fields, "trend_window") && (g->trend_window < 2 || g->trend_window > 120))
                ctx_error(x, VALUE(p, goal_fields, "trend_window"), "trend_window: must be between 2 and 120 periods");
        if (g->kind == GOAL_RANK && HAS(p, goal_fields, "target") && g->target < 1)
                ctx_error(x, VALUE(p, goal_fields, "target"), "target: a rank is 1 or more");
        if (HAS(p, goal_fields, "for") && (g->alert_for < 1 || g->alert_for > ALERT_FOR_MAX))
                ctx_error(x, VALUE(p, goal_fields, "for"), "for: must be between 1 and %u data periods", ALERT_FOR_MAX);
        /* the top level's defaults (main_goal_defaults; 0 when the main file had none to read) */
        const Config *c = x->c;
        bool own_off = HAS(p, goal_fields, "probability_off_track");
        if (!HAS(p, goal_fields, "probability_at_risk"))
                g->probability_at_risk = c->probability_at_risk > 0 ? c->probability_at_risk : 0.8;
        if (!own_off)
                g->probability_off_track = c->probability_at_risk > 0 ? c->probability_off_track : 0.2;
        if (!(g->probability_at_risk > 0 && g->probability_at_risk <= 1))
                ctx_error(x, VALUE(p, goal_fields, "probability_at_risk"),
                          "probability_at_risk: must be above 0 and at most 1");
        else if (!(g->probability_off_track >= 0 && g->probability_off_track < g->probability_at_risk))
                ctx_error(x, VALUE(p, goal_fields, HAS(p, goal_fields, "probability_off_track") ? "probability_off_track"
                                                                                              : "probability_at_risk"),
                          "probability_off_track: must be at least 0 and below probability_at_risk (%g)",
                          g->probability_at_risk);
        else if (!HAS(p, goal_fields, "probability_recover"))
                g->probability_recover = !own_off && c->probability_recover > g->probability_off_track
                                                 ? c->probability_recover
                                                 : MIN(g->probability_off_track + PROBABILITY_RECOVER_MARGIN, 1.0);
        else if (!(g->probability_recover > g->probability_off_track && g->probability_recover <= 1))
                ctx_error(x, VALUE(p, goal_fields, "probability_recover"),
                          "probability_recover: must be above probability_off_track (%g) and at most 1: leaving "
                          "off_track needs more than entering it",
                          g->probability_off_track);
        g->has_recovery_band = HAS(p, goal_fields, "recovery_band");
        if (g->has_recovery_band && g->recovery_band < 0)
                ctx_error(x, VALUE(p, goal_fields, "recovery_band"), "recovery_band: must not be negative");
        if (!g->has_recovery_band)
                g->recovery_band = g->tolerance;
}

/* The id, unique over every file; the title defaults to it. */
static void goal_check_id(Ctx *x, GoalDef *g, yaml_node_t *id_key, const YamlParsed *p)
{
        Config *c = x->c;
        ssize_t i;

        if (!g->id)
                return;
        if (!name_is_valid_id(g->id))
                ctx_error(x, id_key ?: VALUE(p, goal_fields, "id"), "bad goal id '%s', use letters, digits, '_', '-' and '.'",
                          g->id);
        i = ctx_name_find(x->goal_ids, g->id);
        if (i >= 0)
                ctx_error(x, id_key ?: VALUE(p, goal_fields, "id"), "duplicate goal id '%s' (first defined at %s:%u:%u)",
                          g->id, c->goals[i].pos.file, c->goals[i].pos.line, c->goals[i].pos.column);
        else
                ctx_name_add(x, &x->goal_ids, g->id, (size_t) (g - c->goals));
        if (!g->title_da) {
                g->title_da = strdup(g->id);
                g->title_en = strdup(g->id);
                if (!g->title_da || !g->title_en)
                        x->oom = true;
        }
}

/* "goal 'ID'" for messages: the id is looked for first so that every message can name the goal. */
static char *goal_what(Ctx *x, const GoalDef *g, yaml_node_t *v)
{
        if (!g->id)
                for (yaml_node_pair_t *pr = v->data.mapping.pairs.start; pr < v->data.mapping.pairs.top; pr++) {
                        const char *k = yaml_node_scalar(yaml_file_node(x->yf, pr->key)),
                                   *val = yaml_node_scalar(yaml_file_node(x->yf, pr->value));
                        if (k && streq(k, "id") && val)
                                return strdup_printf("goal '%s'", val);
                }
        return g->id ? strdup_printf("goal '%s'", g->id) : strdup("goal");
}

/* id_key: the mapping key when goals are written as a mapping (id: {...}); NULL in a list. */
static void parse_goal(Ctx *x, yaml_node_t *id_key, yaml_node_t *v)
{
        _cleanup_free_ char *what = NULL, *keep_id = NULL;
        Config *c = x->c;
        GoalDef *g;
        YamlParsed p;

        if (GREEDY_REALLOC(c->goals, x->n_goals_alloc, c->n_goals + 1) < 0) {
                x->oom = true;
                return;
        }
        g = &c->goals[c->n_goals];
        *g = (GoalDef){
                .kind = _GOAL_KIND_INVALID,
                .aggregate = _GOAL_AGGREGATE_INVALID, /* default depends on kind, below */
                .direction = _GOAL_DIRECTION_INVALID,
                .change_unit = CHANGE_PERCENT,
                .projection = PROJECTION_AUTO,
                .status_from = x->c->has_status_from ? x->c->status_from : GOAL_STATUS_FROM_PROBABILITY,
                .trend_window = DEFAULT_TREND_WINDOW,
                .alert_for = 1,
                .pos = ctx_node_pos(x, id_key ?: v),
        };
        if (id_key && !(g->id = strdup(yaml_node_scalar(id_key)))) {
                x->oom = true;
                return;
        }
        c->n_goals++;

        if (v->type != YAML_MAPPING_NODE) {
                ctx_error(x, v, "goal: expected a mapping, got %s", yaml_node_describe(v));
                return;
        }
        what = goal_what(x, g, v);
        if (!what) {
                x->oom = true;
                return;
        }
        keep_id = id_key ? TAKE_PTR(g->id) : NULL;
        yaml_parse_fields(&x->walk, v, what, goal_fields, ELEMENTSOF(goal_fields), g, &p);
        if (keep_id) {
                if (HAS(&p, goal_fields, "id"))
                        ctx_error(x, KEY(&p, goal_fields, "id"), "%s: 'id' is already given by the mapping key", what);
                free(g->id);
                g->id = TAKE_PTR(keep_id);
        }

        if (!id_key && !HAS(&p, goal_fields, "id"))
                ctx_error_pos(x, g->pos, "%s: missing required key 'id'", what);
        goal_check_id(x, g, id_key, &p);

        if (g->direction < 0)
                g->direction = g->kind == GOAL_RANK ? GOAL_AT_MOST : GOAL_AT_LEAST;
        if (g->aggregate < 0)
                g->aggregate = g->kind == GOAL_RANK         ? GOAL_AGGREGATE_LATEST
                               : g->kind == GOAL_CUMULATIVE ? GOAL_AGGREGATE_SUM
                                                            : GOAL_AGGREGATE_AVERAGE;
        CHECK_KIND(x, &p, goal_fields, g->kind, goal_kind_table, "goals", what, g->pos);
        goal_check_values(x, g, &p);
}

/* ---- recipients, notifiers, routes ---- */

static const YamlField recipient_fields[] = {
        {.key = "display_name", .type = YF_STRING, .offset = offsetof(RecipientDef, display_name)},
        {.key = "salutation", .type = YF_STRING, .offset = offsetof(RecipientDef, salutation)},
        {.key = "email", .type = YF_STRING, .offset = offsetof(RecipientDef, email), .required = ALL},
        {.key = "language", .type = YF_CHOICE, .offset = offsetof(RecipientDef, language), .names = language_table,
         .n_names = ELEMENTSOF(language_table)},
};

#define DISPLAY_NAME_MAX 200

static bool string_is_ascii(const char *s)
{
        for (; *s; s++)
                if ((unsigned char) *s >= 0x80)
                        return false;
        return true;
}

/* Collapses runs of white space in a display name to one space and drops it at both ends, in place;
 * returns the length in characters (UTF-8 code points). */
static size_t display_name_collapse(char *s)
{
        size_t chars = 0;
        char *w = s;

        for (const char *r = s; *r; r++) {
                if (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r') {
                        if (w > s && w[-1] != ' ')
                                *w++ = ' ';
                        continue;
                }
                *w++ = *r;
        }
        if (w > s && w[-1] == ' ')
                w--;
        *w = 0;
        for (const char *r = s; *r; r++)
                if (((unsigned char) *r & 0xc0) != 0x80)
                        chars++;
        return chars;
}

static void parse_recipient(Ctx *x, const char *name, yaml_node_t *key, yaml_node_t *v)
{
        _cleanup_free_ char *what = strdup_printf("recipient '%s'", name);
        Config *c = x->c;
        RecipientDef *r;
        YamlParsed p;

        if (!what || GREEDY_REALLOC(c->recipients, x->n_recipients_alloc, c->n_recipients + 1) < 0) {
                x->oom = true;
                return;
        }
        r = &c->recipients[c->n_recipients++];
        *r = (RecipientDef){.name = strdup(name), .pos = ctx_node_pos(x, key)};
        if (!r->name) {
                x->oom = true;
                return;
        }
        if (!name_is_valid_id(name))
                ctx_error(x, key, "bad recipient name '%s', use letters, digits, '_', '-' and '.'", name);
        yaml_parse_fields(&x->walk, v, what, recipient_fields, ELEMENTSOF(recipient_fields), r, &p);
        if (v->type != YAML_MAPPING_NODE)
                return;
        yaml_fields_check_kind(&x->walk, &p, recipient_fields, ELEMENTSOF(recipient_fields), -1, NULL, 0, NULL, -1,
                               NULL, what, r->pos.line, r->pos.column);
        if (r->email && (!strchr(r->email, '@') || strpbrk(r->email, " \t<>,")))
                ctx_error(x, VALUE(&p, recipient_fields, "email"),
                          "email: '%s' is not an e-mail address (expected user@domain)", r->email);
        else if (r->email && !string_is_ascii(r->email))
                ctx_error(x, VALUE(&p, recipient_fields, "email"),
                          "email: '%s' is not ASCII; labourwatch does not send SMTPUTF8 mail, use an ASCII "
                          "address (an IDN domain in its xn-- form)", r->email);
        if (r->display_name) {
                size_t chars = display_name_collapse(r->display_name);

                if (chars > DISPLAY_NAME_MAX)
                        ctx_error(x, VALUE(&p, recipient_fields, "display_name"),
                                  "display_name: %zu characters, at most %d are allowed", chars, DISPLAY_NAME_MAX);
        }
        if (!r->display_name && !(r->display_name = strdup(name)))
                x->oom = true;
}

#define NOTIFIER_NET (K(NOTIFIER_SMTP) | K(NOTIFIER_WEBHOOK) | K(NOTIFIER_ALERTMANAGER))

static const YamlField notifier_fields[] = {
        {.key = "kind", .type = YF_ENUM, .offset = offsetof(NotifierDef, kind), .names = notifier_kind_table,
         .n_names = _NOTIFIER_KIND_MAX, .required = ALL},
        {.key = "url", .type = YF_STRING, .offset = offsetof(NotifierDef, url), .kinds = NOTIFIER_NET,
         .required = NOTIFIER_NET},
        {.key = "from", .type = YF_STRING, .offset = offsetof(NotifierDef, from), .kinds = K(NOTIFIER_SMTP),
         .required = K(NOTIFIER_SMTP)},
        {.key = "username_file", .type = YF_STRING, .offset = offsetof(NotifierDef, username.file), .kinds = K(NOTIFIER_SMTP)},
        {.key = "username_credential", .type = YF_STRING, .offset = offsetof(NotifierDef, username.credential),
         .kinds = K(NOTIFIER_SMTP)},
        {.key = "password_file", .type = YF_STRING, .offset = offsetof(NotifierDef, password.file), .kinds = K(NOTIFIER_SMTP)},
        {.key = "password_credential", .type = YF_STRING, .offset = offsetof(NotifierDef, password.credential),
         .kinds = K(NOTIFIER_SMTP)},
        {.key = "auth", .type = YF_ENUM, .offset = offsetof(NotifierDef, auth), .names = notifier_auth_table,
         .n_names = _NOTIFIER_AUTH_MAX, .kinds = K(NOTIFIER_SMTP)},
        {.key = "token_url", .type = YF_STRING, .offset = offsetof(NotifierDef, token_url), .kinds = K(NOTIFIER_SMTP)},
        {.key = "client_id", .type = YF_STRING, .offset = offsetof(NotifierDef, client_id), .kinds = K(NOTIFIER_SMTP)},
        {.key = "client_secret_file", .type = YF_STRING, .offset = offsetof(NotifierDef, client_secret.file),
         .kinds = K(NOTIFIER_SMTP)},
        {.key = "client_secret_credential", .type = YF_STRING, .offset = offsetof(NotifierDef, client_secret.credential),
         .kinds = K(NOTIFIER_SMTP)},
        {.key = "scope", .type = YF_STRING, .offset = offsetof(NotifierDef, scope), .kinds = K(NOTIFIER_SMTP)},
        {.key = "secret_file", .type = YF_STRING, .offset = offsetof(NotifierDef, secret.file), .kinds = K(NOTIFIER_WEBHOOK)},
        {.key = "secret_credential", .type = YF_STRING, .offset = offsetof(NotifierDef, secret.credential),
         .kinds = K(NOTIFIER_WEBHOOK)},
        {.key = "directory", .type = YF_STRING, .offset = offsetof(NotifierDef, directory), .kinds = K(NOTIFIER_DIRECTORY),
         .required = K(NOTIFIER_DIRECTORY)},
        {.key = "ca_file", .type = YF_STRING, .offset = offsetof(NotifierDef, ca_file), .kinds = NOTIFIER_NET},
        {.key = "timeout", .type = YF_DURATION, .offset = offsetof(NotifierDef, timeout_usec)},
        {.key = "allow_plaintext", .type = YF_BOOL, .offset = offsetof(NotifierDef, allow_plaintext), .kinds = K(NOTIFIER_SMTP)},
        {.key = "format", .type = YF_ENUM, .offset = offsetof(NotifierDef, format), .names = webhook_format_table,
         .n_names = _WEBHOOK_FORMAT_MAX, .kinds = K(NOTIFIER_WEBHOOK)},
        {.key = "retry_max", .type = YF_DURATION, .offset = offsetof(NotifierDef, retry_max_usec)},
        {.key = "give_up_after", .type = YF_DURATION, .offset = offsetof(NotifierDef, give_up_after_usec)},
};

/* http:// only to this host (a local token proxy, the tests): the client secret travels in the body. */
static bool url_is_loopback_http(const char *u)
{
        static const char *const hosts[] = {"http://127.0.0.1", "http://localhost", "http://[::1]"};

        for (size_t i = 0; i < ELEMENTSOF(hosts); i++)
                if (startswith(u, hosts[i]) && strchr(":/", u[strlen(hosts[i])]))
                        return true;
        return false;
}

/* auth: oauth2 (notify-oauth.c): a token endpoint, a client and its secret; the password keys
 * belong to the other way of logging in, the token keys to this one only. */
static void oauth2_check(Ctx *x, NotifierDef *n, const YamlParsed *p, const char *what)
{
        static const char *const password_keys[] = {"password_file", "password_credential"};
        static const char *const https[] = {"https://"};

        for (size_t i = 0; i < ELEMENTSOF(password_keys); i++)
                if (HAS(p, notifier_fields, password_keys[i]))
                        ctx_error(x, KEY(p, notifier_fields, password_keys[i]),
                                  "%s: not used with auth: oauth2, which logs in with a token; give "
                                  "client_secret_file or client_secret_credential",
                                  password_keys[i]);
        if (!n->token_url)
                ctx_error_pos(x, n->pos,
                              "%s: auth: oauth2 needs 'token_url' (Microsoft 365: "
                              "https://login.microsoftonline.com/TENANT/oauth2/v2.0/token)",
                              what);
        else if (!url_has_scheme(n->token_url, https, 1) && !url_is_loopback_http(n->token_url))
                ctx_error(x, VALUE(p, notifier_fields, "token_url"),
                          "token_url: expected an https:// URL (http:// only to 127.0.0.1 or localhost)");
        else
                (void) check_url_credentials(x, VALUE(p, notifier_fields, "token_url"), "token_url", n->token_url,
                                             "give client_secret_file or client_secret_credential");
        if (!n->client_id)
                ctx_error_pos(x, n->pos, "%s: auth: oauth2 needs 'client_id' (the application (client) ID)", what);
        if (!n->client_secret.file && !n->client_secret.credential)
                ctx_error_pos(x, n->pos, "%s: auth: oauth2 needs 'client_secret_file' or 'client_secret_credential'",
                              what);
        if (!n->scope && !(n->scope = strdup("https://outlook.office365.com/.default")))
                x->oom = true;
}

static void notifier_check(Ctx *x, NotifierDef *n, const YamlParsed *p, const char *what)
{
        static const char *const oauth2_keys[] = {"token_url", "client_id", "client_secret_file",
                                                  "client_secret_credential", "scope"};

        static const char *const smtp_schemes[] = {"smtp://", "smtps://"};
        static const char *const web_schemes[] = {"https://", "http://"};

        if (n->url && !check_url_credentials(x, VALUE(p, notifier_fields, "url"), "url", n->url,
                                             n->kind == NOTIFIER_SMTP
                                                     ? "use username_file/password_file or "
                                                       "username_credential/password_credential"
                                                     : "secrets go in *_file or *_credential keys"))
                return;
        switch (n->kind) {
        case NOTIFIER_SMTP:
                if (n->auth != NOTIFIER_AUTH_OAUTH2)
                        for (size_t i = 0; i < ELEMENTSOF(oauth2_keys); i++)
                                if (HAS(p, notifier_fields, oauth2_keys[i]))
                                        ctx_error(x, KEY(p, notifier_fields, oauth2_keys[i]),
                                                  "%s: only used with auth: oauth2", oauth2_keys[i]);
                if (n->url && !url_has_scheme(n->url, smtp_schemes, ELEMENTSOF(smtp_schemes)))
                        ctx_error(x, VALUE(p, notifier_fields, "url"), "url: expected smtp://HOST[:PORT] or smtps://HOST[:PORT]");
                if (n->from && !strchr(n->from, '@'))
                        ctx_error(x, VALUE(p, notifier_fields, "from"), "from: '%s' is not an e-mail address", n->from);
                if (n->auth == NOTIFIER_AUTH_OAUTH2)
                        oauth2_check(x, n, p, what);
                else if ((n->username.file || n->username.credential) && !n->password.file && !n->password.credential)
                        ctx_error_pos(x, n->pos, "%s: a username needs 'password_file' or 'password_credential'", what);
                break;
        case NOTIFIER_WEBHOOK:
        case NOTIFIER_ALERTMANAGER:
                if (n->url && !url_has_scheme(n->url, web_schemes, ELEMENTSOF(web_schemes)))
                        ctx_error(x, VALUE(p, notifier_fields, "url"), "url: expected an https:// or http:// URL");
                break;
        case NOTIFIER_DIRECTORY:
                if (n->directory && n->directory[0] != '/')
                        ctx_error(x, VALUE(p, notifier_fields, "directory"), "directory: must be an absolute path");
                break;
        default:
                break;
        }
        if (n->ca_file && n->ca_file[0] != '/')
                ctx_error(x, VALUE(p, notifier_fields, "ca_file"), "ca_file: must be an absolute path");
        if (HAS(p, notifier_fields, "timeout") && n->timeout_usec == 0)
                ctx_error(x, VALUE(p, notifier_fields, "timeout"), "timeout: must be greater than 0");
        if (HAS(p, notifier_fields, "retry_max") && n->retry_max_usec == 0)
                ctx_error(x, VALUE(p, notifier_fields, "retry_max"), "retry_max: must be greater than 0");
        if (HAS(p, notifier_fields, "give_up_after") && n->give_up_after_usec == 0)
                ctx_error(x, VALUE(p, notifier_fields, "give_up_after"), "give_up_after: must be greater than 0");
}

static void parse_notifier(Ctx *x, const char *name, yaml_node_t *key, yaml_node_t *v)
{
        _cleanup_free_ char *what = strdup_printf("notifier '%s'", name);
        Config *c = x->c;
        NotifierDef *n;
        YamlParsed p;

        if (!what || GREEDY_REALLOC(c->notifiers, x->n_notifiers_alloc, c->n_notifiers + 1) < 0) {
                x->oom = true;
                return;
        }
        n = &c->notifiers[c->n_notifiers++];
        *n = (NotifierDef){
                .name = strdup(name),
                .kind = _NOTIFIER_KIND_INVALID,
                .timeout_usec = DEFAULT_NOTIFIER_TIMEOUT_USEC,
                .format = WEBHOOK_GENERIC,
                .retry_max_usec = NOTIFIER_RETRY_MAX_DEFAULT_USEC,
                .give_up_after_usec = NOTIFIER_GIVE_UP_AFTER_DEFAULT_USEC,
                .pos = ctx_node_pos(x, key),
        };
        if (!n->name) {
                x->oom = true;
                return;
        }
        if (!name_is_valid_id(name))
                ctx_error(x, key, "bad notifier name '%s', use letters, digits, '_', '-' and '.'", name);
        yaml_parse_fields(&x->walk, v, what, notifier_fields, ELEMENTSOF(notifier_fields), n, &p);
        if (v->type != YAML_MAPPING_NODE)
                return;
        CHECK_KIND(x, &p, notifier_fields, n->kind, notifier_kind_table, "notifiers", what, n->pos);
        check_secret_pair(x, &p, notifier_fields, ELEMENTSOF(notifier_fields), "username", &n->username);
        check_secret_pair(x, &p, notifier_fields, ELEMENTSOF(notifier_fields), "password", &n->password);
        check_secret_pair(x, &p, notifier_fields, ELEMENTSOF(notifier_fields), "secret", &n->secret);
        check_secret_pair(x, &p, notifier_fields, ELEMENTSOF(notifier_fields), "client_secret", &n->client_secret);
        notifier_check(x, n, &p, what);
}

static void read_repeat(YamlWalk *w, const char *key, yaml_node_t *v, void *dest);
static void read_route_report(YamlWalk *w, const char *key, yaml_node_t *v, void *dest);

static const YamlField route_fields[] = {
        {.key = "goals", .type = YF_STRV, .offset = offsetof(RouteDef, goals), .offset2 = offsetof(RouteDef, n_goals),
         .ref = REF_GOAL},
        {.key = "recipients", .type = YF_STRV, .offset = offsetof(RouteDef, recipients),
         .offset2 = offsetof(RouteDef, n_recipients), .ref = REF_RECIPIENT},
        {.key = "notifiers", .type = YF_STRV, .offset = offsetof(RouteDef, notifiers),
         .offset2 = offsetof(RouteDef, n_notifiers), .ref = REF_NOTIFIER, .required = ALL},
        {.key = "repeat", .type = YF_CUSTOM, .custom = read_repeat},
        {.key = "data_problems", .type = YF_BOOL, .offset = offsetof(RouteDef, data_problems)},
        {.key = "notify_at_risk", .type = YF_BOOL, .offset = offsetof(RouteDef, notify_at_risk)},
        {.key = "send_resolved", .type = YF_BOOL, .offset = offsetof(RouteDef, send_resolved)},
        {.key = "report", .type = YF_CUSTOM, .custom = read_route_report},
};

/* `report: {calendar: "Mon 08:00", format: pdf|html, plan: NAME}` */
static void read_route_report(YamlWalk *w, const char *key, yaml_node_t *v, void *dest)
{
        Ctx *x = w->userdata;
        RouteDef *rt = dest;
        yaml_node_t *calendar = NULL;
        int r;

        if (v->type != YAML_MAPPING_NODE) {
                ctx_error(x, v, "%s: expected a mapping {calendar:, format:, plan:}, got %s", key,
                          yaml_node_describe(v));
                return;
        }
        rt->report_format = 1; /* REPORT_FORMAT_PDF */
        for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
                const char *k = yaml_mapping_key(x->yf, v, p);
                yaml_node_t *val = yaml_file_node(x->yf, p->value);
                const char *s;

                if (!k)
                        continue;
                s = yaml_node_scalar(val);
                if (streq(k, "calendar"))
                        calendar = val;
                else if (streq(k, "format")) {
                        if (s && streq(s, "pdf"))
                                rt->report_format = 1;
                        else if (s && streq(s, "html"))
                                rt->report_format = 0; /* REPORT_FORMAT_HTML */
                        else
                                ctx_error(x, val, "format: expected pdf or html, got %s",
                                          s ? s : yaml_node_describe(val));
                } else if (streq(k, "plan")) {
                        if (!s || !*s)
                                ctx_error(x, val, "plan: expected the name of a plan, got %s", yaml_node_describe(val));
                        else {
                                free(rt->report_plan);
                                if (!(rt->report_plan = strdup(s)))
                                        x->oom = true;
                        }
                } else
                        ctx_error(x, yaml_file_node(x->yf, p->key),
                                  "unknown key '%s' in %s, allowed keys: calendar, format, plan", k, key);
        }
        if (!calendar) {
                ctx_error(x, v, "%s: missing required key 'calendar'", key);
                return;
        }
        {
                const char *s = yaml_node_scalar(calendar);
                Schedule sch = {};

                if (!s) {
                        ctx_error(x, calendar, "calendar: expected a string like \"Mon 08:00\", got %s",
                                  yaml_node_describe(calendar));
                        return;
                }
                r = schedule_parse_calendar(s, &sch);
                if (r == -E2BIG)
                        ctx_error(x, calendar, "calendar: at most %d times of day", SCHEDULE_TIMES_MAX);
                else if (r < 0)
                        ctx_error(x, calendar,
                                  "calendar: bad calendar '%s', expected weekdays and times like \"Mon 08:00\" "
                                  "(Europe/Copenhagen)",
                                  s);
                else {
                        rt->report_calendar = sch;
                        rt->has_report = true;
                }
        }
}

/* `repeat: 2` (a whole number) is every 2 new data periods; `repeat: 30d` (a duration) is by the clock. */
static void read_repeat(YamlWalk *w, const char *key, yaml_node_t *v, void *dest)
{
        RouteDef *r = dest;
        const char *s = yaml_node_scalar(v);
        unsigned long long n;

        if (!s) {
                yaml_file_error(w->file, v, "repeat: expected a number of data periods or a duration, got %s",
                                yaml_node_describe(v));
                return;
        }
        if (*s >= '0' && *s <= '9' && safe_atou64(s, &n) >= 0) {
                if (n > REPEAT_PERIODS_MAX)
                        yaml_file_error(w->file, v, "repeat: at most %u data periods (or give a duration like 30d)",
                                        REPEAT_PERIODS_MAX);
                else
                        r->repeat_periods = (unsigned) n;
                return;
        }
        if (parse_duration(s, &r->repeat_usec) < 0)
                yaml_file_error(w->file, v,
                                "repeat: bad value '%s', expected a number of data periods (e.g. 2) or a duration "
                                "(e.g. 30d)",
                                s);
}

static void parse_route(Ctx *x, yaml_node_t *v)
{
        Config *c = x->c;
        RouteDef *r;
        YamlParsed p;

        if (GREEDY_REALLOC(c->routes, x->n_routes_alloc, c->n_routes + 1) < 0) {
                x->oom = true;
                return;
        }
        r = &c->routes[c->n_routes++];
        *r = (RouteDef){.send_resolved = true, .pos = ctx_node_pos(x, v)};
        yaml_parse_fields(&x->walk, v, "route", route_fields, ELEMENTSOF(route_fields), r, &p);
        if (v->type != YAML_MAPPING_NODE)
                return;
        yaml_fields_check_kind(&x->walk, &p, route_fields, ELEMENTSOF(route_fields), -1, NULL, 0, NULL, -1, NULL, "route",
                               r->pos.line, r->pos.column);
        if (HAS(&p, route_fields, "notifiers") && r->n_notifiers == 0)
                ctx_error(x, VALUE(&p, route_fields, "notifiers"), "notifiers: must name at least one notifier");
}

/* ---- sections ---- */

typedef void (*parse_named_t)(Ctx *x, const char *name, yaml_node_t *key, yaml_node_t *v);

/* A mapping of name -> definition. */
static void parse_named_section(Ctx *x, const char *section, yaml_node_t *v, parse_named_t f)
{
        if (yaml_node_is_null(v))
                return;
        if (v->type != YAML_MAPPING_NODE) {
                ctx_error(x, v, "%s: expected a mapping of name: definition, got %s", section, yaml_node_describe(v));
                return;
        }
        for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
                const char *k = yaml_mapping_key(x->yf, v, p);
                if (!k)
                        continue;
                f(x, k, yaml_file_node(x->yf, p->key), yaml_file_node(x->yf, p->value));
        }
}

static void parse_goals_section(Ctx *x, yaml_node_t *v)
{
        if (yaml_node_is_null(v))
                return;
        if (v->type == YAML_SEQUENCE_NODE) {
                for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++)
                        parse_goal(x, NULL, yaml_file_node(x->yf, *i));
        } else if (v->type == YAML_MAPPING_NODE) {
                for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++)
                        if (yaml_mapping_key(x->yf, v, p))
                                parse_goal(x, yaml_file_node(x->yf, p->key), yaml_file_node(x->yf, p->value));
        } else
                ctx_error(x, v, "goals: expected a list or a mapping of goals, got %s", yaml_node_describe(v));
}

static void parse_routes_section(Ctx *x, yaml_node_t *v)
{
        if (yaml_node_is_null(v))
                return;
        if (v->type != YAML_SEQUENCE_NODE) {
                ctx_error(x, v, "routes: expected a list of routes, got %s", yaml_node_describe(v));
                return;
        }
        for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++)
                parse_route(x, yaml_file_node(x->yf, *i));
}

static const YamlField main_fields[] = {
        {.key = "state_dir", .type = YF_STRING, .offset = offsetof(Config, state_dir)},
        {.key = "language", .type = YF_CHOICE, .offset = offsetof(Config, language), .names = language_table,
         .n_names = ELEMENTSOF(language_table)},
        {.key = "goals_dir", .type = YF_STRING, .offset = offsetof(Config, goals_dir)},
        {.key = "plan", .type = YF_STRING, .offset = offsetof(Config, plan)},
        {.key = "municipality", .type = YF_STRING, .offset = offsetof(Config, municipality)},
        {.key = "templates_dir", .type = YF_STRING, .offset = offsetof(Config, templates_dir)},
        {.key = "metrics_file", .type = YF_STRING, .offset = offsetof(Config, metrics_file)},
        {.key = "evaluations_keep", .type = YF_DURATION, .offset = offsetof(Config, evaluations_keep_usec)},
        {.key = "status_from", .type = YF_ENUM, .offset = offsetof(Config, status_from), .names = goal_status_from_table,
         .n_names = _GOAL_STATUS_FROM_MAX},
        {.key = "probability_at_risk", .type = YF_DOUBLE, .offset = offsetof(Config, probability_at_risk)},
        {.key = "probability_off_track", .type = YF_DOUBLE, .offset = offsetof(Config, probability_off_track)},
        {.key = "probability_recover", .type = YF_DOUBLE, .offset = offsetof(Config, probability_recover)},
        {.key = "sources", .type = YF_SECTION},
        {.key = "series", .type = YF_SECTION},
        {.key = "goals", .type = YF_SECTION},
        {.key = "recipients", .type = YF_SECTION},
        {.key = "notifiers", .type = YF_SECTION},
        {.key = "routes", .type = YF_SECTION},
};

static const YamlField goal_file_fields[] = {
        {.key = "goals", .type = YF_SECTION},
        {.key = "series", .type = YF_SECTION},
};

/* The top level's status_from and thresholds, the defaults of every goal: the same rules as a
 * goal's own keys. Unset thresholds are the built-in ones. */
static void main_goal_defaults(Ctx *x, yaml_node_t *status_from, yaml_node_t *at_risk, yaml_node_t *off_track,
                               yaml_node_t *recover)
{
        Config *c = x->c;

        c->has_status_from = status_from;
        if (!at_risk)
                c->probability_at_risk = 0.8;
        if (!off_track)
                c->probability_off_track = 0.2;
        if (!(c->probability_at_risk > 0 && c->probability_at_risk <= 1))
                ctx_error(x, at_risk, "probability_at_risk: must be above 0 and at most 1");
        else if (!(c->probability_off_track >= 0 && c->probability_off_track < c->probability_at_risk))
                ctx_error(x, off_track ?: at_risk, "probability_off_track: must be at least 0 and below "
                          "probability_at_risk (%g)", c->probability_at_risk);
        else if (!recover)
                c->probability_recover = MIN(c->probability_off_track + PROBABILITY_RECOVER_MARGIN, 1.0);
        else if (!(c->probability_recover > c->probability_off_track && c->probability_recover <= 1))
                ctx_error(x, recover, "probability_recover: must be above probability_off_track (%g) and at most 1: "
                          "leaving off_track needs more than entering it", c->probability_off_track);
}

void config_parse_root(Ctx *x, yaml_node_t *root)
{
        const YamlField *fields = x->main_file ? main_fields : goal_file_fields;
        size_t n = x->main_file ? ELEMENTSOF(main_fields) : ELEMENTSOF(goal_file_fields);
        yaml_node_t *v;
        YamlParsed p;

        if (!root || yaml_node_is_null(root))
                return; /* an empty file: everything defaults */
        yaml_parse_fields(&x->walk, root, x->main_file ? "the main configuration" : "a goal file", fields, n, x->c, &p);
        if (root->type != YAML_MAPPING_NODE)
                return;

#define SECTION(key) (yaml_parsed_has(&p, fields, n, key) ? yaml_parsed_value(&p, fields, n, key) : NULL)
        /* The goals' defaults before any goal is read. */
        if (x->main_file)
                main_goal_defaults(x, SECTION("status_from"), SECTION("probability_at_risk"),
                                   SECTION("probability_off_track"), SECTION("probability_recover"));
        /* Sources first, whatever the order in the file: series check their source's kind. */
        if (x->main_file && (v = SECTION("sources")))
                parse_named_section(x, "sources", v, parse_source);
        if ((v = SECTION("series")))
                parse_named_section(x, "series", v, parse_series);
        if ((v = SECTION("goals")))
                parse_goals_section(x, v);
        if (x->main_file) {
                if ((v = SECTION("recipients")))
                        parse_named_section(x, "recipients", v, parse_recipient);
                if ((v = SECTION("notifiers")))
                        parse_named_section(x, "notifiers", v, parse_notifier);
                if ((v = SECTION("routes")))
                        parse_routes_section(x, v);
                if (x->c->state_dir && x->c->state_dir[0] != '/')
                        ctx_error(x, SECTION("state_dir"), "state_dir: must be an absolute path");
                if (x->c->metrics_file && x->c->metrics_file[0] != '/')
                        ctx_error(x, SECTION("metrics_file"), "metrics_file: must be an absolute path");
                if (!SECTION("evaluations_keep"))
                        x->c->evaluations_keep_usec = EVALUATIONS_KEEP_DEFAULT_USEC;
                else if (x->c->evaluations_keep_usec < USEC_PER_DAY)
                        ctx_error(x, SECTION("evaluations_keep"),
                                  "evaluations_keep: must be at least 1d (every goal's latest evaluation and "
                                  "those behind a notice are kept anyway)");
        }
#undef SECTION
}

static void read_schedule(YamlWalk *w, const char *key, yaml_node_t *v, void *dest)
{
        Ctx *x = w->userdata;
        Schedule *ret = &((SourceDef *) dest)->schedule;
        const char *s;
        int r;

        if (v->type == YAML_SCALAR_NODE && (s = yaml_node_scalar(v))) {
                /* Shorthand: "6h" is {interval: 6h}, "Mon..Fri 08:30" is {calendar: ...}. */
                uint64_t u;
                if (parse_duration(s, &u) >= 0) {
                        if (u < USEC_PER_MINUTE) {
                                ctx_error(x, v, "%s: interval must be at least 1min", key);
                                return;
                        }
                        *ret = (Schedule){.kind = SCHEDULE_INTERVAL, .interval_usec = u};
                        return;
                }
                r = schedule_parse_calendar(s, ret);
                if (r < 0)
                        ctx_error(x, v,
                                  "%s: bad schedule '%s', expected an interval like 6h or a calendar like "
                                  "\"Mon..Fri 08:30,13:00\"",
                                  key, s);
                return;
        }
        if (v->type != YAML_MAPPING_NODE) {
                ctx_error(x, v, "%s: expected a mapping {interval:, jitter:} or {calendar:}, got %s", key,
                          yaml_node_describe(v));
                return;
        }

        {
                yaml_node_t *interval = NULL, *jitter = NULL, *calendar = NULL;
                Schedule sch = {};
                uint64_t jitter_usec = 0;

                for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
                        const char *k = yaml_mapping_key(x->yf, v, p);
                        yaml_node_t *val = yaml_file_node(x->yf, p->value);

                        if (!k)
                                continue;
                        if (streq(k, "interval"))
                                interval = val;
                        else if (streq(k, "jitter"))
                                jitter = val;
                        else if (streq(k, "calendar"))
                                calendar = val;
                        else
                                ctx_error(x, yaml_file_node(x->yf, p->key),
                                          "unknown key '%s' in %s, allowed keys: interval, jitter, calendar",
                                          k, key);
                }
                if (interval && calendar) {
                        ctx_error(x, calendar, "%s: give either 'interval' or 'calendar', not both", key);
                        return;
                }
                if (!interval && !calendar) {
                        ctx_error(x, v, "%s: missing required key 'interval' or 'calendar'", key);
                        return;
                }
                if (jitter) {
                        s = yaml_node_scalar(jitter);
                        if (!s) {
                                ctx_error(x, jitter, "jitter: expected a duration, got %s",
                                          yaml_node_describe(jitter));
                                return;
                        }
                        if (parse_duration(s, &jitter_usec) < 0) {
                                ctx_error(x, jitter,
                                          "jitter: bad duration '%s', expected e.g. 30s, 10min, 6h, 14d", s);
                                return;
                        }
                }
                if (interval) {
                        s = yaml_node_scalar(interval);
                        if (!s) {
                                ctx_error(x, interval, "interval: expected a duration, got %s",
                                          yaml_node_describe(interval));
                                return;
                        }
                        if (parse_duration(s, &sch.interval_usec) < 0) {
                                ctx_error(x, interval,
                                          "interval: bad duration '%s', expected e.g. 30s, 10min, 6h, 14d",
                                          s);
                                return;
                        }
                        if (sch.interval_usec < USEC_PER_MINUTE) {
                                ctx_error(x, interval, "interval: must be at least 1min");
                                return;
                        }
                        if (jitter_usec >= sch.interval_usec) {
                                ctx_error(x, jitter, "jitter: must be shorter than the interval");
                                return;
                        }
                        sch.kind = SCHEDULE_INTERVAL;
                } else {
                        s = yaml_node_scalar(calendar);
                        if (!s) {
                                ctx_error(x, calendar,
                                          "calendar: expected a string like \"Mon..Fri 08:30\", got %s",
                                          yaml_node_describe(calendar));
                                return;
                        }
                        r = schedule_parse_calendar(s, &sch);
                        if (r == -E2BIG) {
                                ctx_error(x, calendar, "calendar: at most %d times of day",
                                          SCHEDULE_TIMES_MAX);
                                return;
                        }
                        if (r < 0) {
                                ctx_error(x, calendar,
                                          "calendar: bad calendar '%s', expected weekdays and times like "
                                          "\"Mon..Fri 08:30,13:00\"",
                                          s);
                                return;
                        }
                }
                sch.jitter_usec = jitter_usec;
                *ret = sch;
        }
}
