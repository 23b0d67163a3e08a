/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The configuration's types: enum <-> string tables, freeing, errors, and the lookups by name (a
 * hash index built once by config_load()). The other layers: config-schema.c (what each section may
 * contain), config-load.c (files, goals.d, cross-references), yaml-fields.c (the generic YAML field
 * engine). */
#include <assert.h>
#include <stddef.h>
#include <stdlib.h>

#include "config-internal.h"
#include "labourwatch/macro.h"

/* ---- enum tables ---- */

const char *const source_kind_table[_SOURCE_KIND_MAX] = {
        [SOURCE_STATBANK] = "statbank",
        [SOURCE_JOBINDSATS] = "jobindsats",
        [SOURCE_CSV] = "csv",
        [SOURCE_JSONSTAT] = "jsonstat",
        [SOURCE_PXWEB] = "pxweb",
};
const char *const goal_kind_table[_GOAL_KIND_MAX] = {
        [GOAL_LEVEL] = "level",         [GOAL_CHANGE] = "change", [GOAL_SHARE] = "share",
        [GOAL_REFERENCE] = "reference", [GOAL_RANK] = "rank",     [GOAL_CUMULATIVE] = "cumulative",
};
const char *const goal_direction_table[_GOAL_DIRECTION_MAX] = {
        [GOAL_AT_LEAST] = "at_least",
        [GOAL_AT_MOST] = "at_most",
};
const char *const goal_aggregate_table[_GOAL_AGGREGATE_MAX] = {
        [GOAL_AGGREGATE_AVERAGE] = "average",
        [GOAL_AGGREGATE_LATEST] = "latest",
        [GOAL_AGGREGATE_SUM] = "sum",
};
const char *const change_unit_table[_CHANGE_UNIT_MAX] = {
        [CHANGE_PERCENT] = "percent",
        [CHANGE_POINTS] = "points",
        [CHANGE_ABSOLUTE] = "absolute",
};
const char *const goal_status_from_table[_GOAL_STATUS_FROM_MAX] = {
        [GOAL_STATUS_FROM_PROJECTION] = "projection",
        [GOAL_STATUS_FROM_PROBABILITY] = "probability",
};
const char *const projection_method_table[_PROJECTION_METHOD_MAX] = {
        [PROJECTION_AUTO] = "auto",
        [PROJECTION_LINEAR] = "linear",
        [PROJECTION_SEASONAL] = "seasonal",
        [PROJECTION_NONE] = "none",
        [PROJECTION_SMOOTHED] = "smoothed",
};
const char *const notifier_kind_table[_NOTIFIER_KIND_MAX] = {
        [NOTIFIER_SMTP] = "smtp",
        [NOTIFIER_WEBHOOK] = "webhook",
        [NOTIFIER_DIRECTORY] = "directory",
        [NOTIFIER_ALERTMANAGER] = "alertmanager",
};
const char *const webhook_format_table[_WEBHOOK_FORMAT_MAX] = {
        [WEBHOOK_GENERIC] = "generic",
        [WEBHOOK_TEAMS] = "teams",
};
const char *const notifier_auth_table[_NOTIFIER_AUTH_MAX] = {
        [NOTIFIER_AUTH_PASSWORD] = "password",
        [NOTIFIER_AUTH_OAUTH2] = "oauth2",
};
const char *const encoding_table[3] = {"auto", "utf-8", "windows-1252"};
/* Same order as PeriodFreq. */
const char *const freq_table[_PERIOD_FREQ_MAX] = {
        [PERIOD_YEAR] = "year",   [PERIOD_HALF] = "half", [PERIOD_QUARTER] = "quarter",
        [PERIOD_MONTH] = "month", [PERIOD_QMAT] = "qmat",
};
const char *const language_table[2] = {"da", "en"};

DEFINE_STRING_TABLE_LOOKUP(source_kind, SourceKind);

const char *source_default_display_name(SourceKind k, bool en)
{
        /* the publishers' own names (statistikbanken.dk, jobindsats.dk); a CSV file is the
         * municipality's own figures, most often the job centre's */
        switch (k) {
        case SOURCE_STATBANK:
                return en ? "Statistics Denmark" : "Statistikbanken";
        case SOURCE_JOBINDSATS:
                return "Jobindsats";
        case SOURCE_CSV:
                return en ? "The job centre's own figures" : "Jobcentrets egne tal";
        default:
                return NULL;
        }
}
DEFINE_STRING_TABLE_LOOKUP(goal_kind, GoalKind);
DEFINE_STRING_TABLE_LOOKUP(goal_direction, GoalDirection);
DEFINE_STRING_TABLE_LOOKUP(goal_aggregate, GoalAggregate);
DEFINE_STRING_TABLE_LOOKUP(change_unit, ChangeUnit);
DEFINE_STRING_TABLE_LOOKUP(projection_method, ProjectionMethod);
DEFINE_STRING_TABLE_LOOKUP(notifier_kind, NotifierKind);
DEFINE_STRING_TABLE_LOOKUP(webhook_format, WebhookFormat);
DEFINE_STRING_TABLE_LOOKUP(notifier_auth, NotifierAuth);

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
        free(s->display_name_da);
        free(s->display_name_en);
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
        free(r->salutation);
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
        free(n->token_url);
        free(n->client_id);
        secret_ref_done(&n->client_secret);
        free(n->scope);
        secret_ref_done(&n->secret);
        free(n->directory);
        free(n->ca_file);
}

static void route_def_done(RouteDef *r)
{
        strv_free_n(r->goals, r->n_goals);
        strv_free_n(r->recipients, r->n_recipients);
        strv_free_n(r->notifiers, r->n_notifiers);
        free(r->report_plan);
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
int config_build_index(Config *c)
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

