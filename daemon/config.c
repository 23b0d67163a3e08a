/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The configuration: libyaml's document API -> an immutable Config.
 *
 * Every file is loaded as one YAML document and walked with small field tables (key, type, where in
 * the struct it goes). Nothing stops at the first problem: each error is appended to ConfigErrors
 * with the FILE:LINE:COL that libyaml recorded for the node, and parsing carries on with the next key,
 * the next definition, the next file. References between definitions (goal -> series, route ->
 * notifier, ...) are collected while parsing and checked once every file has been read, because a
 * goal file may use a series defined in a later goal file. At the end the errors are sorted by file
 * (in reading order), line and column, so the report reads like the files.
 *
 * This module never logs: it runs on the daemon's reload path, whose caller decides what to say. */
#include <assert.h>
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <yaml.h>

#include "labourwatch/config.h"
#include "labourwatch/hashmap.h"
#include "labourwatch/macro.h"

#define SECRET_FILE_MAX (64U * 1024U)

#define DEFAULT_STATE_DIR "/var/lib/labourwatch"
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
#define DEFAULT_PLAN "Beskæftigelsesplan"
#define DEFAULT_RETRY_MAX_USEC (1 * USEC_PER_HOUR)
#define DEFAULT_GIVE_UP_AFTER_USEC (3 * USEC_PER_DAY)
#define ALERT_FOR_MAX 120U      /* `for:` in data periods: ten years of months */
#define REPEAT_PERIODS_MAX 120U /* `repeat:` as an integer */

/* ---- enum tables ---- */

static const char *const source_kind_table[_SOURCE_KIND_MAX] = {
        [SOURCE_STATBANK] = "statbank",
        [SOURCE_JOBINDSATS] = "jobindsats",
        [SOURCE_CSV] = "csv",
        [SOURCE_JSONSTAT] = "jsonstat",
        [SOURCE_PXWEB] = "pxweb",
};
static const char *const goal_kind_table[_GOAL_KIND_MAX] = {
        [GOAL_LEVEL] = "level",         [GOAL_CHANGE] = "change", [GOAL_SHARE] = "share",
        [GOAL_REFERENCE] = "reference", [GOAL_RANK] = "rank",     [GOAL_CUMULATIVE] = "cumulative",
};
static const char *const goal_direction_table[_GOAL_DIRECTION_MAX] = {
        [GOAL_AT_LEAST] = "at_least",
        [GOAL_AT_MOST] = "at_most",
};
static const char *const goal_aggregate_table[_GOAL_AGGREGATE_MAX] = {
        [GOAL_AGGREGATE_AVERAGE] = "average",
        [GOAL_AGGREGATE_LATEST] = "latest",
        [GOAL_AGGREGATE_SUM] = "sum",
};
static const char *const change_unit_table[_CHANGE_UNIT_MAX] = {
        [CHANGE_PERCENT] = "percent",
        [CHANGE_POINTS] = "points",
        [CHANGE_ABSOLUTE] = "absolute",
};
static const char *const projection_method_table[_PROJECTION_METHOD_MAX] = {
        [PROJECTION_AUTO] = "auto",
        [PROJECTION_LINEAR] = "linear",
        [PROJECTION_SEASONAL] = "seasonal",
        [PROJECTION_NONE] = "none",
};
static const char *const notifier_kind_table[_NOTIFIER_KIND_MAX] = {
        [NOTIFIER_SMTP] = "smtp",
        [NOTIFIER_WEBHOOK] = "webhook",
        [NOTIFIER_DIRECTORY] = "directory",
        [NOTIFIER_ALERTMANAGER] = "alertmanager",
};
static const char *const webhook_format_table[_WEBHOOK_FORMAT_MAX] = {
        [WEBHOOK_GENERIC] = "generic",
        [WEBHOOK_TEAMS] = "teams",
};
static const char *const encoding_table[] = {"auto", "utf-8", "windows-1252"};
/* Same order as PeriodFreq. */
static const char *const freq_table[_PERIOD_FREQ_MAX] = {
        [PERIOD_YEAR] = "year",   [PERIOD_HALF] = "half", [PERIOD_QUARTER] = "quarter",
        [PERIOD_MONTH] = "month", [PERIOD_QMAT] = "qmat",
};
static const char *const language_table[] = {"da", "en"};

static const char *table_to_string(const char *const *table, size_t n, int i)
{
        if (i < 0 || (size_t) i >= n)
                return NULL;
        return table[i];
}

static int table_from_string(const char *const *table, size_t n, const char *s)
{
        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (table[i] && streq(table[i], s))
                        return (int) i;
        return -EINVAL;
}

#define DEFINE_STRING_TABLE(name, type, table)                                                              \
        const char *name##_to_string(type v)                                                                \
        {                                                                                                   \
                return table_to_string(table, ELEMENTSOF(table), (int) v);                                  \
        }                                                                                                   \
        type name##_from_string(const char *s)                                                              \
        {                                                                                                   \
                return (type) table_from_string(table, ELEMENTSOF(table), s);                               \
        }

DEFINE_STRING_TABLE(source_kind, SourceKind, source_kind_table)
DEFINE_STRING_TABLE(goal_kind, GoalKind, goal_kind_table)
DEFINE_STRING_TABLE(goal_direction, GoalDirection, goal_direction_table)
DEFINE_STRING_TABLE(goal_aggregate, GoalAggregate, goal_aggregate_table)
DEFINE_STRING_TABLE(change_unit, ChangeUnit, change_unit_table)
DEFINE_STRING_TABLE(projection_method, ProjectionMethod, projection_method_table)
DEFINE_STRING_TABLE(notifier_kind, NotifierKind, notifier_kind_table)
DEFINE_STRING_TABLE(webhook_format, WebhookFormat, webhook_format_table)

/* ---- freeing ---- */

static void config_index_free(struct ConfigIndex *ix);

static void secret_ref_done(SecretRef *s)
{
        free(s->file);
        free(s->credential);
}

static void strv_free_n(char **v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

static void source_def_done(SourceDef *s)
{
        free(s->name);
        free(s->base_url);
        secret_ref_done(&s->token);
        free(s->ca_file);
        free(s->lang);
        free(s->encoding);
}

static void series_def_done(SeriesDef *s)
{
        free(s->name);
        free(s->source);
        free(s->table);
        free(s->measure);
        free(s->column);
        free(s->path);
        for (size_t i = 0; i < s->n_select; i++) {
                free(s->select[i].dimension);
                free(s->select[i].value);
        }
        free(s->select);
        free(s->expr);
        free(s->unit_da);
        free(s->unit_en);
        free(s->label_da);
        free(s->label_en);
        free(s->dataset);
        free(s->time_format);
}

static void goal_def_done(GoalDef *g)
{
        free(g->id);
        free(g->title_da);
        free(g->title_en);
        free(g->series);
        free(g->numerator);
        free(g->denominator);
        free(g->reference);
        strv_free_n(g->recipients, g->n_recipients);
        free(g->plan);
}

static void recipient_def_done(RecipientDef *r)
{
        free(r->name);
        free(r->display_name);
        free(r->email);
        free(r->language);
}

static void notifier_def_done(NotifierDef *n)
{
        free(n->name);
        free(n->url);
        free(n->from);
        secret_ref_done(&n->username);
        secret_ref_done(&n->password);
        secret_ref_done(&n->secret);
        free(n->directory);
        free(n->ca_file);
}

static void route_def_done(RouteDef *r)
{
        strv_free_n(r->goals, r->n_goals);
        strv_free_n(r->recipients, r->n_recipients);
        strv_free_n(r->notifiers, r->n_notifiers);
}

Config *config_free(Config *c)
{
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n_sources; i++)
                source_def_done(&c->sources[i]);
        free(c->sources);
        for (size_t i = 0; i < c->n_series; i++)
                series_def_done(&c->series[i]);
        free(c->series);
        for (size_t i = 0; i < c->n_goals; i++)
                goal_def_done(&c->goals[i]);
        free(c->goals);
        for (size_t i = 0; i < c->n_recipients; i++)
                recipient_def_done(&c->recipients[i]);
        free(c->recipients);
        for (size_t i = 0; i < c->n_notifiers; i++)
                notifier_def_done(&c->notifiers[i]);
        free(c->notifiers);
        for (size_t i = 0; i < c->n_routes; i++)
                route_def_done(&c->routes[i]);
        free(c->routes);
        free(c->state_dir);
        free(c->language);
        free(c->goals_dir);
        free(c->plan);
        free(c->municipality);
        free(c->templates_dir);
        free(c->metrics_file);
        strv_free_n(c->files, c->n_files);
        config_index_free(c->index);
        free(c);
        return NULL;
}

static void config_freep(Config **c)
{
        config_free(*c);
}

void config_errors_done(ConfigErrors *e)
{
        if (!e)
                return;
        for (size_t i = 0; i < e->n_items; i++) {
                free(e->items[i].file);
                free(e->items[i].message);
        }
        free(e->items);
        *e = (ConfigErrors){};
}

char *config_error_to_string(const ConfigError *e)
{
        if (!e)
                return NULL;
        if (e->line == 0)
                return strdup_printf("%s: %s", strna(e->file), strna(e->message));
        return strdup_printf("%s:%u:%u: %s", strna(e->file), e->line, e->column, strna(e->message));
}

/* ---- lookups ---- */

struct ConfigIndex {
        Hashmap *sources, *series, *goals, *recipients, *notifiers;
};

static void config_index_free(struct ConfigIndex *ix)
{
        if (!ix)
                return;
        hashmap_free(ix->sources);
        hashmap_free(ix->series);
        hashmap_free(ix->goals);
        hashmap_free(ix->recipients);
        hashmap_free(ix->notifiers);
        free(ix);
}

static int index_add(Hashmap **h, size_t n, const void *items, size_t size, size_t name_offset)
{
        int r = hashmap_new(n, h);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                const char *item = (const char *) items + i * size;
                const char *name = *(char *const *) (item + name_offset);
                if (name && hashmap_put(*h, name, (void *) item, NULL) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* Builds the name index once the arrays are final. Returns 0 or -ENOMEM. */
static int config_build_index(Config *c)
{
        struct ConfigIndex *ix = calloc(1, sizeof(struct ConfigIndex));

        if (!ix)
                return -ENOMEM;
        config_index_free(c->index);
        c->index = ix;
        if (index_add(&ix->sources, c->n_sources, c->sources, sizeof(SourceDef), offsetof(SourceDef, name)) < 0 ||
            index_add(&ix->series, c->n_series, c->series, sizeof(SeriesDef), offsetof(SeriesDef, name)) < 0 ||
            index_add(&ix->goals, c->n_goals, c->goals, sizeof(GoalDef), offsetof(GoalDef, id)) < 0 ||
            index_add(&ix->recipients, c->n_recipients, c->recipients, sizeof(RecipientDef),
                      offsetof(RecipientDef, name)) < 0 ||
            index_add(&ix->notifiers, c->n_notifiers, c->notifiers, sizeof(NotifierDef),
                      offsetof(NotifierDef, name)) < 0) {
                config_index_free(TAKE_PTR(c->index));
                return -ENOMEM;
        }
        return 0;
}

const SourceDef *config_find_source(const Config *c, const char *name)
{
        if (!c || !name)
                return NULL;
        if (c->index)
                return hashmap_get(c->index->sources, name);
        for (size_t i = 0; i < c->n_sources; i++)
                if (streq(c->sources[i].name, name))
                        return &c->sources[i];
        return NULL;
}

const SeriesDef *config_find_series(const Config *c, const char *name)
{
        if (!c || !name)
                return NULL;
        if (c->index)
                return hashmap_get(c->index->series, name);
        for (size_t i = 0; i < c->n_series; i++)
                if (streq(c->series[i].name, name))
                        return &c->series[i];
        return NULL;
}

const GoalDef *config_find_goal(const Config *c, const char *id)
{
        if (!c || !id)
                return NULL;
        if (c->index)
                return hashmap_get(c->index->goals, id);
        for (size_t i = 0; i < c->n_goals; i++)
                if (streq(c->goals[i].id, id))
                        return &c->goals[i];
        return NULL;
}

const RecipientDef *config_find_recipient(const Config *c, const char *name)
{
        if (!c || !name)
                return NULL;
        if (c->index)
                return hashmap_get(c->index->recipients, name);
        for (size_t i = 0; i < c->n_recipients; i++)
                if (streq(c->recipients[i].name, name))
                        return &c->recipients[i];
        return NULL;
}

const NotifierDef *config_find_notifier(const Config *c, const char *name)
{
        if (!c || !name)
                return NULL;
        if (c->index)
                return hashmap_get(c->index->notifiers, name);
        for (size_t i = 0; i < c->n_notifiers; i++)
                if (streq(c->notifiers[i].name, name))
                        return &c->notifiers[i];
        return NULL;
}

/* ---- secrets ---- */

static bool credential_name_is_valid(const char *s)
{
        return s && *s && !strchr(s, '/') && !streq(s, ".") && !streq(s, "..");
}

int secret_read(const SecretRef *ref, char **ret)
{
        _cleanup_free_ char *path = NULL;
        char *buf = NULL;
        size_t size = 0;
        const char *p;
        int r;

        assert(ret);
        if (!ref)
                return -ENOENT;
        if (ref->file && *ref->file)
                p = ref->file;
        else if (ref->credential && *ref->credential) {
                const char *dir;

                /* A credential name is a file name inside $CREDENTIALS_DIRECTORY, never a path. */
                if (!credential_name_is_valid(ref->credential))
                        return -EINVAL;
                dir = getenv("CREDENTIALS_DIRECTORY");
                if (!dir || !*dir)
                        return -ENXIO;
                path = strdup_printf("%s/%s", dir, ref->credential);
                if (!path)
                        return -ENOMEM;
                p = path;
        } else
                return -ENOENT;

        r = read_full_file(p, SECRET_FILE_MAX, &buf, &size);
        if (r < 0)
                return r;
        if (memchr(buf, 0, size)) {
                explicit_bzero(buf, size);
                free(buf);
                return -EBADMSG;
        }
        if (size > 0 && buf[size - 1] == '\n')
                buf[--size] = 0;
        *ret = buf;
        return 0;
}

/* ---- value parsers (pure string -> value) ---- */

/* "30s", "10min", "6h", "14d", "2w", "1h30m", "0". */
static int parse_duration(const char *s, uint64_t *ret)
{
        static const struct {
                const char *suffix;
                uint64_t usec;
        } units[] = {
                {"seconds", USEC_PER_SEC},  {"second", USEC_PER_SEC},     {"sec", USEC_PER_SEC},
                {"s", USEC_PER_SEC},        {"minutes", USEC_PER_MINUTE}, {"minute", USEC_PER_MINUTE},
                {"min", USEC_PER_MINUTE},   {"m", USEC_PER_MINUTE},       {"hours", USEC_PER_HOUR},
                {"hour", USEC_PER_HOUR},    {"h", USEC_PER_HOUR},         {"days", USEC_PER_DAY},
                {"day", USEC_PER_DAY},      {"d", USEC_PER_DAY},          {"weeks", 7 * USEC_PER_DAY},
                {"week", 7 * USEC_PER_DAY}, {"w", 7 * USEC_PER_DAY},
        };
        uint64_t total = 0;
        const char *p = s;

        if (!s || !*s)
                return -EINVAL;
        if (streq(s, "0")) {
                *ret = 0;
                return 0;
        }
        while (*p) {
                unsigned long long n = 0;
                bool matched = false;

                while (*p == ' ')
                        p++;
                if (!*p)
                        break;
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                while (*p >= '0' && *p <= '9') {
                        if (n > (ULLONG_MAX - 9) / 10)
                                return -ERANGE;
                        n = n * 10 + (unsigned long long) (*p - '0');
                        p++;
                }
                while (*p == ' ')
                        p++;
                for (size_t i = 0; i < ELEMENTSOF(units); i++) {
                        size_t l = strlen(units[i].suffix);
                        if (strneq(p, units[i].suffix, l) &&
                            !((p[l] >= 'a' && p[l] <= 'z') || (p[l] >= 'A' && p[l] <= 'Z'))) {
                                if (n > UINT64_MAX / units[i].usec || total > UINT64_MAX - n * units[i].usec)
                                        return -ERANGE;
                                total += n * units[i].usec;
                                p += l;
                                matched = true;
                                break;
                        }
                }
                if (!matched)
                        return -EINVAL;
        }
        *ret = total;
        return 0;
}

/* Bytes, or a number with B, K/KiB, M/MiB, G/GiB (powers of 1024) or KB, MB, GB (powers of 1000). */
static int parse_size(const char *s, uint64_t *ret)
{
        static const struct {
                const char *suffix;
                uint64_t factor;
        } units[] = {
                {"", 1},
                {"B", 1},
                {"K", UINT64_C(1) << 10},
                {"KiB", UINT64_C(1) << 10},
                {"M", UINT64_C(1) << 20},
                {"MiB", UINT64_C(1) << 20},
                {"G", UINT64_C(1) << 30},
                {"GiB", UINT64_C(1) << 30},
                {"KB", UINT64_C(1000)},
                {"MB", UINT64_C(1000000)},
                {"GB", UINT64_C(1000000000)},
        };
        unsigned long long n = 0;
        const char *p = s;

        if (!s || *p < '0' || *p > '9')
                return -EINVAL;
        while (*p >= '0' && *p <= '9') {
                if (n > (ULLONG_MAX - 9) / 10)
                        return -ERANGE;
                n = n * 10 + (unsigned long long) (*p - '0');
                p++;
        }
        while (*p == ' ')
                p++;
        for (size_t i = 0; i < ELEMENTSOF(units); i++)
                if (streq(p, units[i].suffix)) {
                        if (n > UINT64_MAX / units[i].factor)
                                return -ERANGE;
                        *ret = n * units[i].factor;
                        return 0;
                }
        return -EINVAL;
}

static int parse_weekday(const char *s, size_t n)
{
        static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
        if (n != 3)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(days); i++)
                if (strncasecmp(s, days[i], 3) == 0)
                        return (int) i;
        return -EINVAL;
}

static int cmp_unsigned(const void *a, const void *b)
{
        unsigned x = *(const unsigned *) a, y = *(const unsigned *) b;
        return x < y ? -1 : x > y;
}

/* "Mon..Fri 08:30", "Mon,Wed 08:30,13:00", "daily 06:00", "06:00" (every day). Times are local time
 * (Europe/Copenhagen); the schedule module does the arithmetic. */
static int parse_calendar(const char *s, Schedule *ret)
{
        Schedule sch = {.kind = SCHEDULE_CALENDAR};
        const char *p = s, *sp;

        if (!s)
                return -EINVAL;
        while (*p == ' ')
                p++;
        sp = strchr(p, ' ');
        if (sp) {
                /* weekday part */
                const char *w = p;
                if ((size_t) (sp - p) == 5 && strncasecmp(p, "daily", 5) == 0)
                        sch.weekdays = 0x7f;
                else
                        while (w < sp) {
                                const char *comma = memchr(w, ',', (size_t) (sp - w));
                                const char *end = comma ? comma : sp;
                                const char *dots = NULL;
                                int a, b;

                                for (const char *q = w; q + 1 < end; q++)
                                        if (q[0] == '.' && q[1] == '.') {
                                                dots = q;
                                                break;
                                        }
                                if (dots) {
                                        a = parse_weekday(w, (size_t) (dots - w));
                                        b = parse_weekday(dots + 2, (size_t) (end - dots - 2));
                                        if (a < 0 || b < 0 || b < a)
                                                return -EINVAL;
                                } else {
                                        a = b = parse_weekday(w, (size_t) (end - w));
                                        if (a < 0)
                                                return -EINVAL;
                                }
                                for (int d = a; d <= b; d++)
                                        sch.weekdays |= 1U << d;
                                w = comma ? comma + 1 : end;
                                if (comma && w == sp)
                                        return -EINVAL;
                        }
                p = sp;
                while (*p == ' ')
                        p++;
        } else
                sch.weekdays = 0x7f;

        if (!*p)
                return -EINVAL;
        while (*p) {
                unsigned h, m;

                if (!(p[0] >= '0' && p[0] <= '9'))
                        return -EINVAL;
                h = (unsigned) (p[0] - '0');
                p++;
                if (*p >= '0' && *p <= '9')
                        h = h * 10 + (unsigned) (*p++ - '0');
                if (*p != ':' || !(p[1] >= '0' && p[1] <= '9') || !(p[2] >= '0' && p[2] <= '9'))
                        return -EINVAL;
                m = (unsigned) (p[1] - '0') * 10 + (unsigned) (p[2] - '0');
                p += 3;
                if (h > 23 || m > 59)
                        return -EINVAL;
                if (sch.n_times >= SCHEDULE_TIMES_MAX)
                        return -E2BIG;
                sch.times_min[sch.n_times++] = h * 60 + m;
                while (*p == ' ')
                        p++;
                if (*p == ',') {
                        p++;
                        while (*p == ' ')
                                p++;
                        if (!*p)
                                return -EINVAL;
                } else if (*p)
                        return -EINVAL;
        }
        qsort(sch.times_min, sch.n_times, sizeof(unsigned), cmp_unsigned);
        /* drop duplicates */
        {
                size_t k = 0;
                for (size_t i = 0; i < sch.n_times; i++)
                        if (k == 0 || sch.times_min[k - 1] != sch.times_min[i])
                                sch.times_min[k++] = sch.times_min[i];
                sch.n_times = k;
        }
        *ret = sch;
        return 0;
}

static bool name_is_identifier(const char *s)
{
        if (!s || !*s || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      *p == '_'))
                        return false;
        return true;
}

static bool name_is_valid_id(const char *s)
{
        if (!s || !*s || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      *p == '_' || *p == '-' || *p == '.'))
                        return false;
        return true;
}

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

/* ---- the parsing context ---- */

typedef enum RefKind {
        REF_NONE,
        REF_SOURCE, /* checked immediately: sources are parsed before everything else */
        REF_SERIES,
        REF_RECIPIENT,
        REF_NOTIFIER,
} RefKind;

typedef struct Ref {
        RefKind kind;
        char *name;
        ConfigPos pos;
} Ref;

typedef struct Ctx {
        Config *c;
        ConfigErrors *errors;
        bool oom;

        /* the file being read */
        const char *file; /* points into c->files */
        const char *buf;
        yaml_document_t *doc;
        bool main_file;

        size_t n_files_alloc, n_sources_alloc, n_series_alloc, n_goals_alloc, n_recipients_alloc,
                n_notifiers_alloc, n_routes_alloc;

        Ref *refs;
        size_t n_refs, n_refs_alloc;

        /* Names defined so far -> index + 1 in the Config's arrays (the arrays still grow while
         * parsing, so pointers would not stay valid): duplicates and references in O(1). */
        Hashmap *source_names, *series_names, *goal_ids;

        /* Duplicate keys, found once per mapping (see mapping_key): map_offset[node index] is where
         * the mapping's pairs start in pair_first, SIZE_MAX until the mapping is analysed;
         * pair_first[...] is 1 + the index of the first pair with the same key, or 0. */
        size_t *map_offset;
        size_t n_map_offset;
        uint32_t *pair_first;
        size_t n_pair_first, n_pair_first_alloc;

        size_t first_error, n_suppressed; /* errors past CONFIG_ERRORS_MAX are counted only */
        bool uncapped;

        /* A file could not be read or parsed: what it defines is unknown, so references to it
         * are not reported as undefined (that would bury the real error under false ones). */
        bool main_broken, some_broken;
} Ctx;

static void ctx_error_at(Ctx *x, const char *file, unsigned line, unsigned column, const char *fmt, ...)
        _printf_(5, 6);
static void ctx_error_at(Ctx *x, const char *file, unsigned line, unsigned column, const char *fmt, ...)
{
        ConfigErrors *e = x->errors;
        char *msg = NULL, *f;
        va_list ap;

        if (!x->uncapped && e->n_items - x->first_error >= CONFIG_ERRORS_MAX) {
                x->n_suppressed++;
                return;
        }
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        f = strdup(strempty(file));
        if (!msg || !f || GREEDY_REALLOC(e->items, e->n_alloc, e->n_items + 1) < 0) {
                free(msg);
                free(f);
                x->oom = true;
                return;
        }
        e->items[e->n_items++] = (ConfigError){
                .file = f,
                .line = line,
                .column = column,
                .message = msg,
        };
}

/* Remembers name -> index (the first definition wins). The key is the definition's own copy of the
 * name, which does not move when the array of definitions grows. */
static void ctx_name_add(Ctx *x, Hashmap **h, const char *name, size_t index)
{
        if (!name)
                return;
        if (!*h && hashmap_new(0, h) < 0) {
                x->oom = true;
                return;
        }
        if (hashmap_put(*h, name, (void *) (uintptr_t) (index + 1), NULL) < 0)
                x->oom = true;
}

/* The index of the first definition called name, or -1. */
static ssize_t ctx_name_find(const Hashmap *h, const char *name)
{
        uintptr_t v = (uintptr_t) hashmap_get(h, name);
        return v ? (ssize_t) (v - 1) : -1;
}

#define ctx_error(x, node, ...)                                                                             \
        ctx_error_at((x), (x)->file, (unsigned) (node)->start_mark.line + 1,                                \
                     (unsigned) (node)->start_mark.column + 1, __VA_ARGS__)
#define ctx_error_pos(x, pos, ...) ctx_error_at((x), (pos).file, (pos).line, (pos).column, __VA_ARGS__)

static ConfigPos node_pos(Ctx *x, const yaml_node_t *n)
{
        return (ConfigPos){
                .file = x->file,
                .line = (unsigned) n->start_mark.line + 1,
                .column = (unsigned) n->start_mark.column + 1,
        };
}

static yaml_node_t *node_get(Ctx *x, int index)
{
        return yaml_document_get_node(x->doc, index);
}

static bool node_is_null(const yaml_node_t *n)
{
        const char *v;

        if (!n || n->type == YAML_NO_NODE)
                return true;
        if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
                return false;
        v = (const char *) n->data.scalar.value;
        return streq(v, "") || streq(v, "~") || streq(v, "null") || streq(v, "Null") || streq(v, "NULL");
}

static const char *node_describe(const yaml_node_t *n)
{
        if (node_is_null(n))
                return "nothing (null)";
        switch (n->type) {
        case YAML_MAPPING_NODE:
                return "a mapping";
        case YAML_SEQUENCE_NODE:
                return "a list";
        default:
                return "a scalar";
        }
}

static const char *node_scalar(const yaml_node_t *n)
{
        if (!n || n->type != YAML_SCALAR_NODE || node_is_null(n))
                return NULL;
        return (const char *) n->data.scalar.value;
}

/* Formats the allowed keys of a table: "kind, base_url, ...". */
typedef enum FieldType {
        F_STRING,
        F_CHOICE, /* char*, one of names[] */
        F_ENUM,   /* int, index into names[] */
        F_INT,
        F_UINT,   /* unsigned, a non-negative decimal integer */
        F_DOUBLE,
        F_BOOL,
        F_DURATION,
        F_SIZE,
        F_PERIOD,
        F_SCHEDULE,
        F_STRV,    /* char ** at offset, size_t count at offset2; a scalar is a one-item list */
        F_TEXT,    /* "text" or {da: ..., en: ...}: char *da at offset, char *en at offset2 */
        F_EXPR,    /* char * at offset, ConfigPos at offset2 */
        F_SELECT,  /* SelectionItem * at offset, size_t at offset2 */
        F_SECTION, /* top level: handled by the caller */
        F_CUSTOM,  /* handled by the caller after the walk (p->value[i]) */
} FieldType;

typedef struct Field {
        const char *key;
        FieldType type;
        size_t offset, offset2;
        const char *const *names;
        size_t n_names;
        RefKind ref;
} Field;

#define FIELDS_MAX 32
typedef struct Parsed {
        uint64_t seen;
        yaml_node_t *key[FIELDS_MAX];
        yaml_node_t *value[FIELDS_MAX];
} Parsed;

static char *join_keys(const Field *fields, size_t n)
{
        size_t len = 1;
        char *s, *p;

        for (size_t i = 0; i < n; i++)
                len += strlen(fields[i].key) + 2;
        s = malloc(len);
        if (!s)
                return NULL;
        p = s;
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        p = stpcpy(p, ", ");
                p = stpcpy(p, fields[i].key);
        }
        *p = 0;
        return s;
}

static char *join_names(const char *const *names, size_t n)
{
        size_t len = 1;
        char *s, *p;

        for (size_t i = 0; i < n; i++)
                len += strlen(names[i]) + 2;
        s = malloc(len);
        if (!s)
                return NULL;
        p = s;
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        p = stpcpy(p, ", ");
                p = stpcpy(p, names[i]);
        }
        *p = 0;
        return s;
}

/* Levenshtein distance, capped: enough to suggest "language" for "languag". */
static size_t edit_distance(const char *a, const char *b)
{
        size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];

        if (la >= ELEMENTSOF(prev) || lb >= ELEMENTSOF(prev))
                return SIZE_MAX;
        for (size_t j = 0; j <= lb; j++)
                prev[j] = j;
        for (size_t i = 1; i <= la; i++) {
                cur[0] = i;
                for (size_t j = 1; j <= lb; j++) {
                        size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
                        cur[j] = MIN(MIN(prev[j] + 1, cur[j - 1] + 1), sub);
                }
                memcpy(prev, cur, sizeof(size_t) * (lb + 1));
        }
        return prev[lb];
}

/* The allowed key closest to a misspelt one, if it is close enough to be a typo. */
static const char *field_suggest(const Field *fields, size_t n, const char *key)
{
        const char *best = NULL;
        size_t best_d = SIZE_MAX;

        for (size_t i = 0; i < n; i++) {
                size_t d = edit_distance(key, fields[i].key);
                if (d < best_d) {
                        best_d = d;
                        best = fields[i].key;
                }
        }
        return best_d <= 2 && best_d < strlen(key) ? best : NULL;
}

static int field_index(const Field *fields, size_t n, const char *key)
{
        for (size_t i = 0; i < n; i++)
                if (streq(fields[i].key, key))
                        return (int) i;
        return -1;
}

static bool parsed_has(const Parsed *p, const Field *fields, size_t n, const char *key)
{
        int i = field_index(fields, n, key);
        assert(i >= 0);
        return p->seen & (UINT64_C(1) << i);
}

static yaml_node_t *parsed_key(const Parsed *p, const Field *fields, size_t n, const char *key)
{
        int i = field_index(fields, n, key);
        assert(i >= 0);
        return p->key[i];
}

static void ctx_add_ref(Ctx *x, RefKind kind, const char *name, const yaml_node_t *n)
{
        char *s;

        if (kind == REF_NONE)
                return;
        s = strdup(name);
        if (!s || GREEDY_REALLOC(x->refs, x->n_refs_alloc, x->n_refs + 1) < 0) {
                free(s);
                x->oom = true;
                return;
        }
        x->refs[x->n_refs++] = (Ref){.kind = kind, .name = s, .pos = node_pos(x, n)};
}

/* Finds, for every pair of a mapping, the first earlier pair with the same scalar key, once per
 * mapping, through a hash of the keys: linear in the number of pairs however often the mapping's
 * keys are asked for. Returns 0 or -ENOMEM. */
static int mapping_analyse(Ctx *x, yaml_node_t *map, size_t mi)
{
        size_t n = (size_t) (map->data.mapping.pairs.top - map->data.mapping.pairs.start), base = x->n_pair_first;
        _cleanup_(hashmap_freep) Hashmap *h = NULL;

        if (n >= UINT32_MAX || GREEDY_REALLOC(x->pair_first, x->n_pair_first_alloc, base + n) < 0)
                return -ENOMEM;
        if (n > 8 && hashmap_new(n, &h) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                const char *s = node_scalar(node_get(x, map->data.mapping.pairs.start[i].key));
                void *prev = NULL;

                x->pair_first[base + i] = 0;
                if (!s)
                        continue;
                if (h) {
                        int r = hashmap_put(h, s, (void *) (uintptr_t) (i + 1), &prev);
                        if (r < 0)
                                return r;
                        if (r == 0)
                                x->pair_first[base + i] = (uint32_t) (uintptr_t) prev;
                } else
                        /* a handful of keys: comparing them is cheaper than hashing */
                        for (size_t j = 0; j < i; j++) {
                                const char *t = node_scalar(node_get(x, map->data.mapping.pairs.start[j].key));
                                if (t && streq(s, t)) {
                                        x->pair_first[base + i] = (uint32_t) (j + 1);
                                        break;
                                }
                        }
        }
        x->n_pair_first = base + n;
        x->map_offset[mi] = base;
        return 0;
}

/* The first pair before `pair` in map with the same key, or NULL. */
static yaml_node_pair_t *mapping_first_with_key(Ctx *x, yaml_node_t *map, yaml_node_pair_t *pair)
{
        size_t mi = (size_t) (map - x->doc->nodes.start), f;

        assert(mi < x->n_map_offset);
        if (x->map_offset[mi] == SIZE_MAX && mapping_analyse(x, map, mi) < 0) {
                x->oom = true;
                return NULL;
        }
        f = x->pair_first[x->map_offset[mi] + (size_t) (pair - map->data.mapping.pairs.start)];
        return f ? &map->data.mapping.pairs.start[f - 1] : NULL;
}

/* Checks a mapping's key: a scalar, not seen before in this mapping. Returns the key text or NULL
 * after reporting. */
static const char *mapping_key(Ctx *x, yaml_node_t *map, yaml_node_pair_t *pair)
{
        yaml_node_t *k = node_get(x, pair->key);
        yaml_node_pair_t *first;
        const char *s;

        if (!k)
                return NULL;
        s = node_scalar(k);
        if (!s) {
                ctx_error(x, k, "expected a key name, got %s", node_describe(k));
                return NULL;
        }
        first = mapping_first_with_key(x, map, pair);
        if (first) {
                yaml_node_t *fk = node_get(x, first->key);
                ctx_error(x, k, "duplicate key '%s' (first at line %u, column %u)", s,
                          (unsigned) fk->start_mark.line + 1, (unsigned) fk->start_mark.column + 1);
                return NULL;
        }
        return s;
}

static char **field_ptr_str(void *dest, size_t off)
{
        return (char **) ((char *) dest + off);
}

/* Stores a scalar string; on type error reports and returns false. */
static bool value_string(Ctx *x, const char *key, yaml_node_t *v, char **ret)
{
        const char *s = node_scalar(v);
        char *d;

        if (!s) {
                ctx_error(x, v, "%s: expected a string, got %s", key, node_describe(v));
                return false;
        }
        if (!*s) {
                ctx_error(x, v, "%s: must not be empty", key);
                return false;
        }
        d = strdup(s);
        if (!d) {
                x->oom = true;
                return false;
        }
        free(*ret);
        *ret = d;
        return true;
}

static void value_text(Ctx *x, const char *key, yaml_node_t *v, char **ret_da, char **ret_en)
{
        if (v->type == YAML_MAPPING_NODE) {
                static const char *const langs[] = {"da", "en"};
                char **dest[] = {ret_da, ret_en};

                for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
                        const char *k = mapping_key(x, v, p);
                        int i;

                        if (!k)
                                continue;
                        i = table_from_string(langs, ELEMENTSOF(langs), k);
                        if (i < 0) {
                                ctx_error(x, node_get(x, p->key),
                                          "unknown key '%s' in %s, allowed keys: da, en", k, key);
                                continue;
                        }
                        (void) value_string(x, key, node_get(x, p->value), dest[i]);
                }
                if (!*ret_da && !*ret_en) {
                        ctx_error(x, v, "%s: needs 'da' or 'en'", key);
                        return;
                }
        } else if (!value_string(x, key, v, ret_da))
                return;

        /* One language given: use it for both. */
        if (!*ret_da)
                *ret_da = strdup(*ret_en);
        if (!*ret_en)
                *ret_en = strdup(*ret_da);
        if (!*ret_da || !*ret_en)
                x->oom = true;
}

static bool value_strv_add(Ctx *x, const char *key, yaml_node_t *item, RefKind ref, char ***ret,
                           size_t *ret_n, size_t *alloc)
{
        const char *s = node_scalar(item);
        char *d;

        if (!s || !*s) {
                ctx_error(x, item, "%s: expected a name, got %s", key, node_describe(item));
                return true;
        }
        d = strdup(s);
        if (!d || GREEDY_REALLOC(*ret, *alloc, *ret_n + 1) < 0) {
                free(d);
                x->oom = true;
                return false;
        }
        (*ret)[(*ret_n)++] = d;
        ctx_add_ref(x, ref, s, item);
        return true;
}

/* A list of names; a single scalar is a list of one. */
static void value_strv(Ctx *x, const char *key, yaml_node_t *v, RefKind ref, char ***ret, size_t *ret_n)
{
        size_t alloc = 0;

        if (v->type == YAML_SCALAR_NODE && !node_is_null(v)) {
                (void) value_strv_add(x, key, v, ref, ret, ret_n, &alloc);
                return;
        }
        if (v->type != YAML_SEQUENCE_NODE) {
                ctx_error(x, v, "%s: expected a list of names, got %s", key, node_describe(v));
                return;
        }
        for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++)
                if (!value_strv_add(x, key, node_get(x, *i), ref, ret, ret_n, &alloc))
                        return;
}

/* The position of an expression's first character, for the engine's error messages. */
static ConfigPos expr_position(Ctx *x, yaml_node_t *v)
{
        ConfigPos pos = node_pos(x, v);

        switch (v->data.scalar.style) {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE:
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
                pos.column++; /* after the quote */
                break;
        case YAML_LITERAL_SCALAR_STYLE:
        case YAML_FOLDED_SCALAR_STYLE: {
                /* The text starts on the first non-blank line after the "|" or ">" header. Lines are
                 * counted in the file buffer; the indentation is ASCII spaces, so bytes = columns. */
                const char *p = x->buf;
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

static void value_select(Ctx *x, const char *key, yaml_node_t *v, SelectionItem **ret, size_t *ret_n)
{
        size_t alloc = 0;

        if (v->type != YAML_MAPPING_NODE) {
                ctx_error(x, v, "%s: expected a mapping of dimension: value, got %s", key, node_describe(v));
                return;
        }
        for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
                const char *k = mapping_key(x, v, p);
                yaml_node_t *val = node_get(x, p->value);
                const char *s;
                char *dim, *value;

                if (!k)
                        continue;
                s = node_scalar(val);
                if (!s || !*s) {
                        ctx_error(x, val, "%s: expected a single value for dimension '%s', got %s", key, k,
                                  node_describe(val));
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
                        .pos = node_pos(x, node_get(x, p->key)),
                };
        }
}

static void value_schedule(Ctx *x, const char *key, yaml_node_t *v, Schedule *ret)
{
        const char *s;
        int r;

        if (v->type == YAML_SCALAR_NODE && (s = node_scalar(v))) {
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
                r = parse_calendar(s, ret);
                if (r < 0)
                        ctx_error(x, v,
                                  "%s: bad schedule '%s', expected an interval like 6h or a calendar like "
                                  "\"Mon..Fri 08:30,13:00\"",
                                  key, s);
                return;
        }
        if (v->type != YAML_MAPPING_NODE) {
                ctx_error(x, v, "%s: expected a mapping {interval:, jitter:} or {calendar:}, got %s", key,
                          node_describe(v));
                return;
        }

        {
                yaml_node_t *interval = NULL, *jitter = NULL, *calendar = NULL;
                Schedule sch = {};
                uint64_t jitter_usec = 0;

                for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
                        const char *k = mapping_key(x, v, p);
                        yaml_node_t *val = node_get(x, p->value);

                        if (!k)
                                continue;
                        if (streq(k, "interval"))
                                interval = val;
                        else if (streq(k, "jitter"))
                                jitter = val;
                        else if (streq(k, "calendar"))
                                calendar = val;
                        else
                                ctx_error(x, node_get(x, p->key),
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
                        s = node_scalar(jitter);
                        if (!s) {
                                ctx_error(x, jitter, "jitter: expected a duration, got %s",
                                          node_describe(jitter));
                                return;
                        }
                        if (parse_duration(s, &jitter_usec) < 0) {
                                ctx_error(x, jitter,
                                          "jitter: bad duration '%s', expected e.g. 30s, 10min, 6h, 14d", s);
                                return;
                        }
                }
                if (interval) {
                        s = node_scalar(interval);
                        if (!s) {
                                ctx_error(x, interval, "interval: expected a duration, got %s",
                                          node_describe(interval));
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
                        s = node_scalar(calendar);
                        if (!s) {
                                ctx_error(x, calendar,
                                          "calendar: expected a string like \"Mon..Fri 08:30\", got %s",
                                          node_describe(calendar));
                                return;
                        }
                        r = parse_calendar(s, &sch);
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

/* Walks a mapping against a field table, storing what parses into dest. Unknown keys, duplicate keys,
 * inline secrets and type errors are reported; the rest of the mapping is still read. */
static void parse_fields(Ctx *x, yaml_node_t *map, const char *what, const Field *fields, size_t n,
                         void *dest, Parsed *p)
{
        assert(n <= FIELDS_MAX);
        *p = (Parsed){};

        if (map->type != YAML_MAPPING_NODE) {
                ctx_error(x, map, "%s: expected a mapping, got %s", what, node_describe(map));
                return;
        }
        for (yaml_node_pair_t *pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top;
             pair++) {
                yaml_node_t *kn = node_get(x, pair->key), *v = node_get(x, pair->value);
                const char *k = mapping_key(x, map, pair), *s;
                const Field *f;
                int i;

                if (!k)
                        continue;
                i = field_index(fields, n, k);
                if (i < 0) {
                        /* Never echo the value: it is a password. */
                        if (streq(k, "token") || streq(k, "password") || streq(k, "secret") ||
                            streq(k, "username"))
                                ctx_error(x, kn,
                                          "%s: '%s' must not be written inline in the configuration, use "
                                          "%s_file or %s_credential",
                                          what, k, k, k);
                        else {
                                _cleanup_free_ char *allowed = join_keys(fields, n);
                                const char *hint = field_suggest(fields, n, k);
                                if (!allowed)
                                        x->oom = true;
                                if (hint)
                                        ctx_error(x, kn,
                                                  "unknown key '%s' in %s (did you mean '%s'?), allowed "
                                                  "keys: %s",
                                                  k, what, hint, strempty(allowed));
                                else
                                        ctx_error(x, kn, "unknown key '%s' in %s, allowed keys: %s", k, what,
                                                  strempty(allowed));
                        }
                        continue;
                }
                f = &fields[i];
                p->seen |= UINT64_C(1) << i;
                p->key[i] = kn;
                p->value[i] = v;

                switch (f->type) {
                case F_SECTION:
                case F_CUSTOM:
                        break;
                case F_STRING:
                        if (value_string(x, k, v, field_ptr_str(dest, f->offset)))
                                ctx_add_ref(x, f->ref, *field_ptr_str(dest, f->offset), v);
                        break;
                case F_CHOICE:
                case F_ENUM: {
                        _cleanup_free_ char *valid = NULL;
                        int e;

                        s = node_scalar(v);
                        if (!s) {
                                ctx_error(x, v, "%s: expected one of the words below, got %s", k,
                                          node_describe(v));
                                continue;
                        }
                        e = table_from_string(f->names, f->n_names, s);
                        if (e < 0) {
                                valid = join_names(f->names, f->n_names);
                                if (!valid)
                                        x->oom = true;
                                ctx_error(x, v, "%s: bad value '%s', expected one of: %s", k, s,
                                          strempty(valid));
                                continue;
                        }
                        if (f->type == F_ENUM)
                                *(int *) ((char *) dest + f->offset) = e;
                        else
                                (void) value_string(x, k, v, field_ptr_str(dest, f->offset));
                        break;
                }
                case F_INT: {
                        int iv;
                        s = node_scalar(v);
                        if (!s || v->type != YAML_SCALAR_NODE) {
                                ctx_error(x, v, "%s: expected an integer, got %s", k, node_describe(v));
                                continue;
                        }
                        if (safe_atoi(s, &iv) < 0) {
                                ctx_error(x, v, "%s: expected an integer, got '%s'", k, s);
                                continue;
                        }
                        *(int *) ((char *) dest + f->offset) = iv;
                        break;
                }
                case F_UINT: {
                        unsigned long long u;
                        s = node_scalar(v);
                        if (!s || v->type != YAML_SCALAR_NODE) {
                                ctx_error(x, v, "%s: expected a whole number, got %s", k, node_describe(v));
                                continue;
                        }
                        if (*s < '0' || *s > '9' || safe_atou64(s, &u) < 0 || u > UINT_MAX) {
                                ctx_error(x, v, "%s: expected a whole number, got '%s'", k, s);
                                continue;
                        }
                        *(unsigned *) ((char *) dest + f->offset) = (unsigned) u;
                        break;
                }
                case F_DOUBLE: {
                        double d;
                        s = node_scalar(v);
                        if (!s) {
                                ctx_error(x, v, "%s: expected a number, got %s", k, node_describe(v));
                                continue;
                        }
                        if (safe_atod(s, &d) < 0) {
                                ctx_error(x, v, "%s: expected a number, got '%s'", k, s);
                                continue;
                        }
                        *(double *) ((char *) dest + f->offset) = d;
                        break;
                }
                case F_BOOL: {
                        bool b;
                        s = node_scalar(v);
                        if (s && (streq(s, "true") || streq(s, "yes") || streq(s, "on") || streq(s, "True")))
                                b = true;
                        else if (s && (streq(s, "false") || streq(s, "no") || streq(s, "off") ||
                                       streq(s, "False")))
                                b = false;
                        else {
                                ctx_error(x, v, "%s: expected true or false, got %s", k, node_describe(v));
                                continue;
                        }
                        *(bool *) ((char *) dest + f->offset) = b;
                        break;
                }
                case F_DURATION: {
                        uint64_t u;
                        s = node_scalar(v);
                        if (!s) {
                                ctx_error(x, v, "%s: expected a duration, got %s", k, node_describe(v));
                                continue;
                        }
                        if (parse_duration(s, &u) < 0) {
                                ctx_error(x, v, "%s: bad duration '%s', expected e.g. 30s, 10min, 6h, 14d",
                                          k, s);
                                continue;
                        }
                        *(uint64_t *) ((char *) dest + f->offset) = u;
                        break;
                }
                case F_SIZE: {
                        uint64_t u;
                        s = node_scalar(v);
                        if (!s) {
                                ctx_error(x, v, "%s: expected a size, got %s", k, node_describe(v));
                                continue;
                        }
                        if (parse_size(s, &u) < 0) {
                                ctx_error(x, v, "%s: bad size '%s', expected bytes or e.g. 512KiB, 64MiB", k,
                                          s);
                                continue;
                        }
                        *(uint64_t *) ((char *) dest + f->offset) = u;
                        break;
                }
                case F_PERIOD: {
                        Period per;
                        s = node_scalar(v);
                        if (!s) {
                                ctx_error(x, v, "%s: expected a period, got %s", k, node_describe(v));
                                continue;
                        }
                        if (period_parse(s, &per) < 0) {
                                ctx_error(
                                        x, v,
                                        "%s: bad period '%s', expected e.g. 2024, 2024H1, 2024Q2, 2024M06, "
                                        "2024QMAT02",
                                        k, s);
                                continue;
                        }
                        *(Period *) ((char *) dest + f->offset) = per;
                        break;
                }
                case F_SCHEDULE:
                        value_schedule(x, k, v, (Schedule *) ((char *) dest + f->offset));
                        break;
                case F_STRV:
                        value_strv(x, k, v, f->ref, (char ***) ((char *) dest + f->offset),
                                   (size_t *) ((char *) dest + f->offset2));
                        break;
                case F_TEXT:
                        value_text(x, k, v, field_ptr_str(dest, f->offset), field_ptr_str(dest, f->offset2));
                        break;
                case F_EXPR:
                        if (value_string(x, k, v, field_ptr_str(dest, f->offset)))
                                *(ConfigPos *) ((char *) dest + f->offset2) = expr_position(x, v);
                        break;
                case F_SELECT:
                        value_select(x, k, v, (SelectionItem **) ((char *) dest + f->offset),
                                     (size_t *) ((char *) dest + f->offset2));
                        break;
                }
        }
}

#define PARSED_HAS(p, fields, key) parsed_has((p), (fields), ELEMENTSOF(fields), (key))
#define PARSED_KEY(p, fields, key) parsed_key((p), (fields), ELEMENTSOF(fields), (key))

/* Reports "KEY applies only to ..." for a key that the definition's kind does not use. */
static void forbid_key(Ctx *x, const Parsed *p, const Field *fields, size_t n, const char *key,
                       const char *why)
{
        if (parsed_has(p, fields, n, key))
                ctx_error(x, parsed_key(p, fields, n, key), "'%s' %s", key, why);
}

static void require_key(Ctx *x, const Parsed *p, const Field *fields, size_t n, const char *key,
                        ConfigPos at, const char *what)
{
        if (!parsed_has(p, fields, n, key))
                ctx_error_pos(x, at, "%s: missing required key '%s'", what, key);
}

#define FORBID(x, p, fields, key, why) forbid_key((x), (p), (fields), ELEMENTSOF(fields), (key), (why))
#define REQUIRE(x, p, fields, key, at, what)                                                                \
        require_key((x), (p), (fields), ELEMENTSOF(fields), (key), (at), (what))

static void check_secret_pair(Ctx *x, const Parsed *p, const Field *fields, size_t n, const char *base,
                              const SecretRef *s)
{
        char kf[64], kc[64];

        (void) snprintf(kf, sizeof kf, "%s_file", base);
        (void) snprintf(kc, sizeof kc, "%s_credential", base);
        if (parsed_has(p, fields, n, kf) && parsed_has(p, fields, n, kc))
                ctx_error(x, parsed_key(p, fields, n, kc), "'%s' and '%s' exclude each other, give one", kf,
                          kc);
        if (s->credential && !credential_name_is_valid(s->credential))
                ctx_error(x, p->value[field_index(fields, n, kc)],
                          "%s: a credential name must not contain '/' (it names a file in "
                          "$CREDENTIALS_DIRECTORY)",
                          kc);
        if (s->file && s->file[0] != '/')
                ctx_error(x, p->value[field_index(fields, n, kf)], "%s: must be an absolute path", kf);
}

static bool url_has_scheme(const char *u, const char *const *schemes, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (startswith(u, schemes[i]) && u[strlen(schemes[i])])
                        return true;
        return false;
}

/* ---- sources ---- */

static const Field source_fields[] = {
        {"kind", F_ENUM, offsetof(SourceDef, kind), 0, source_kind_table, _SOURCE_KIND_MAX, REF_NONE},
        {"base_url", F_STRING, offsetof(SourceDef, base_url), 0, NULL, 0, REF_NONE},
        {"token_file", F_STRING, offsetof(SourceDef, token.file), 0, NULL, 0, REF_NONE},
        {"token_credential", F_STRING, offsetof(SourceDef, token.credential), 0, NULL, 0, REF_NONE},
        {"ca_file", F_STRING, offsetof(SourceDef, ca_file), 0, NULL, 0, REF_NONE},
        {"lang", F_CHOICE, offsetof(SourceDef, lang), 0, language_table, ELEMENTSOF(language_table),
         REF_NONE},
        {"api_version", F_INT, offsetof(SourceDef, api_version), 0, NULL, 0, REF_NONE},
        {"schedule", F_SCHEDULE, offsetof(SourceDef, schedule), 0, NULL, 0, REF_NONE},
        {"connect_timeout", F_DURATION, offsetof(SourceDef, connect_timeout_usec), 0, NULL, 0, REF_NONE},
        {"timeout", F_DURATION, offsetof(SourceDef, timeout_usec), 0, NULL, 0, REF_NONE},
        {"max_response_size", F_SIZE, offsetof(SourceDef, max_response_size), 0, NULL, 0, REF_NONE},
        {"stale_after", F_DURATION, offsetof(SourceDef, stale_after_usec), 0, NULL, 0, REF_NONE},
        {"encoding", F_CHOICE, offsetof(SourceDef, encoding), 0, encoding_table, ELEMENTSOF(encoding_table),
         REF_NONE},
};

static void parse_source(Ctx *x, const char *name, yaml_node_t *key, yaml_node_t *v)
{
        static const char *const web[] = {"https://", "http://", "file://"};
        _cleanup_free_ char *what = strdup_printf("source '%s'", name);
        Config *c = x->c;
        SourceDef *s;
        Parsed p;

        if (!what || GREEDY_REALLOC(c->sources, x->n_sources_alloc, c->n_sources + 1) < 0) {
                x->oom = true;
                return;
        }
        s = &c->sources[c->n_sources++];
        *s = (SourceDef){
                .name = strdup(name),
                .kind = _SOURCE_KIND_INVALID,
                .api_version = 3,
                .schedule = {.kind = SCHEDULE_INTERVAL,
                             .interval_usec = DEFAULT_INTERVAL_USEC,
                             .jitter_usec = DEFAULT_JITTER_USEC},
                .connect_timeout_usec = DEFAULT_CONNECT_TIMEOUT_USEC,
                .timeout_usec = DEFAULT_TIMEOUT_USEC,
                .max_response_size = DEFAULT_MAX_RESPONSE_SIZE,
                .stale_after_usec = DEFAULT_STALE_AFTER_USEC,
                .pos = node_pos(x, key),
        };
        if (!s->name) {
                x->oom = true;
                return;
        }
        ctx_name_add(x, &x->source_names, s->name, c->n_sources - 1);
        if (!name_is_valid_id(name))
                ctx_error(x, key, "bad source name '%s', use letters, digits, '_', '-' and '.'", name);

        parse_fields(x, v, what, source_fields, ELEMENTSOF(source_fields), s, &p);
        if (v->type != YAML_MAPPING_NODE)
                return;
        REQUIRE(x, &p, source_fields, "kind", s->pos, what);
        check_secret_pair(x, &p, source_fields, ELEMENTSOF(source_fields), "token", &s->token);

        if (!s->lang && !(s->lang = strdup("da")))
                x->oom = true;

        if (s->base_url) {
                bool ok = url_has_scheme(s->base_url, web, ELEMENTSOF(web)) ||
                          (s->kind == SOURCE_CSV && s->base_url[0] == '/');
                if (!ok)
                        ctx_error(x,
                                  p.value[field_index(source_fields, ELEMENTSOF(source_fields), "base_url")],
                                  "base_url: expected an https://, http:// or file:// URL%s",
                                  s->kind == SOURCE_CSV ? " or an absolute path" : "");
        }

        switch (s->kind) {
        case SOURCE_STATBANK:
                FORBID(x, &p, source_fields, "token_file", "applies only to jobindsats sources");
                FORBID(x, &p, source_fields, "token_credential", "applies only to jobindsats sources");
                FORBID(x, &p, source_fields, "api_version", "applies only to jobindsats sources");
                if (!s->base_url && !(s->base_url = strdup(DEFAULT_STATBANK_URL)))
                        x->oom = true;
                break;
        case SOURCE_JOBINDSATS:
                if (s->api_version != 2 && s->api_version != 3)
                        ctx_error(x,
                                  p.value[field_index(source_fields, ELEMENTSOF(source_fields),
                                                      "api_version")],
                                  "api_version: bad value '%d', expected one of: 2, 3", s->api_version);
                if (!PARSED_HAS(&p, source_fields, "token_file") &&
                    !PARSED_HAS(&p, source_fields, "token_credential"))
                        ctx_error_pos(x, s->pos, "%s: jobindsats needs 'token_file' or 'token_credential'",
                                      what);
                if (!s->base_url && !(s->base_url = strdup(s->api_version == 2 ? DEFAULT_JOBINDSATS_URL_V2
                                                                               : DEFAULT_JOBINDSATS_URL_V3)))
                        x->oom = true;
                break;
        case SOURCE_CSV:
                FORBID(x, &p, source_fields, "token_file", "applies only to jobindsats sources");
                FORBID(x, &p, source_fields, "token_credential", "applies only to jobindsats sources");
                FORBID(x, &p, source_fields, "api_version", "applies only to jobindsats sources");
                if (!s->encoding && !(s->encoding = strdup("auto")))
                        x->oom = true;
                break;
        case SOURCE_JSONSTAT:
        case SOURCE_PXWEB:
                /* Both are public APIs: no request of theirs carries a token. */
                FORBID(x, &p, source_fields, "token_file", "applies only to jobindsats sources");
                FORBID(x, &p, source_fields, "token_credential", "applies only to jobindsats sources");
                FORBID(x, &p, source_fields, "api_version", "applies only to jobindsats sources");
                REQUIRE(x, &p, source_fields, "base_url", s->pos, what);
                break;
        default:
                break;
        }

        if (s->kind >= 0 && s->kind != SOURCE_CSV)
                FORBID(x, &p, source_fields, "encoding", "applies only to csv sources");
        if (PARSED_HAS(&p, source_fields, "timeout") && s->timeout_usec == 0)
                ctx_error(x, p.value[field_index(source_fields, ELEMENTSOF(source_fields), "timeout")],
                          "timeout: must be greater than 0");
        if (PARSED_HAS(&p, source_fields, "connect_timeout") &&
            (s->connect_timeout_usec == 0 || s->connect_timeout_usec > s->timeout_usec))
                ctx_error(x,
                          p.value[field_index(source_fields, ELEMENTSOF(source_fields), "connect_timeout")],
                          "connect_timeout: must be greater than 0 and at most 'timeout'");
        if (PARSED_HAS(&p, source_fields, "max_response_size") && s->max_response_size == 0)
                ctx_error(
                        x,
                        p.value[field_index(source_fields, ELEMENTSOF(source_fields), "max_response_size")],
                        "max_response_size: must be greater than 0");
        if (s->ca_file && s->ca_file[0] != '/')
                ctx_error(x, p.value[field_index(source_fields, ELEMENTSOF(source_fields), "ca_file")],
                          "ca_file: must be an absolute path");
}

/* ---- series ---- */

static const Field series_fields[] = {
        {"source", F_STRING, offsetof(SeriesDef, source), 0, NULL, 0, REF_NONE},
        {"table", F_STRING, offsetof(SeriesDef, table), 0, NULL, 0, REF_NONE},
        {"select", F_SELECT, offsetof(SeriesDef, select), offsetof(SeriesDef, n_select), NULL, 0, REF_NONE},
        {"measure", F_STRING, offsetof(SeriesDef, measure), 0, NULL, 0, REF_NONE},
        {"column", F_STRING, offsetof(SeriesDef, column), 0, NULL, 0, REF_NONE},
        {"path", F_STRING, offsetof(SeriesDef, path), 0, NULL, 0, REF_NONE},
        {"expr", F_EXPR, offsetof(SeriesDef, expr), offsetof(SeriesDef, expr_pos), NULL, 0, REF_NONE},
        {"frequency", F_ENUM, offsetof(SeriesDef, freq), 0, freq_table, _PERIOD_FREQ_MAX, REF_NONE},
        {"publication_lag", F_INT, offsetof(SeriesDef, publication_lag), 0, NULL, 0, REF_NONE},
        {"unit", F_TEXT, offsetof(SeriesDef, unit_da), offsetof(SeriesDef, unit_en), NULL, 0, REF_NONE},
        {"label", F_TEXT, offsetof(SeriesDef, label_da), offsetof(SeriesDef, label_en), NULL, 0, REF_NONE},
        {"label_en", F_STRING, offsetof(SeriesDef, label_en), 0, NULL, 0, REF_NONE},
        {"dataset", F_STRING, offsetof(SeriesDef, dataset), 0, NULL, 0, REF_NONE},
        {"time_format", F_STRING, offsetof(SeriesDef, time_format), 0, NULL, 0, REF_NONE},
};

/* Default publication lag in periods: how late official figures normally are. */
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

static void parse_series(Ctx *x, const char *name, yaml_node_t *key, yaml_node_t *v)
{
        _cleanup_free_ char *what = strdup_printf("series '%s'", name);
        Config *c = x->c;
        ssize_t di = ctx_name_find(x->series_names, name), si;
        const SourceDef *src = NULL;
        SeriesDef *s;
        Parsed p;

        if (!what) {
                x->oom = true;
                return;
        }
        if (di >= 0) {
                const SeriesDef *dup = &c->series[di];
                ctx_error(x, key, "duplicate series '%s' (first defined at %s:%u:%u)", name, dup->pos.file,
                          dup->pos.line, dup->pos.column);
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
                .pos = node_pos(x, key),
        };
        if (!s->name) {
                x->oom = true;
                return;
        }
        ctx_name_add(x, &x->series_names, s->name, c->n_series - 1);
        parse_fields(x, v, what, series_fields, ELEMENTSOF(series_fields), s, &p);
        if (v->type != YAML_MAPPING_NODE)
                return;
        /* `label_en:` alone names the series in both languages, like a one-language `label:`. */
        if (s->label_en && !s->label_da && !(s->label_da = strdup(s->label_en)))
                x->oom = true;
        if (s->time_format && !strchr(s->time_format, '%'))
                ctx_error(x, p.value[field_index(series_fields, ELEMENTSOF(series_fields), "time_format")],
                          "time_format: '%s' has no conversion (expected e.g. \"%%Y - %%q\", \"%%YM%%m\")",
                          s->time_format);

        REQUIRE(x, &p, series_fields, "frequency", s->pos, what);
        if (s->publication_lag < 0) {
                if (PARSED_HAS(&p, series_fields, "publication_lag"))
                        ctx_error(x,
                                  p.value[field_index(series_fields, ELEMENTSOF(series_fields),
                                                      "publication_lag")],
                                  "publication_lag: must not be negative");
                s->publication_lag = s->freq >= 0 ? default_publication_lag(s->freq) : 0;
        }

        if (PARSED_HAS(&p, series_fields, "expr")) {
                static const char *const fetched_only[] = {"source", "table",  "select",  "measure",
                                                           "column", "path",   "dataset", "time_format"};
                for (size_t i = 0; i < ELEMENTSOF(fetched_only); i++)
                        FORBID(x, &p, series_fields, fetched_only[i],
                               "applies only to fetched series; this series is derived ('expr')");
                return;
        }
        if (!PARSED_HAS(&p, series_fields, "source")) {
                ctx_error_pos(x, s->pos,
                              "%s: missing required key 'source' (or 'expr' for a derived series)", what);
                return;
        }
        if (!s->source)
                return;
        si = ctx_name_find(x->source_names, s->source);
        src = si >= 0 ? &c->sources[si] : NULL;
        if (!src && x->main_broken)
                return;
        if (!src) {
                ctx_error(x, p.value[field_index(series_fields, ELEMENTSOF(series_fields), "source")],
                          "undefined source '%s'", s->source);
                return;
        }
        s->source_def = src;

        switch (src->kind) {
        case SOURCE_STATBANK:
                REQUIRE(x, &p, series_fields, "table", s->pos, what);
                FORBID(x, &p, series_fields, "measure",
                       "does not apply to statbank series (a table has one value)");
                FORBID(x, &p, series_fields, "column", "applies only to csv series");
                FORBID(x, &p, series_fields, "path", "applies only to csv series");
                FORBID(x, &p, series_fields, "dataset", "applies only to jsonstat and pxweb series");
                FORBID(x, &p, series_fields, "time_format", "applies only to jsonstat and pxweb series");
                break;
        case SOURCE_JOBINDSATS:
                REQUIRE(x, &p, series_fields, "table", s->pos, what);
                REQUIRE(x, &p, series_fields, "measure", s->pos, what);
                FORBID(x, &p, series_fields, "column", "applies only to csv series");
                FORBID(x, &p, series_fields, "path", "applies only to csv series");
                FORBID(x, &p, series_fields, "dataset", "applies only to jsonstat and pxweb series");
                FORBID(x, &p, series_fields, "time_format", "applies only to jsonstat and pxweb series");
                break;
        case SOURCE_CSV:
                FORBID(x, &p, series_fields, "table", "does not apply to csv series (use 'path')");
                FORBID(x, &p, series_fields, "measure", "does not apply to csv series (use 'column')");
                FORBID(x, &p, series_fields, "dataset", "applies only to jsonstat and pxweb series");
                FORBID(x, &p, series_fields, "time_format", "applies only to jsonstat and pxweb series");
                if (!s->path && !PARSED_HAS(&p, series_fields, "path")) {
                        if (!src->base_url)
                                ctx_error_pos(
                                        x, s->pos,
                                        "%s: missing required key 'path' (source '%s' has no base_url)",
                                        what, src->name);
                        else if (endswith(src->base_url, "/"))
                                ctx_error_pos(x, s->pos,
                                              "%s: missing required key 'path' (source '%s' base_url is a "
                                              "directory)",
                                              what, src->name);
                } else if (s->path && !src->base_url && s->path[0] != '/' && !strstr(s->path, "://"))
                        ctx_error(x, p.value[field_index(series_fields, ELEMENTSOF(series_fields), "path")],
                                  "path: must be absolute or a URL, source '%s' has no base_url", src->name);
                break;
        case SOURCE_JSONSTAT:
        case SOURCE_PXWEB:
                REQUIRE(x, &p, series_fields, "table", s->pos, what);
                FORBID(x, &p, series_fields, "column", "applies only to csv series");
                FORBID(x, &p, series_fields, "path", "applies only to csv series");
                break;
        default:
                break;
        }
}

/* ---- goals ---- */

static const Field goal_fields[] = {
        {"id", F_STRING, offsetof(GoalDef, id), 0, NULL, 0, REF_NONE},
        {"title", F_TEXT, offsetof(GoalDef, title_da), offsetof(GoalDef, title_en), NULL, 0, REF_NONE},
        {"kind", F_ENUM, offsetof(GoalDef, kind), 0, goal_kind_table, _GOAL_KIND_MAX, REF_NONE},
        {"series", F_STRING, offsetof(GoalDef, series), 0, NULL, 0, REF_SERIES},
        {"numerator", F_STRING, offsetof(GoalDef, numerator), 0, NULL, 0, REF_SERIES},
        {"denominator", F_STRING, offsetof(GoalDef, denominator), 0, NULL, 0, REF_SERIES},
        {"reference", F_STRING, offsetof(GoalDef, reference), 0, NULL, 0, REF_SERIES},
        {"period", F_PERIOD, offsetof(GoalDef, period), 0, NULL, 0, REF_NONE},
        {"baseline", F_PERIOD, offsetof(GoalDef, baseline), 0, NULL, 0, REF_NONE},
        {"aggregate", F_ENUM, offsetof(GoalDef, aggregate), 0, goal_aggregate_table, _GOAL_AGGREGATE_MAX,
         REF_NONE},
        {"direction", F_ENUM, offsetof(GoalDef, direction), 0, goal_direction_table, _GOAL_DIRECTION_MAX,
         REF_NONE},
        {"target", F_DOUBLE, offsetof(GoalDef, target), 0, NULL, 0, REF_NONE},
        {"change_unit", F_ENUM, offsetof(GoalDef, change_unit), 0, change_unit_table, _CHANGE_UNIT_MAX,
         REF_NONE},
        {"tolerance", F_DOUBLE, offsetof(GoalDef, tolerance), 0, NULL, 0, REF_NONE},
        {"min_denominator", F_DOUBLE, offsetof(GoalDef, min_denominator), 0, NULL, 0, REF_NONE},
        {"projection", F_ENUM, offsetof(GoalDef, projection), 0, projection_method_table,
         _PROJECTION_METHOD_MAX, REF_NONE},
        {"trend_window", F_INT, offsetof(GoalDef, trend_window), 0, NULL, 0, REF_NONE},
        {"recipients", F_STRV, offsetof(GoalDef, recipients), offsetof(GoalDef, n_recipients), NULL, 0,
         REF_RECIPIENT},
        {"for", F_UINT, offsetof(GoalDef, alert_for), 0, NULL, 0, REF_NONE},
        {"notify_at_risk", F_BOOL, offsetof(GoalDef, notify_at_risk), 0, NULL, 0, REF_NONE},
        {"recovery_band", F_DOUBLE, offsetof(GoalDef, recovery_band), 0, NULL, 0, REF_NONE},
        {"plan", F_STRING, offsetof(GoalDef, plan), 0, NULL, 0, REF_NONE},
};

#define GOAL_VALUE(p, key) ((p)->value[field_index(goal_fields, ELEMENTSOF(goal_fields), (key))])

/* id_key: the mapping key when goals are written as a mapping (id: {...}); NULL in a list. */
static void parse_goal(Ctx *x, yaml_node_t *id_key, yaml_node_t *v)
{
        _cleanup_free_ char *what = NULL;
        Config *c = x->c;
        GoalDef *g;
        Parsed p;

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
                .trend_window = DEFAULT_TREND_WINDOW,
                .alert_for = 1,
                .pos = node_pos(x, id_key ?: v),
        };
        if (id_key && !(g->id = strdup(node_scalar(id_key)))) {
                x->oom = true;
                return;
        }
        c->n_goals++;

        if (v->type != YAML_MAPPING_NODE) {
                ctx_error(x, v, "goal: expected a mapping, got %s", node_describe(v));
                return;
        }
        /* Find the id first so that every message can name the goal. */
        if (!id_key)
                for (yaml_node_pair_t *pr = v->data.mapping.pairs.start; pr < v->data.mapping.pairs.top;
                     pr++) {
                        const char *k = node_scalar(node_get(x, pr->key)),
                                   *val = node_scalar(node_get(x, pr->value));
                        if (k && streq(k, "id") && val) {
                                what = strdup_printf("goal '%s'", val);
                                break;
                        }
                }
        if (!what)
                what = g->id ? strdup_printf("goal '%s'", g->id) : strdup("goal");
        if (!what) {
                x->oom = true;
                return;
        }
        {
                _cleanup_free_ char *keep_id = id_key ? TAKE_PTR(g->id) : NULL;
                parse_fields(x, v, what, goal_fields, ELEMENTSOF(goal_fields), g, &p);
                if (keep_id) {
                        if (PARSED_HAS(&p, goal_fields, "id"))
                                ctx_error(x, PARSED_KEY(&p, goal_fields, "id"),
                                          "%s: 'id' is already given by the mapping key", what);
                        free(g->id);
                        g->id = TAKE_PTR(keep_id);
                }
        }

        if (!id_key)
                REQUIRE(x, &p, goal_fields, "id", g->pos, what);
        if (g->id) {
                if (!name_is_valid_id(g->id))
                        ctx_error(x, id_key ?: GOAL_VALUE(&p, "id"),
                                  "bad goal id '%s', use letters, digits, '_', '-' and '.'", g->id);
                ssize_t i = ctx_name_find(x->goal_ids, g->id);
                if (i >= 0)
                        ctx_error(x, id_key ?: GOAL_VALUE(&p, "id"),
                                  "duplicate goal id '%s' (first defined at %s:%u:%u)", g->id,
                                  c->goals[i].pos.file, c->goals[i].pos.line, c->goals[i].pos.column);
                else
                        ctx_name_add(x, &x->goal_ids, g->id, c->n_goals - 1);
        }
        if (!g->title_da && g->id) {
                g->title_da = strdup(g->id);
                g->title_en = strdup(g->id);
                if (!g->title_da || !g->title_en)
                        x->oom = true;
        }

        REQUIRE(x, &p, goal_fields, "kind", g->pos, what);
        REQUIRE(x, &p, goal_fields, "period", g->pos, what);
        REQUIRE(x, &p, goal_fields, "target", g->pos, what);

        if (g->direction < 0)
                g->direction = g->kind == GOAL_RANK ? GOAL_AT_MOST : GOAL_AT_LEAST;
        if (g->aggregate < 0)
                g->aggregate = g->kind == GOAL_RANK         ? GOAL_AGGREGATE_LATEST
                               : g->kind == GOAL_CUMULATIVE ? GOAL_AGGREGATE_SUM
                                                            : GOAL_AGGREGATE_AVERAGE;

        switch (g->kind) {
        case GOAL_SHARE:
                REQUIRE(x, &p, goal_fields, "numerator", g->pos, what);
                REQUIRE(x, &p, goal_fields, "denominator", g->pos, what);
                FORBID(x, &p, goal_fields, "series",
                       "does not apply to share goals (use numerator and denominator)");
                break;
        case GOAL_LEVEL:
        case GOAL_CHANGE:
        case GOAL_REFERENCE:
        case GOAL_RANK:
        case GOAL_CUMULATIVE:
                REQUIRE(x, &p, goal_fields, "series", g->pos, what);
                FORBID(x, &p, goal_fields, "numerator", "applies only to share goals");
                FORBID(x, &p, goal_fields, "denominator", "applies only to share goals");
                FORBID(x, &p, goal_fields, "min_denominator", "applies only to share goals");
                break;
        default:
                break;
        }
        if (g->kind == GOAL_CHANGE || g->kind == GOAL_REFERENCE)
                REQUIRE(x, &p, goal_fields, "baseline", g->pos, what);
        else if (g->kind >= 0) {
                FORBID(x, &p, goal_fields, "baseline", "applies only to change and reference goals");
                FORBID(x, &p, goal_fields, "change_unit", "applies only to change and reference goals");
        }
        if (g->kind == GOAL_REFERENCE)
                REQUIRE(x, &p, goal_fields, "reference", g->pos, what);
        else if (g->kind >= 0)
                FORBID(x, &p, goal_fields, "reference", "applies only to reference goals");

        if (PARSED_HAS(&p, goal_fields, "baseline") && PARSED_HAS(&p, goal_fields, "period") &&
            period_is_valid(g->baseline) && period_is_valid(g->period) &&
            date_compare(period_last_day(g->baseline), period_first_day(g->period)) >= 0) {
                char a[PERIOD_STRING_MAX], b[PERIOD_STRING_MAX];
                ctx_error(x, GOAL_VALUE(&p, "baseline"),
                          "baseline: %s must end before the goal period %s begins",
                          period_to_string(g->baseline, a), period_to_string(g->period, b));
        }
        if (PARSED_HAS(&p, goal_fields, "tolerance") && g->tolerance < 0)
                ctx_error(x, GOAL_VALUE(&p, "tolerance"), "tolerance: must not be negative");
        if (PARSED_HAS(&p, goal_fields, "min_denominator") && g->min_denominator < 0)
                ctx_error(x, GOAL_VALUE(&p, "min_denominator"), "min_denominator: must not be negative");
        if (PARSED_HAS(&p, goal_fields, "trend_window") && (g->trend_window < 2 || g->trend_window > 120))
                ctx_error(x, GOAL_VALUE(&p, "trend_window"),
                          "trend_window: must be between 2 and 120 periods");
        if (g->kind == GOAL_RANK && PARSED_HAS(&p, goal_fields, "target") && g->target < 1)
                ctx_error(x, GOAL_VALUE(&p, "target"), "target: a rank is 1 or more");
        if (PARSED_HAS(&p, goal_fields, "for") && (g->alert_for < 1 || g->alert_for > ALERT_FOR_MAX))
                ctx_error(x, GOAL_VALUE(&p, "for"), "for: must be between 1 and %u data periods", ALERT_FOR_MAX);
        g->has_recovery_band = PARSED_HAS(&p, goal_fields, "recovery_band");
        if (g->has_recovery_band && g->recovery_band < 0)
                ctx_error(x, GOAL_VALUE(&p, "recovery_band"), "recovery_band: must not be negative");
        if (!g->has_recovery_band)
                g->recovery_band = g->tolerance;
}

/* ---- recipients, notifiers, routes ---- */

static const Field recipient_fields[] = {
        {"display_name", F_STRING, offsetof(RecipientDef, display_name), 0, NULL, 0, REF_NONE},
        {"email", F_STRING, offsetof(RecipientDef, email), 0, NULL, 0, REF_NONE},
        {"language", F_CHOICE, offsetof(RecipientDef, language), 0, language_table,
         ELEMENTSOF(language_table), REF_NONE},
};

static void parse_recipient(Ctx *x, const char *name, yaml_node_t *key, yaml_node_t *v)
{
        _cleanup_free_ char *what = strdup_printf("recipient '%s'", name);
        Config *c = x->c;
        RecipientDef *r;
        Parsed p;

        if (!what || GREEDY_REALLOC(c->recipients, x->n_recipients_alloc, c->n_recipients + 1) < 0) {
                x->oom = true;
                return;
        }
        r = &c->recipients[c->n_recipients++];
        *r = (RecipientDef){.name = strdup(name), .pos = node_pos(x, key)};
        if (!r->name) {
                x->oom = true;
                return;
        }
        if (!name_is_valid_id(name))
                ctx_error(x, key, "bad recipient name '%s', use letters, digits, '_', '-' and '.'", name);
        parse_fields(x, v, what, recipient_fields, ELEMENTSOF(recipient_fields), r, &p);
        if (v->type != YAML_MAPPING_NODE)
                return;
        REQUIRE(x, &p, recipient_fields, "email", r->pos, what);
        if (r->email && (!strchr(r->email, '@') || strpbrk(r->email, " \t<>,")))
                ctx_error(x, p.value[field_index(recipient_fields, ELEMENTSOF(recipient_fields), "email")],
                          "email: '%s' is not an e-mail address (expected user@domain)", r->email);
        if (!r->display_name && !(r->display_name = strdup(name)))
                x->oom = true;
}

static const Field notifier_fields[] = {
        {"kind", F_ENUM, offsetof(NotifierDef, kind), 0, notifier_kind_table, _NOTIFIER_KIND_MAX, REF_NONE},
        {"url", F_STRING, offsetof(NotifierDef, url), 0, NULL, 0, REF_NONE},
        {"from", F_STRING, offsetof(NotifierDef, from), 0, NULL, 0, REF_NONE},
        {"username_file", F_STRING, offsetof(NotifierDef, username.file), 0, NULL, 0, REF_NONE},
        {"username_credential", F_STRING, offsetof(NotifierDef, username.credential), 0, NULL, 0, REF_NONE},
        {"password_file", F_STRING, offsetof(NotifierDef, password.file), 0, NULL, 0, REF_NONE},
        {"password_credential", F_STRING, offsetof(NotifierDef, password.credential), 0, NULL, 0, REF_NONE},
        {"secret_file", F_STRING, offsetof(NotifierDef, secret.file), 0, NULL, 0, REF_NONE},
        {"secret_credential", F_STRING, offsetof(NotifierDef, secret.credential), 0, NULL, 0, REF_NONE},
        {"directory", F_STRING, offsetof(NotifierDef, directory), 0, NULL, 0, REF_NONE},
        {"ca_file", F_STRING, offsetof(NotifierDef, ca_file), 0, NULL, 0, REF_NONE},
        {"timeout", F_DURATION, offsetof(NotifierDef, timeout_usec), 0, NULL, 0, REF_NONE},
        {"allow_plaintext", F_BOOL, offsetof(NotifierDef, allow_plaintext), 0, NULL, 0, REF_NONE},
        {"format", F_ENUM, offsetof(NotifierDef, format), 0, webhook_format_table, _WEBHOOK_FORMAT_MAX,
         REF_NONE},
        {"retry_max", F_DURATION, offsetof(NotifierDef, retry_max_usec), 0, NULL, 0, REF_NONE},
        {"give_up_after", F_DURATION, offsetof(NotifierDef, give_up_after_usec), 0, NULL, 0, REF_NONE},
};

#define NOTIFIER_VALUE(p, key) ((p)->value[field_index(notifier_fields, ELEMENTSOF(notifier_fields), (key))])

static void parse_notifier(Ctx *x, const char *name, yaml_node_t *key, yaml_node_t *v)
{
        static const char *const smtp_schemes[] = {"smtp://", "smtps://"};
        static const char *const web_schemes[] = {"https://", "http://"};
        _cleanup_free_ char *what = strdup_printf("notifier '%s'", name);
        Config *c = x->c;
        NotifierDef *n;
        Parsed p;

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
                .retry_max_usec = DEFAULT_RETRY_MAX_USEC,
                .give_up_after_usec = DEFAULT_GIVE_UP_AFTER_USEC,
                .pos = node_pos(x, key),
        };
        if (!n->name) {
                x->oom = true;
                return;
        }
        if (!name_is_valid_id(name))
                ctx_error(x, key, "bad notifier name '%s', use letters, digits, '_', '-' and '.'", name);
        parse_fields(x, v, what, notifier_fields, ELEMENTSOF(notifier_fields), n, &p);
        if (v->type != YAML_MAPPING_NODE)
                return;
        REQUIRE(x, &p, notifier_fields, "kind", n->pos, what);
        check_secret_pair(x, &p, notifier_fields, ELEMENTSOF(notifier_fields), "username", &n->username);
        check_secret_pair(x, &p, notifier_fields, ELEMENTSOF(notifier_fields), "password", &n->password);
        check_secret_pair(x, &p, notifier_fields, ELEMENTSOF(notifier_fields), "secret", &n->secret);

        switch (n->kind) {
        case NOTIFIER_SMTP:
                REQUIRE(x, &p, notifier_fields, "url", n->pos, what);
                REQUIRE(x, &p, notifier_fields, "from", n->pos, what);
                if (n->url && !url_has_scheme(n->url, smtp_schemes, ELEMENTSOF(smtp_schemes)))
                        ctx_error(x, NOTIFIER_VALUE(&p, "url"),
                                  "url: expected smtp://HOST[:PORT] or smtps://HOST[:PORT]");
                if (n->from && !strchr(n->from, '@'))
                        ctx_error(x, NOTIFIER_VALUE(&p, "from"), "from: '%s' is not an e-mail address",
                                  n->from);
                if ((n->username.file || n->username.credential) && !n->password.file &&
                    !n->password.credential)
                        ctx_error_pos(x, n->pos,
                                      "%s: a username needs 'password_file' or 'password_credential'", what);
                FORBID(x, &p, notifier_fields, "secret_file", "applies only to webhook notifiers");
                FORBID(x, &p, notifier_fields, "secret_credential", "applies only to webhook notifiers");
                FORBID(x, &p, notifier_fields, "directory", "applies only to directory notifiers");
                break;
        case NOTIFIER_WEBHOOK:
                REQUIRE(x, &p, notifier_fields, "url", n->pos, what);
                if (n->url && !url_has_scheme(n->url, web_schemes, ELEMENTSOF(web_schemes)))
                        ctx_error(x, NOTIFIER_VALUE(&p, "url"), "url: expected an https:// or http:// URL");
                FORBID(x, &p, notifier_fields, "from", "applies only to smtp notifiers");
                FORBID(x, &p, notifier_fields, "username_file", "applies only to smtp notifiers");
                FORBID(x, &p, notifier_fields, "username_credential", "applies only to smtp notifiers");
                FORBID(x, &p, notifier_fields, "password_file", "applies only to smtp notifiers");
                FORBID(x, &p, notifier_fields, "password_credential", "applies only to smtp notifiers");
                FORBID(x, &p, notifier_fields, "directory", "applies only to directory notifiers");
                break;
        case NOTIFIER_DIRECTORY:
                REQUIRE(x, &p, notifier_fields, "directory", n->pos, what);
                if (n->directory && n->directory[0] != '/')
                        ctx_error(x, NOTIFIER_VALUE(&p, "directory"), "directory: must be an absolute path");
                FORBID(x, &p, notifier_fields, "url", "does not apply to directory notifiers");
                FORBID(x, &p, notifier_fields, "from", "applies only to smtp notifiers");
                FORBID(x, &p, notifier_fields, "username_file", "applies only to smtp notifiers");
                FORBID(x, &p, notifier_fields, "username_credential", "applies only to smtp notifiers");
                FORBID(x, &p, notifier_fields, "password_file", "applies only to smtp notifiers");
                FORBID(x, &p, notifier_fields, "password_credential", "applies only to smtp notifiers");
                FORBID(x, &p, notifier_fields, "secret_file", "applies only to webhook notifiers");
                FORBID(x, &p, notifier_fields, "secret_credential", "applies only to webhook notifiers");
                FORBID(x, &p, notifier_fields, "ca_file", "does not apply to directory notifiers");
                break;
        case NOTIFIER_ALERTMANAGER:
                REQUIRE(x, &p, notifier_fields, "url", n->pos, what);
                if (n->url && !url_has_scheme(n->url, web_schemes, ELEMENTSOF(web_schemes)))
                        ctx_error(x, NOTIFIER_VALUE(&p, "url"), "url: expected an https:// or http:// URL");
                FORBID(x, &p, notifier_fields, "from", "applies only to smtp notifiers");
                FORBID(x, &p, notifier_fields, "username_file", "applies only to smtp notifiers");
                FORBID(x, &p, notifier_fields, "username_credential", "applies only to smtp notifiers");
                FORBID(x, &p, notifier_fields, "password_file", "applies only to smtp notifiers");
                FORBID(x, &p, notifier_fields, "password_credential", "applies only to smtp notifiers");
                FORBID(x, &p, notifier_fields, "secret_file", "applies only to webhook notifiers");
                FORBID(x, &p, notifier_fields, "secret_credential", "applies only to webhook notifiers");
                FORBID(x, &p, notifier_fields, "directory", "applies only to directory notifiers");
                break;
        default:
                break;
        }
        if (n->kind >= 0 && n->kind != NOTIFIER_SMTP)
                FORBID(x, &p, notifier_fields, "allow_plaintext", "applies only to smtp notifiers");
        if (n->kind >= 0 && n->kind != NOTIFIER_WEBHOOK)
                FORBID(x, &p, notifier_fields, "format", "applies only to webhook notifiers");
        if (PARSED_HAS(&p, notifier_fields, "retry_max") && n->retry_max_usec == 0)
                ctx_error(x, NOTIFIER_VALUE(&p, "retry_max"), "retry_max: must be greater than 0");
        if (PARSED_HAS(&p, notifier_fields, "give_up_after") && n->give_up_after_usec == 0)
                ctx_error(x, NOTIFIER_VALUE(&p, "give_up_after"), "give_up_after: must be greater than 0");
        if (n->ca_file && n->ca_file[0] != '/')
                ctx_error(x, NOTIFIER_VALUE(&p, "ca_file"), "ca_file: must be an absolute path");
        if (PARSED_HAS(&p, notifier_fields, "timeout") && n->timeout_usec == 0)
                ctx_error(x, NOTIFIER_VALUE(&p, "timeout"), "timeout: must be greater than 0");
}

static const Field route_fields[] = {
        {"goals", F_STRV, offsetof(RouteDef, goals), offsetof(RouteDef, n_goals), NULL, 0, REF_NONE},
        {"recipients", F_STRV, offsetof(RouteDef, recipients), offsetof(RouteDef, n_recipients), NULL, 0,
         REF_RECIPIENT},
        {"notifiers", F_STRV, offsetof(RouteDef, notifiers), offsetof(RouteDef, n_notifiers), NULL, 0,
         REF_NOTIFIER},
        {"repeat", F_CUSTOM, 0, 0, NULL, 0, REF_NONE},
        {"data_problems", F_BOOL, offsetof(RouteDef, data_problems), 0, NULL, 0, REF_NONE},
        {"notify_at_risk", F_BOOL, offsetof(RouteDef, notify_at_risk), 0, NULL, 0, REF_NONE},
        {"send_resolved", F_BOOL, offsetof(RouteDef, send_resolved), 0, NULL, 0, REF_NONE},
};

/* `repeat: 2` (a whole number) is every 2 new data periods; `repeat: 30d` (a duration) is by the clock. */
static void value_repeat(Ctx *x, yaml_node_t *v, RouteDef *r)
{
        const char *s = node_scalar(v);
        unsigned long long n;

        if (!s) {
                ctx_error(x, v, "repeat: expected a number of data periods or a duration, got %s",
                          node_describe(v));
                return;
        }
        if (*s >= '0' && *s <= '9' && safe_atou64(s, &n) >= 0) {
                if (n > REPEAT_PERIODS_MAX)
                        ctx_error(x, v, "repeat: at most %u data periods (or give a duration like 30d)",
                                  REPEAT_PERIODS_MAX);
                else
                        r->repeat_periods = (unsigned) n;
                return;
        }
        if (parse_duration(s, &r->repeat_usec) < 0)
                ctx_error(x, v,
                          "repeat: bad value '%s', expected a number of data periods (e.g. 2) or a duration "
                          "(e.g. 30d)",
                          s);
}

static void parse_route(Ctx *x, yaml_node_t *v)
{
        Config *c = x->c;
        RouteDef *r;
        Parsed p;

        if (GREEDY_REALLOC(c->routes, x->n_routes_alloc, c->n_routes + 1) < 0) {
                x->oom = true;
                return;
        }
        r = &c->routes[c->n_routes++];
        *r = (RouteDef){.send_resolved = true, .pos = node_pos(x, v)};
        parse_fields(x, v, "route", route_fields, ELEMENTSOF(route_fields), r, &p);
        if (v->type != YAML_MAPPING_NODE)
                return;
        if (PARSED_HAS(&p, route_fields, "repeat"))
                value_repeat(x, p.value[field_index(route_fields, ELEMENTSOF(route_fields), "repeat")], r);
        REQUIRE(x, &p, route_fields, "notifiers", r->pos, "route");
        if (PARSED_HAS(&p, route_fields, "notifiers") && r->n_notifiers == 0)
                ctx_error(x, p.value[field_index(route_fields, ELEMENTSOF(route_fields), "notifiers")],
                          "notifiers: must name at least one notifier");
}

/* ---- sections ---- */

typedef void (*parse_named_t)(Ctx *x, const char *name, yaml_node_t *key, yaml_node_t *v);

/* A mapping of name -> definition. */
static void parse_named_section(Ctx *x, const char *section, yaml_node_t *v, parse_named_t f)
{
        if (node_is_null(v))
                return;
        if (v->type != YAML_MAPPING_NODE) {
                ctx_error(x, v, "%s: expected a mapping of name: definition, got %s", section,
                          node_describe(v));
                return;
        }
        for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
                const char *k = mapping_key(x, v, p);
                if (!k)
                        continue;
                f(x, k, node_get(x, p->key), node_get(x, p->value));
        }
}

static void parse_goals_section(Ctx *x, yaml_node_t *v)
{
        if (node_is_null(v))
                return;
        if (v->type == YAML_SEQUENCE_NODE) {
                for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++)
                        parse_goal(x, NULL, node_get(x, *i));
        } else if (v->type == YAML_MAPPING_NODE) {
                for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++)
                        if (mapping_key(x, v, p))
                                parse_goal(x, node_get(x, p->key), node_get(x, p->value));
        } else
                ctx_error(x, v, "goals: expected a list or a mapping of goals, got %s", node_describe(v));
}

static void parse_routes_section(Ctx *x, yaml_node_t *v)
{
        if (node_is_null(v))
                return;
        if (v->type != YAML_SEQUENCE_NODE) {
                ctx_error(x, v, "routes: expected a list of routes, got %s", node_describe(v));
                return;
        }
        for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++)
                parse_route(x, node_get(x, *i));
}

static const Field main_fields[] = {
        {"state_dir", F_STRING, offsetof(Config, state_dir), 0, NULL, 0, REF_NONE},
        {"language", F_CHOICE, offsetof(Config, language), 0, language_table, ELEMENTSOF(language_table),
         REF_NONE},
        {"goals_dir", F_STRING, offsetof(Config, goals_dir), 0, NULL, 0, REF_NONE},
        {"plan", F_STRING, offsetof(Config, plan), 0, NULL, 0, REF_NONE},
        {"municipality", F_STRING, offsetof(Config, municipality), 0, NULL, 0, REF_NONE},
        {"templates_dir", F_STRING, offsetof(Config, templates_dir), 0, NULL, 0, REF_NONE},
        {"metrics_file", F_STRING, offsetof(Config, metrics_file), 0, NULL, 0, REF_NONE},
        {"sources", F_SECTION, 0, 0, NULL, 0, REF_NONE},
        {"series", F_SECTION, 0, 0, NULL, 0, REF_NONE},
        {"goals", F_SECTION, 0, 0, NULL, 0, REF_NONE},
        {"recipients", F_SECTION, 0, 0, NULL, 0, REF_NONE},
        {"notifiers", F_SECTION, 0, 0, NULL, 0, REF_NONE},
        {"routes", F_SECTION, 0, 0, NULL, 0, REF_NONE},
};

static const Field goal_file_fields[] = {
        {"goals", F_SECTION, 0, 0, NULL, 0, REF_NONE},
        {"series", F_SECTION, 0, 0, NULL, 0, REF_NONE},
};

static void parse_root(Ctx *x, yaml_node_t *root)
{
        const Field *fields = x->main_file ? main_fields : goal_file_fields;
        size_t n = x->main_file ? ELEMENTSOF(main_fields) : ELEMENTSOF(goal_file_fields);
        yaml_node_t *v;
        Parsed p;

        if (!root || node_is_null(root))
                return; /* an empty file: everything defaults */
        parse_fields(x, root, x->main_file ? "the main configuration" : "a goal file", fields, n, x->c, &p);
        if (root->type != YAML_MAPPING_NODE)
                return;

#define SECTION(key) (parsed_has(&p, fields, n, key) ? p.value[field_index(fields, n, key)] : NULL)
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
        }
#undef SECTION
}

static void yaml_document_deletep(yaml_document_t **d)
{
        if (*d)
                yaml_document_delete(*d);
}

static void yaml_parser_deletep(yaml_parser_t **p)
{
        if (*p)
                yaml_parser_delete(*p);
}

#define NESTING_MAX 64

/* libyaml's loader recurses once per nesting level: refuse absurd nesting before loading, with an
 * event pass that needs no recursion; and refuse a file of more than CONFIG_NODES_MAX nodes before
 * building them. A syntax error here is left for the loader to report. */
static bool check_nesting(Ctx *x, const char *buf, size_t size)
{
        yaml_parser_t parser;
        unsigned depth = 0;
        size_t nodes = 0;
        bool ok = true;

        if (!yaml_parser_initialize(&parser)) {
                x->oom = true;
                return false;
        }
        yaml_parser_set_input_string(&parser, (const unsigned char *) buf, size);
        for (;;) {
                yaml_event_t ev;
                yaml_event_type_t t;

                if (!yaml_parser_parse(&parser, &ev))
                        break;
                t = ev.type;
                if ((t == YAML_SCALAR_EVENT || t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT) &&
                    ++nodes > CONFIG_NODES_MAX) {
                        /* Bounds the memory and time of loading the document (see config.h). */
                        ctx_error_at(x, x->file, (unsigned) ev.start_mark.line + 1,
                                     (unsigned) ev.start_mark.column + 1,
                                     "more than %u YAML nodes (keys, values, lists) in one file; split the "
                                     "goals into several files in the goal directory",
                                     CONFIG_NODES_MAX);
                        ok = false;
                } else if (t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT) {
                        if (++depth > NESTING_MAX) {
                                ctx_error_at(x, x->file, (unsigned) ev.start_mark.line + 1,
                                             (unsigned) ev.start_mark.column + 1,
                                             "nested deeper than %d levels", NESTING_MAX);
                                ok = false;
                        }
                } else if (t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT)
                        depth--;
                yaml_event_delete(&ev);
                if (!ok || t == YAML_STREAM_END_EVENT)
                        break;
        }
        yaml_parser_delete(&parser);
        return ok;
}

/* Reads and parses one file. I/O and syntax errors are reported against the file; returns -ENOMEM only. */
static int ctx_parse_file(Ctx *x, const char *path, bool main_file)
{
        _cleanup_free_ char *buf = NULL;
        yaml_parser_t parser;
        yaml_document_t doc, extra;
        _cleanup_(yaml_parser_deletep) yaml_parser_t *pp = NULL;
        _cleanup_(yaml_document_deletep) yaml_document_t *dp = NULL;
        size_t size = 0;
        char *f;
        int r;

        f = strdup(path);
        if (!f || GREEDY_REALLOC(x->c->files, x->n_files_alloc, x->c->n_files + 1) < 0) {
                free(f);
                return -ENOMEM;
        }
        x->c->files[x->c->n_files++] = f;
        x->file = f;
        x->main_file = main_file;

        r = read_full_file(path, CONFIG_FILE_MAX, &buf, &size);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                x->some_broken = true;
                ctx_error_at(x, f, 0, 0, "cannot read: %s", r == -EFBIG ? "file too large" : strerror(-r));
                /* Without the main file there is nothing to check; a bad goal file spoils only itself. */
                return main_file ? r : 0;
        }
        if (memchr(buf, 0, size)) {
                x->some_broken = true;
                x->main_broken = x->main_broken || main_file;
                ctx_error_at(x, f, 0, 0, "not a text file (contains a NUL byte)");
                return 0;
        }

        if (!check_nesting(x, buf, size)) {
                x->some_broken = true;
                x->main_broken = x->main_broken || main_file;
                return x->oom ? -ENOMEM : 0;
        }

        if (!yaml_parser_initialize(&parser))
                return -ENOMEM;
        pp = &parser;
        yaml_parser_set_input_string(&parser, (const unsigned char *) buf, size);
        if (!yaml_parser_load(&parser, &doc)) {
                if (parser.error == YAML_MEMORY_ERROR)
                        return -ENOMEM;
                x->some_broken = true;
                x->main_broken = x->main_broken || main_file;
                if (parser.context)
                        ctx_error_at(x, f, (unsigned) parser.problem_mark.line + 1,
                                     (unsigned) parser.problem_mark.column + 1,
                                     "YAML syntax error: %s (%s starting at line %u)", strna(parser.problem),
                                     parser.context, (unsigned) parser.context_mark.line + 1);
                else
                        ctx_error_at(x, f, (unsigned) parser.problem_mark.line + 1,
                                     (unsigned) parser.problem_mark.column + 1, "YAML syntax error: %s",
                                     strna(parser.problem));
                return 0;
        }
        dp = &doc;

        x->doc = &doc;
        x->buf = buf;
        x->n_map_offset = (size_t) (doc.nodes.top - doc.nodes.start);
        x->map_offset = xmalloc_array(MAX(x->n_map_offset, (size_t) 1), sizeof(size_t));
        if (!x->map_offset)
                return -ENOMEM;
        for (size_t i = 0; i < x->n_map_offset; i++)
                x->map_offset[i] = SIZE_MAX;
        x->n_pair_first = 0;
        parse_root(x, yaml_document_get_root_node(&doc));
        free(x->map_offset);
        x->map_offset = NULL;
        x->n_map_offset = 0;

        /* A second document would be silently ignored: say so instead. */
        if (yaml_parser_load(&parser, &extra)) {
                yaml_node_t *root2 = yaml_document_get_root_node(&extra);
                if (root2)
                        ctx_error_at(x, f, (unsigned) extra.start_mark.line + 1,
                                     (unsigned) extra.start_mark.column + 1,
                                     "only one YAML document per file is read; remove the second document");
                yaml_document_delete(&extra);
        } else if (parser.error == YAML_MEMORY_ERROR)
                return -ENOMEM;
        else if (parser.error != YAML_NO_ERROR)
                ctx_error_at(x, f, (unsigned) parser.problem_mark.line + 1,
                             (unsigned) parser.problem_mark.column + 1, "YAML syntax error: %s",
                             strna(parser.problem));
        x->doc = NULL;
        x->buf = NULL;
        return x->oom ? -ENOMEM : 0;
}

static int cmp_strp(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static void strv_freep(char ***v)
{
        if (*v)
                for (char **p = *v; *p; p++)
                        free(*p);
        free(*v);
}

/* goals.d/ *.yaml in name (byte) order. A missing directory is fine. */
static int ctx_parse_goals_dir(Ctx *x, const char *dir)
{
        _cleanup_(strv_freep) char **names = NULL;
        size_t n = 0, alloc = 0;
        DIR *d;
        struct dirent *de;
        int r = 0;

        d = opendir(dir);
        if (!d) {
                if (errno == ENOENT)
                        return 0;
                ctx_error_at(x, dir, 0, 0, "cannot read goal directory: %s", strerror(errno));
                return 0;
        }
        while ((errno = 0, de = readdir(d))) {
                _cleanup_free_ char *p = NULL;
                struct stat st;

                if (de->d_name[0] == '.' || !endswith(de->d_name, ".yaml"))
                        continue;
                p = strdup_printf("%s/%s", dir, de->d_name);
                if (!p) {
                        r = -ENOMEM;
                        break;
                }
                if (stat(p, &st) < 0 || !S_ISREG(st.st_mode))
                        continue;
                if (n >= CONFIG_GOAL_FILES_MAX) {
                        ctx_error_at(x, dir, 0, 0, "more than %u goal files; only the first %u in directory order are read",
                                     CONFIG_GOAL_FILES_MAX, CONFIG_GOAL_FILES_MAX);
                        x->some_broken = true;
                        break;
                }
                if (GREEDY_REALLOC(names, alloc, n + 2) < 0) {
                        r = -ENOMEM;
                        break;
                }
                names[n++] = TAKE_PTR(p);
                names[n] = NULL;
        }
        closedir(d);
        if (r < 0)
                return r;
        if (n > 0)
                qsort(names, n, sizeof(char *), cmp_strp);
        for (size_t i = 0; i < n; i++) {
                r = ctx_parse_file(x, names[i], false);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void ctx_check_refs(Ctx *x)
{
        static const char *const kinds[] = {
                [REF_SOURCE] = "source",
                [REF_SERIES] = "series",
                [REF_RECIPIENT] = "recipient",
                [REF_NOTIFIER] = "notifier",
        };
        const Config *c = x->c;

        for (size_t i = 0; i < x->n_refs; i++) {
                const Ref *r = &x->refs[i];
                bool ok;

                switch (r->kind) {
                case REF_SOURCE:
                        ok = config_find_source(c, r->name);
                        break;
                case REF_SERIES:
                        ok = config_find_series(c, r->name);
                        break;
                case REF_RECIPIENT:
                        ok = config_find_recipient(c, r->name);
                        break;
                case REF_NOTIFIER:
                        ok = config_find_notifier(c, r->name);
                        break;
                default:
                        ok = true;
                }
                if (!ok)
                        ctx_error_pos(x, r->pos, "undefined %s '%s'", kinds[r->kind], r->name);
        }
}

typedef struct SortedError {
        size_t file; /* index in reading order; files not read (a goal directory) sort last */
        size_t seq;  /* order found: keeps the sort stable */
        ConfigError e;
} SortedError;

static int error_compare(const void *pa, const void *pb)
{
        const SortedError *a = pa, *b = pb;

        if (a->file != b->file)
                return a->file < b->file ? -1 : 1;
        if (a->e.line != b->e.line)
                return a->e.line < b->e.line ? -1 : 1;
        if (a->e.column != b->e.column)
                return a->e.column < b->e.column ? -1 : 1;
        return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Sorts by file (in reading order), line, column; errors at one position keep the order in which
 * they were found. O(n log n) with the file indexes looked up once. Returns 0 or -ENOMEM. */
static int errors_sort(const Config *c, ConfigError *items, size_t n)
{
        _cleanup_(hashmap_freep) Hashmap *files = NULL;
        _cleanup_free_ SortedError *v = xmalloc_array(n, sizeof(SortedError));

        if (!v || hashmap_new(c->n_files, &files) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_files; i++)
                if (hashmap_put(files, c->files[i], (void *) (uintptr_t) (i + 1), NULL) < 0)
                        return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                uintptr_t f = (uintptr_t) hashmap_get(files, items[i].file);
                v[i] = (SortedError){.file = f ? f - 1 : c->n_files, .seq = i, .e = items[i]};
        }
        qsort(v, n, sizeof(SortedError), error_compare);
        for (size_t i = 0; i < n; i++)
                items[i] = v[i].e;
        return 0;
}

static char *dirname_of(const char *path)
{
        const char *slash = strrchr(path, '/');
        if (!slash)
                return strdup(".");
        if (slash == path)
                return strdup("/");
        return strndup(path, (size_t) (slash - path));
}

/* templates_dir: relative to the main file's directory; by default templates/ there when it is a
 * directory, else NULL (the built-in templates). Returns 0 or -ENOMEM. */
static int config_resolve_templates_dir(Config *c, const char *path)
{
        _cleanup_free_ char *dir = dirname_of(path), *t = NULL;
        struct stat st;

        if (!dir)
                return -ENOMEM;
        if (c->templates_dir) {
                if (c->templates_dir[0] == '/')
                        return 0;
                t = strdup_printf("%s/%s", dir, c->templates_dir);
                if (!t)
                        return -ENOMEM;
                free(c->templates_dir);
                c->templates_dir = TAKE_PTR(t);
                return 0;
        }
        t = strdup_printf("%s/templates", dir);
        if (!t)
                return -ENOMEM;
        if (stat(t, &st) >= 0 && S_ISDIR(st.st_mode))
                c->templates_dir = TAKE_PTR(t);
        return 0;
}

int config_load(const char *path, Config **ret, ConfigErrors *errors)
{
        _cleanup_(config_freep) Config *c = NULL;
        ConfigErrors local = {};
        size_t first_error;
        Ctx x = {};
        int r;

        assert(path);
        assert(ret);
        if (!errors)
                errors = &local;
        first_error = errors->n_items;

        c = calloc(1, sizeof(Config));
        if (!c)
                return -ENOMEM;
        x.c = c;
        x.errors = errors;
        x.first_error = first_error;

        r = ctx_parse_file(&x, path, true);
        if (r < 0)
                goto finish;

        if (!c->state_dir && !(c->state_dir = strdup(DEFAULT_STATE_DIR)))
                x.oom = true;
        if (!c->language && !(c->language = strdup("da")))
                x.oom = true;
        if (!c->plan && !(c->plan = strdup(DEFAULT_PLAN)))
                x.oom = true;
        if (config_resolve_templates_dir(c, path) < 0)
                x.oom = true;
        if (c->goals_dir && c->goals_dir[0] != '/') {
                _cleanup_free_ char *dir = dirname_of(path);
                char *g = dir ? strdup_printf("%s/%s", dir, c->goals_dir) : NULL;
                if (!g)
                        x.oom = true;
                else {
                        free(c->goals_dir);
                        c->goals_dir = g;
                }
        } else if (!c->goals_dir) {
                _cleanup_free_ char *dir = dirname_of(path);
                if (!dir || !(c->goals_dir = strdup_printf("%s/goals.d", dir)))
                        x.oom = true;
        }
        if (x.oom) {
                r = -ENOMEM;
                goto finish;
        }

        r = ctx_parse_goals_dir(&x, c->goals_dir);
        if (r < 0)
                goto finish;

        if (config_build_index(c) < 0) {
                r = -ENOMEM;
                goto finish;
        }
        if (!x.some_broken)
                ctx_check_refs(&x);

        for (size_t i = 0; i < c->n_recipients; i++)
                if (!c->recipients[i].language && !(c->recipients[i].language = strdup(c->language)))
                        x.oom = true;
        for (size_t i = 0; i < c->n_series; i++)
                if (c->series[i].source)
                        c->series[i].source_def = config_find_source(c, c->series[i].source);
        for (size_t i = 0; i < c->n_goals; i++)
                if (!c->goals[i].plan && !(c->goals[i].plan = strdup(c->plan)))
                        x.oom = true;

        if (x.oom)
                r = -ENOMEM;
        else if (errors->n_items > first_error)
                r = -EINVAL;
        else
                r = 0;

finish:
        if (errors->n_items > first_error && errors_sort(c, errors->items + first_error,
                                                         errors->n_items - first_error) < 0)
                r = -ENOMEM;
        if (x.n_suppressed > 0) {
                x.uncapped = true; /* lift the cap for this one line */
                ctx_error_at(&x, path, 0, 0, "%zu more errors not shown (at most %u are reported)",
                             x.n_suppressed, CONFIG_ERRORS_MAX);
        }
        for (size_t i = 0; i < x.n_refs; i++)
                free(x.refs[i].name);
        free(x.refs);
        free(x.map_offset);
        free(x.pair_first);
        hashmap_free(x.source_names);
        hashmap_free(x.series_names);
        hashmap_free(x.goal_ids);
        config_errors_done(&local);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}
