/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The committee report: store -> evaluations -> charts -> one HTML file or a PDF. See report.h. */
#include <assert.h>
#include <cairo-pdf.h>
#include <cairo.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>

#include "labourwatch/chart.h"
#include "labourwatch/evaluate.h"
#include "labourwatch/macro.h"
#include "labourwatch/report.h"
#include "labourwatch/text.h"

static const char *const report_format_table[_REPORT_FORMAT_MAX] = {
        [REPORT_FORMAT_HTML] = "html",
        [REPORT_FORMAT_PDF] = "pdf",
};

DEFINE_STRING_TABLE_LOOKUP(report_format, ReportFormat)

char *report_base64(const void *data, size_t n)
{
        static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const unsigned char *p = data;
        char *out, *o;

        if (n > (SIZE_MAX - 1) / 4 * 3 - 3)
                return NULL;
        out = o = malloc((n + 2) / 3 * 4 + 1);
        if (!out)
                return NULL;
        for (size_t i = 0; i < n; i += 3) {
                uint32_t v = (uint32_t) p[i] << 16 | (i + 1 < n ? (uint32_t) p[i + 1] << 8 : 0) |
                             (i + 2 < n ? p[i + 2] : 0);
                *o++ = tab[v >> 18 & 63];
                *o++ = tab[v >> 12 & 63];
                *o++ = i + 1 < n ? tab[v >> 6 & 63] : '=';
                *o++ = i + 2 < n ? tab[v & 63] : '=';
        }
        *o = 0;
        return out;
}

/* ---- the model ---- */

typedef struct Provenance_ {
        const char *series;   /* points into the Config */
        const char *label;    /* the series' label, or its name */
        char *source, *table, *url;
        int64_t first_fetched, last_fetched;
        bool derived;         /* computed from other series (expr) */
} SourceRow;

typedef struct Revision {
        const char *label;
        Period period;
        double old_value, new_value;
        bool old_missing, new_missing;
        int64_t at;
} Revision;

typedef struct ReportGoal {
        const GoalDef *g;
        const GoalResult *r;
        char explanation[GOAL_TEXT_MAX * 2];
        ChartData chart;
        bool has_chart;
        SourceRow sources[_GOAL_ROLE_MAX];
        size_t n_sources;
        Revision *revisions;
        size_t n_revisions, n_revisions_alloc;
} ReportGoal;

typedef struct Report {
        const Config *c;
        const ReportOptions *o;
        const char *plan;
        const char *lang;
        bool en;
        ReportGoal *goals;
        size_t n_goals;
        GoalResult *results;
        size_t n_results;
        SeriesSet *set;
} Report;

static void report_done(Report *rep)
{
        for (size_t i = 0; i < rep->n_goals; i++) {
                ReportGoal *rg = &rep->goals[i];
                for (size_t k = 0; k < rg->n_sources; k++) {
                        free(rg->sources[k].source);
                        free(rg->sources[k].table);
                        free(rg->sources[k].url);
                }
                free(rg->revisions);
        }
        free(rep->goals);
        goal_results_free(rep->results, rep->n_results);
        series_set_free(rep->set);
}

static int load_series(void *userdata, const char *name, Series **ret, char **ret_error)
{
        Store *st = userdata;

        return st ? store_load_series(st, name, ret, ret_error) : series_new(name, ret);
}

static const char *series_label(const SeriesDef *d, bool en)
{
        if (!d)
                return NULL;
        if (en && d->label_en)
                return d->label_en;
        return d->label_da ? d->label_da : d->name;
}

static bool period_relevant(const GoalDef *g, Period p)
{
        return period_contains(g->period, p) || (period_is_valid(g->baseline) && period_contains(g->baseline, p));
}

static Date date_of_usec(int64_t usec)
{
        return date_from_days(usec / (int64_t) USEC_PER_DAY);
}

/* Provenance and revisions of one series of a goal, from its stored history. Rows come oldest period
 * first, the revisions of a period in fetch order, so a revision is a row following a row of the
 * same period. */
static int collect_history(Report *rep, Store *st, ReportGoal *rg, GoalRole role, const char *name,
                           Period **revised, size_t *n_revised, char **ret_error)
{
        const SeriesDef *d = config_find_series(rep->c, name);
        SourceRow *src = &rg->sources[rg->n_sources++];
        StoredObservation *h = NULL;
        size_t n = 0, alloc = 0;
        int r;

        *src = (SourceRow){ .series = name, .label = series_label(d, rep->en), .derived = d && d->expr };
        if (!src->label)
                src->label = name;
        if (!st)
                return 0;
        r = store_series_history(st, name, &h, &n, ret_error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                const StoredObservation *o = &h[i];
                if (o->superseded_at == 0) {
                        if (!src->source && o->source) {
                                src->source = strdup(o->source);
                                src->table = strdup_or_null(o->table);
                                src->url = strdup_or_null(o->url);
                                if (!src->source || (o->table && !src->table) || (o->url && !src->url)) {
                                        r = -ENOMEM;
                                        goto finish;
                                }
                        }
                        if (src->first_fetched == 0 || o->fetched_at < src->first_fetched)
                                src->first_fetched = o->fetched_at;
                        src->last_fetched = MAX(src->last_fetched, o->fetched_at);
                }
                if (i == 0 || !period_equal(h[i - 1].period, o->period) || !period_relevant(rg->g, o->period))
                        continue;
                if (role == (rg->g->kind == GOAL_SHARE ? GOAL_ROLE_NUMERATOR : GOAL_ROLE_SERIES)) {
                        if (GREEDY_REALLOC(*revised, alloc, *n_revised + 1) < 0) {
                                r = -ENOMEM;
                                goto finish;
                        }
                        (*revised)[(*n_revised)++] = o->period;
                }
                if (rep->o->has_since && date_compare(date_of_usec(o->fetched_at), rep->o->since) < 0)
                        continue;
                if (GREEDY_REALLOC(rg->revisions, rg->n_revisions_alloc, rg->n_revisions + 1) < 0) {
                        r = -ENOMEM;
                        goto finish;
                }
                rg->revisions[rg->n_revisions++] = (Revision){
                        .label = src->label, .period = o->period, .old_value = h[i - 1].value,
                        .old_missing = h[i - 1].missing, .new_value = o->value, .new_missing = o->missing,
                        .at = o->fetched_at,
                };
        }
        r = 0;
finish:
        store_observations_free(h, n);
        return r;
}

static int goal_chart(const Report *rep, const GoalDef *g, const GoalResult *r, const Period *revised,
                      size_t n_revised, ChartData *ret)
{
        const SeriesDef *main_def, *own, *ref;
        const char *unit;
        int k;

        main_def = config_find_series(rep->c, goal_role_series(g, g->kind == GOAL_SHARE ? GOAL_ROLE_NUMERATOR
                                                                                    : GOAL_ROLE_SERIES));
        unit = main_def ? (rep->en && main_def->unit_en ? main_def->unit_en : main_def->unit_da) : NULL;
        k = chart_data_from_set(g, r, rep->set, rep->o->date, unit, revised, n_revised, rep->o->language, ret);
        if (k < 0 || g->kind != GOAL_REFERENCE)
                return k;
        /* name the lines after the series when they have labels ("Herlev", "hele landet") */
        own = config_find_series(rep->c, g->series);
        ref = config_find_series(rep->c, g->reference);
        for (size_t i = 0; i < ret->n_lines; i++) {
                ChartLine *line = &ret->lines[i];
                const SeriesDef *d = line->style == CHART_LINE_MAIN ? own : line->style == CHART_LINE_REFERENCE ? ref : NULL;
                if (d && d->label_da)
                        snprintf(line->label, sizeof(line->label), "%s", series_label(d, rep->en));
        }
        return 0;
}

static int build(Report *rep, Store *st, char **ret_error)
{
        const Config *c = rep->c;
        size_t n_sel = 0;
        int r;

        for (size_t i = 0; i < c->n_goals; i++)
                n_sel += streq(strempty(c->goals[i].plan ? c->goals[i].plan : c->plan), rep->plan);
        if (n_sel == 0) {
                if (ret_error)
                        *ret_error = strdup_printf("no goal belongs to the plan '%s'", rep->plan);
                return -ENOENT;
        }
        rep->goals = calloc(n_sel, sizeof(ReportGoal));
        if (!rep->goals)
                return -ENOMEM;

        r = evaluate_build_series(c, load_series, st, &rep->set, ret_error);
        if (r < 0)
                return r;
        r = evaluate_goals(c, rep->set, rep->o->date, &rep->results, &rep->n_results, ret_error);
        if (r < 0)
                return r;

        for (size_t i = 0; i < c->n_goals; i++) {
                const GoalDef *g = &c->goals[i];
                ReportGoal *rg;
                _cleanup_free_ Period *revised = NULL;
                size_t n_revised = 0;

                if (!streq(strempty(g->plan ? g->plan : c->plan), rep->plan))
                        continue;
                rg = &rep->goals[rep->n_goals++];
                rg->g = g;
                rg->r = &rep->results[i];
                /* evaluate_goals() wrote it with the series' labels and units ("for hele landet") */
                snprintf(rg->explanation, sizeof(rg->explanation), "%s",
                         language_from_string(rep->lang) == LANGUAGE_EN ? rg->r->explanation_en : rg->r->explanation_da);
                for (int role = 0; role < _GOAL_ROLE_MAX; role++) {
                        const char *name = goal_role_series(g, role);
                        if (!name)
                                continue;
                        r = collect_history(rep, st, rg, role, name, &revised, &n_revised, ret_error);
                        if (r < 0)
                                return r;
                }

                r = goal_chart(rep, g, rg->r, revised, n_revised, &rg->chart);
                if (r == -ENOMEM)
                        return r;
                rg->has_chart = r >= 0;
        }
        return 0;
}

/* ---- shared wording ---- */

static const char *direction_word(const GoalDef *g, bool en)
{
        return g->direction == GOAL_AT_MOST ? (en ? "at most" : "højst") : (en ? "at least" : "mindst");
}

/* "380 fuldtidspersoner", "54 %", "−2,6 procentpoint", "nr. 7"; "–" when absent. A gap (sign) of a
 * rank is a number of places. compact (for the summary table): no unit but "%" and points. */
static char *value_text_full(const GoalResult *r, bool has, double v, bool sign, bool en, bool compact, char *buf,
                             size_t size)
{
        char num[FORMAT_NUMBER_MAX];
        const char *unit = en ? r->unit_en : r->unit_da;

        if (!has || !isfinite(v)) {
                snprintf(buf, size, "–");
                return buf;
        }
        (sign ? format_value_signed : format_value)(v, en ? LANGUAGE_EN : LANGUAGE_DA, num, sizeof(num));
        format_minus(num, sizeof(num)); /* "−": text for people */
        if (r->kind == GOAL_RANK)
                snprintf(buf, size, "%s%s", sign ? "" : en ? "no. " : "nr. ", num);
        else if (compact && streq(r->unit_en, "percentage points"))
                snprintf(buf, size, "%s %s", num, en ? "pp" : "%-point");
        else if (compact && !streq(unit, "%"))
                snprintf(buf, size, "%s", num);
        else
                snprintf(buf, size, "%s%s%s", num, *unit ? " " : "", unit);
        return buf;
}

static char *value_text(const GoalResult *r, bool has, double v, bool sign, bool en, char *buf, size_t size)
{
        return value_text_full(r, has, v, sign, en, false, buf, size);
}

/* The gap in words that say which way is good ("7,9 over målet", "11 for mange"; text.c), else the
 * signed number. */
static char *gap_text(const GoalResult *r, bool en, bool compact, char *buf, size_t size)
{
        const char *w = en ? r->gap_en : r->gap_da;

        if (r->has_gap && *w) {
                snprintf(buf, size, "%s", w);
                return buf;
        }
        return value_text_full(r, r->has_gap, r->gap, true, en, compact, buf, size);
}

static char *target_text(const GoalDef *g, const GoalResult *r, bool en, char *buf, size_t size)
{
        char v[FORMAT_NUMBER_MAX * 2];

        snprintf(buf, size, "%s %s", direction_word(g, en), value_text(r, true, g->target, false, en, v, sizeof(v)));
        return buf;
}

static bool projecting(GoalStatus s)
{
        return s == GOAL_STATUS_ON_TRACK || s == GOAL_STATUS_AT_RISK || s == GOAL_STATUS_OFF_TRACK;
}

/* "10 mål: 8 nået, 2 ikke nået" */
static char *summary_text(const Report *rep, char *buf, size_t size)
{
        static const GoalStatus order[] = { GOAL_STATUS_ACHIEVED,  GOAL_STATUS_MISSED,  GOAL_STATUS_ON_TRACK,
                                            GOAL_STATUS_AT_RISK,   GOAL_STATUS_OFF_TRACK, GOAL_STATUS_NO_DATA,
                                            GOAL_STATUS_INSUFFICIENT_DATA };
        size_t count[_GOAL_STATUS_MAX] = {}, n = 0;
        int k;

        for (size_t i = 0; i < rep->n_goals; i++)
                if (rep->goals[i].r->status >= 0 && rep->goals[i].r->status < _GOAL_STATUS_MAX)
                        count[rep->goals[i].r->status]++;
        k = snprintf(buf, size, "%zu %s:", rep->n_goals, rep->en ? (rep->n_goals == 1 ? "goal" : "goals") : "mål");
        n = k > 0 ? MIN((size_t) k, size) : 0;
        for (size_t i = 0, first = 1; i < ELEMENTSOF(order); i++) {
                char word[64];
                if (count[order[i]] == 0)
                        continue;
                snprintf(word, sizeof(word), "%s", text_status_label(order[i], rep->lang));
                if (word[0] >= 'A' && word[0] <= 'Z')
                        word[0] = (char) (word[0] - 'A' + 'a');
                k = snprintf(buf + n, size - n, "%s %zu %s", first ? "" : ",", count[order[i]], word);
                n = k > 0 ? MIN(n + (size_t) k, size - 1) : n;
                first = 0;
        }
        return buf;
}

static const char *status_css(GoalStatus s)
{
        static char buf[8];
        double rgb[3];

        chart_status_rgb(s, rgb);
        snprintf(buf, sizeof(buf), "#%02x%02x%02x", (unsigned) lround(rgb[0] * 255), (unsigned) lround(rgb[1] * 255),
                 (unsigned) lround(rgb[2] * 255));
        return buf;
}

/* The chance in words (text_chance via text_fill), empty for a finished period. */
static const char *chance_text(const Report *rep, const GoalResult *r)
{
        return rep->en ? r->chance_en : r->chance_da;
}

/* "Diagram over TITLE: På sporet. Værdi 386,1 fuldtidspersoner; måltal mindst 380 fuldtidspersoner.
 * Målet nås sandsynligvis: …": the chance says in words what the fan shows. */
static void chart_alt(const Report *rep, const GoalDef *g, const GoalResult *r, char *buf, size_t size)
{
        bool en = rep->en;
        const char *title = en && g->title_en ? g->title_en : g->title_da ? g->title_da : g->id;
        const char *chance = chance_text(rep, r);
        char v[FORMAT_NUMBER_MAX * 2], t[FORMAT_NUMBER_MAX * 3];

        snprintf(buf, size, "%s %s: %s. %s %s; %s %s.%s%s", en ? "Chart of" : "Diagram over", title,
                 text_status_label(r->status, rep->lang), en ? "Value" : "Værdi",
                 value_text(r, r->has_value, r->value, false, en, v, sizeof(v)), en ? "target" : "måltal",
                 target_text(g, r, en, t, sizeof(t)), *chance ? " " : "", chance);
}

static char *usec_date(int64_t usec, Language l, char *buf, size_t size)
{
        if (usec <= 0)
                snprintf(buf, size, "–");
        else
                format_date(date_of_usec(usec), l, buf, size);
        return buf;
}

/* ---- HTML ---- */

static void esc(FILE *f, const char *s)
{
        for (; s && *s; s++)
                switch (*s) {
                case '<':
                        fputs("&lt;", f);
                        break;
                case '>':
                        fputs("&gt;", f);
                        break;
                case '&':
                        fputs("&amp;", f);
                        break;
                case '"':
                        fputs("&quot;", f);
                        break;
                default:
                        fputc(*s, f);
                }
}

/* A source stored with the figures (its configuration name) as the reader knows it: its display name
 * ("Jobindsats", "Jobcentrets egne tal"), the name itself when the configuration has no such source
 * any more (issue 23). */
static const char *source_display(const Report *rep, const char *name)
{
        const SourceDef *s = name ? config_find_source(rep->c, name) : NULL;
        const char *d = s ? (rep->en ? s->display_name_en : s->display_name_da) : NULL;

        return d ?: name;
}

static void td(FILE *f, const char *cls, const char *s)
{
        fprintf(f, "<td%s%s%s>", cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
        esc(f, s);
        fputs("</td>", f);
}

static void badge(FILE *f, GoalStatus s, const char *lang)
{
        fprintf(f, "<span class=\"status\"><span class=\"swatch\" style=\"background:%s\"></span>", status_css(s));
        esc(f, text_status_label(s, lang));
        fputs("</span>", f);
}

static const char css[] =
        "body{margin:0;background:#fff;color:#222;font:15px/1.45 'DejaVu Sans',Verdana,sans-serif}"
        "main{max-width:760px;margin:0 auto;padding:16px}"
        "h1{font-size:26px;margin:4px 0 8px}h2{font-size:19px;margin:0 0 6px}h3{font-size:15px;margin:14px 0 4px}"
        ".kicker{color:#555;margin:0;font-size:15px}.summary-line{font-weight:bold;font-size:17px}"
        "table{border-collapse:collapse;width:100%;margin:6px 0 10px;font-size:13px}"
        "th,td{text-align:left;padding:4px 5px;border-bottom:1px solid #ddd;vertical-align:top;"
        "overflow-wrap:break-word}table.summary td:first-child{width:38%}td.gap{text-align:right}th{border-bottom:2px solid #999}td.num{text-align:right;white-space:nowrap}"
        ".status{white-space:nowrap;font-weight:bold}"
        ".swatch{display:inline-block;width:11px;height:11px;margin-right:5px;vertical-align:baseline}"
        "section{border-top:3px solid #222;margin-top:28px;padding-top:12px}"
        "img.chart{display:block;width:100%;max-width:600px;height:auto;margin:8px 0}"
        "dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0;font-size:14px}"
        "dt{color:#555}dd{margin:0}.muted{color:#555;font-size:13px}"
        ".chance{font-weight:bold;font-size:16px;margin:4px 0 8px}"
        "@media print{section{break-before:page}}";

static int write_html(const Report *rep, FILE *f)
{
        const ReportOptions *o = rep->o;
        Language l = o->language;
        bool en = rep->en;
        char buf[512], d[64], v[FORMAT_NUMBER_MAX * 2];

        fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
                rep->lang);
        esc(f, rep->plan);
        if (rep->c->municipality) {
                fputs(" – ", f);
                esc(f, rep->c->municipality);
        }
        fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n<header>\n", css);
        if (rep->c->municipality) {
                fputs("<p class=\"kicker\">", f);
                esc(f, rep->c->municipality);
                fputs("</p>\n", f);
        }
        fputs("<h1>", f);
        esc(f, rep->plan);
        fputs("</h1>\n<p>", f);
        esc(f, en ? "Status as of " : "Status pr. ");
        esc(f, format_date(o->date, l, d, sizeof(d)));
        fputs("</p>\n<p class=\"summary-line\">", f);
        esc(f, summary_text(rep, buf, sizeof(buf)));
        fputs("</p>\n", f);

        fprintf(f, "<table class=\"summary\">\n<thead><tr><th>%s</th><th>Status</th><th>%s</th><th>%s</th><th>%s</th>"
                   "</tr></thead>\n<tbody>\n",
                en ? "Goal" : "Mål", en ? "Value" : "Værdi", en ? "Target" : "Måltal", en ? "Gap" : "Afvigelse");
        for (size_t i = 0; i < rep->n_goals; i++) {
                const ReportGoal *rg = &rep->goals[i];
                const char *title = en && rg->g->title_en ? rg->g->title_en : rg->g->title_da ? rg->g->title_da : rg->g->id;
                fprintf(f, "<tr><td><a href=\"#goal-");
                esc(f, rg->g->id);
                fputs("\">", f);
                esc(f, title);
                fputs("</a></td><td>", f);
                badge(f, rg->r->status, rep->lang);
                fputs("</td>", f);
                td(f, "num", value_text_full(rg->r, rg->r->has_value, rg->r->value, false, en, true, v, sizeof(v)));
                snprintf(buf, sizeof(buf), "%s %s", rg->g->direction == GOAL_AT_MOST ? "≤" : "≥",
                         value_text_full(rg->r, true, rg->g->target, false, en, true, v, sizeof(v)));
                td(f, "num", buf);
                td(f, "gap", gap_text(rg->r, en, true, v, sizeof(v))); /* words: may wrap */
                fputs("</tr>\n", f);
        }
        fputs("</tbody>\n</table>\n", f);
        if (o->generated_at > 0) {
                fprintf(f, "<p class=\"muted\">%s ", en ? "Produced by labourwatch on" : "Udarbejdet af labourwatch den");
                esc(f, usec_date(o->generated_at, l, d, sizeof(d)));
                fputs(".</p>\n", f);
        }
        fputs("</header>\n", f);

        for (size_t i = 0; i < rep->n_goals; i++) {
                const ReportGoal *rg = &rep->goals[i];
                const GoalResult *r = rg->r;
                const char *title = en && rg->g->title_en ? rg->g->title_en : rg->g->title_da ? rg->g->title_da : rg->g->id;

                fputs("<section id=\"goal-", f);
                esc(f, rg->g->id);
                fputs("\">\n<h2>", f);
                esc(f, title);
                fputs("</h2>\n<p>", f);
                badge(f, r->status, rep->lang);
                fputs("</p>\n", f);
                if (*chance_text(rep, r)) { /* issue 17 §3: the chance before the figures */
                        fputs("<p class=\"chance\">", f);
                        esc(f, chance_text(rep, r));
                        fputs("</p>\n", f);
                }

                if (rg->has_chart) {
                        _cleanup_free_ void *png = NULL;
                        _cleanup_free_ char *b64 = NULL;
                        size_t n = 0;
                        int k = chart_render(&rg->chart, CHART_FORMAT_PNG, &png, &n);
                        if (k == -ENOMEM)
                                return k;
                        if (k >= 0 && !(b64 = report_base64(png, n)))
                                return -ENOMEM;
                        if (b64) {
                                fputs("<img class=\"chart\" width=\"600\" height=\"300\" alt=\"", f);
                                chart_alt(rep, rg->g, r, buf, sizeof(buf));
                                esc(f, buf);
                                fprintf(f, "\" src=\"data:image/png;base64,%s\">\n", b64);
                        }
                }

                fputs("<dl>\n", f);
                if (r->has_latest) {
                        fprintf(f, "<dt>%s</dt><dd>", en ? "Latest figures" : "Seneste tal");
                        esc(f, format_period(r->latest, l, d, sizeof(d)));
                        fprintf(f, " (%d %s %d)</dd>\n", r->n_observed, en ? "of" : "af", r->n_periods);
                }
                /* labelled by the aggregate ("Gennemsnit januar–juni 2024"; text.c), as in the e-mail */
                fputs("<dt>", f);
                esc(f, *(en ? r->value_label_en : r->value_label_da) ? (en ? r->value_label_en : r->value_label_da)
                                                                     : (en ? "Value" : "Værdi"));
                fputs("</dt><dd>", f);
                esc(f, *(en ? r->value_text_en : r->value_text_da) ? (en ? r->value_text_en : r->value_text_da)
                                                                   : value_text(r, r->has_value, r->value, false, en, v, sizeof(v)));
                fputs("</dd>\n", f);
                if (projecting(r->status) && r->has_projected) {
                        fprintf(f, "<dt>%s</dt><dd>", en ? "Projected" : "Fremskrevet");
                        esc(f, value_text(r, true, r->projected, false, en, v, sizeof(v)));
                        fputs("</dd>\n", f);
                }
                fprintf(f, "<dt>%s</dt><dd>", en ? "Target" : "Måltal");
                esc(f, target_text(rg->g, r, en, buf, sizeof(buf)));
                if (rg->g->tolerance > 0) {
                        fputs(" (± ", f);
                        esc(f, format_value(rg->g->tolerance, l, d, sizeof(d)));
                        fputs(")", f);
                }
                fprintf(f, "</dd>\n<dt>%s</dt><dd>", en ? "Gap" : "Afvigelse");
                esc(f, gap_text(r, en, false, v, sizeof(v)));
                fputs("</dd>\n</dl>\n<p>", f);
                esc(f, rg->explanation);
                fputs("</p>\n", f);

                fprintf(f, "<h3>%s</h3>\n<table class=\"sources\"><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
                           "<th>%s</th></tr></thead>\n<tbody>\n",
                        en ? "Sources" : "Kilder", en ? "Series" : "Serie", en ? "Source" : "Kilde",
                        en ? "Table" : "Tabel", en ? "Fetched" : "Hentet");
                for (size_t k = 0; k < rg->n_sources; k++) {
                        const SourceRow *s = &rg->sources[k];
                        char a[64], b[64];
                        fputs("<tr>", f);
                        td(f, NULL, s->label);
                        if (s->derived && !s->source) {
                                td(f, NULL, en ? "computed" : "beregnet");
                                td(f, NULL, "–");
                                td(f, NULL, "–");
                        } else {
                                td(f, NULL, s->source ? source_display(rep, s->source) : "–");
                                td(f, NULL, s->table ? s->table : "–");
                                usec_date(s->first_fetched, l, a, sizeof(a));
                                usec_date(s->last_fetched, l, b, sizeof(b));
                                if (streq(a, b))
                                        td(f, NULL, a);
                                else {
                                        snprintf(buf, sizeof(buf), "%s – %s", a, b);
                                        td(f, NULL, buf);
                                }
                        }
                        fputs("</tr>\n", f);
                }
                fputs("</tbody></table>\n", f);

                fprintf(f, "<h3>%s</h3>\n", en ? "Revised figures" : "Reviderede tal");
                if (rg->n_revisions == 0) {
                        fputs("<p class=\"muted\">", f);
                        if (o->has_since) {
                                snprintf(buf, sizeof(buf), "%s %s.", en ? "No figure revised since" : "Ingen tal revideret siden",
                                         format_date(o->since, l, d, sizeof(d)));
                                esc(f, buf);
                        } else
                                esc(f, en ? "No figure of the period was revised." : "Ingen af periodens tal er revideret.");
                        fputs("</p>\n", f);
                } else {
                        fputs("<ul>\n", f);
                        for (size_t k = 0; k < rg->n_revisions; k++) {
                                const Revision *x = &rg->revisions[k];
                                char ov[FORMAT_NUMBER_MAX], nv[FORMAT_NUMBER_MAX], p[FORMAT_PERIOD_MAX];
                                snprintf(buf, sizeof(buf), "%s, %s: %s → %s (%s %s)", x->label,
                                         format_period(x->period, l, p, sizeof(p)),
                                         x->old_missing ? "–" : format_value(x->old_value, l, ov, sizeof(ov)),
                                         x->new_missing ? "–" : format_value(x->new_value, l, nv, sizeof(nv)),
                                         en ? "revised" : "revideret", usec_date(x->at, l, d, sizeof(d)));
                                fputs("<li>", f);
                                esc(f, buf);
                                fputs("</li>\n", f);
                        }
                        fputs("</ul>\n", f);
                }
                fputs("</section>\n", f);
        }
        fputs("</main>\n</body>\n</html>\n", f);
        return 0;
}

/* ---- PDF: A4 pages drawn with cairo ---- */

#define PAGE_W 595.0
#define PAGE_H 842.0
#define PAGE_MARGIN 50.0
#define FONT "DejaVu Sans"

typedef struct Pdf {
        cairo_t *cr;
        double y;
} Pdf;

/* Structure tags (tagged PDF, issue 20 §4). cairo 1.16 writes a structure element for any of the
 * standard PDF structure types named in cairo_tag_begin() and the marked content drawn inside it into
 * the structure tree, in the order drawn, and sets /MarkInfo; it writes no attribute on a structure
 * element (only "Link" and "cairo.dest" take attributes), so there is no /Alt on a Figure: the chart's
 * text alternative is a Caption inside the Figure, drawn under the chart. Rules and swatches are drawn
 * outside any tag (cairo 1.16 has no Artifact); cairo 1.16 marks content only for an element without
 * child elements, so the drawing of a Figure that holds a Caption is unmarked as well. */
static void pdf_tag(Pdf *p, const char *name)
{
        cairo_tag_begin(p->cr, name, NULL);
}

static void pdf_end(Pdf *p, const char *name)
{
        cairo_tag_end(p->cr, name);
}

static void pdf_font(Pdf *p, double size, bool bold)
{
        cairo_select_font_face(p->cr, FONT, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(p->cr, size);
}

static void pdf_need(Pdf *p, double h)
{
        if (p->y + h > PAGE_H - PAGE_MARGIN) {
                cairo_show_page(p->cr);
                p->y = PAGE_MARGIN;
        }
}

/* Draws text wrapped at word boundaries into width from x; advances p->y. Returns the lines drawn.
 * With draw false only counts. */
static int pdf_wrap(Pdf *p, const char *text, double x, double width, double size, bool bold, bool draw)
{
        char line[1024];
        size_t n = 0;
        const char *s = text;
        int lines = 0;
        double y = p->y;

        pdf_font(p, size, bold);
        while (*s) {
                const char *w = s;
                cairo_text_extents_t e;
                char try[1024];
                while (*w == ' ')
                        w++;
                const char *end = strchrnul(w, ' ');
                snprintf(try, sizeof(try), "%.*s%s%.*s", (int) n, line, n ? " " : "", (int) (end - w), w);
                cairo_text_extents(p->cr, try, &e);
                if (n > 0 && e.x_advance > width) {
                        if (draw) {
                                /* with the space the line broke at: invisible at the line's end, and a
                                 * reader of the tagged text gets "i fleksjob", not "ifleksjob" */
                                line[n] = ' ';
                                line[MIN(n + 1, sizeof(line) - 1)] = 0;
                                cairo_move_to(p->cr, x, y + size);
                                cairo_show_text(p->cr, line);
                        }
                        y += size * 1.35;
                        lines++;
                        n = (size_t) snprintf(line, sizeof(line), "%.*s", (int) (end - w), w);
                } else
                        n = (size_t) snprintf(line, sizeof(line), "%s", try);
                n = MIN(n, sizeof(line) - 1);
                s = end;
        }
        if (n > 0) {
                if (draw) {
                        cairo_move_to(p->cr, x, y + size);
                        cairo_show_text(p->cr, line);
                }
                y += size * 1.35;
                lines++;
        }
        if (draw)
                p->y = y;
        return lines;
}

static void pdf_text(Pdf *p, const char *text, double size, bool bold, double gap_after)
{
        int lines = pdf_wrap(p, text, PAGE_MARGIN, PAGE_W - 2 * PAGE_MARGIN, size, bold, false);
        pdf_need(p, lines * size * 1.35);
        cairo_set_source_rgb(p->cr, 0.13, 0.13, 0.13);
        (void) pdf_wrap(p, text, PAGE_MARGIN, PAGE_W - 2 * PAGE_MARGIN, size, bold, true);
        p->y += gap_after;
}

/* One paragraph-like element: text wrapped in a tag of its own ("P", "H1"). */
static void pdf_block(Pdf *p, const char *tag, const char *text, double size, bool bold, double gap_after)
{
        pdf_tag(p, tag);
        pdf_text(p, text, size, bold, gap_after);
        pdf_end(p, tag);
}

static void pdf_swatch(Pdf *p, GoalStatus s, double x, double y, double size)
{
        double rgb[3];

        chart_status_rgb(s, rgb);
        cairo_set_source_rgb(p->cr, rgb[0], rgb[1], rgb[2]);
        cairo_rectangle(p->cr, x, y, size, size);
        cairo_fill(p->cr);
        cairo_set_source_rgb(p->cr, 0.13, 0.13, 0.13);
}

/* Text in one table cell (tag "TD" or "TH"), left at x or right-aligned to right_edge. */
static void pdf_cell_in(Pdf *p, const char *tag, bool bold, const char *text, double x, double y,
                        double size, bool right, double right_edge)
{
        cairo_text_extents_t e;

        pdf_font(p, size, bold);
        pdf_tag(p, tag);
        if (right) {
                cairo_text_extents(p->cr, text, &e);
                x = right_edge - e.x_advance;
        }
        cairo_move_to(p->cr, x, y);
        cairo_show_text(p->cr, text);
        pdf_end(p, tag);
}

static void pdf_cell(Pdf *p, const char *text, double x, double y, double size, bool right,
                     double right_edge)
{
        pdf_cell_in(p, "TD", false, text, x, y, size, right, right_edge);
}

static void pdf_summary_table(Pdf *p, const Report *rep)
{
        /* title, status, value, target, gap (in words: "3,8 pp. under målet", the widest) */
        static const double col[] = { PAGE_MARGIN, 200, 300, 365, 426 };
        double size = 9, right = PAGE_W - PAGE_MARGIN;
        bool en = rep->en;
        char v[FORMAT_NUMBER_MAX * 2], t[256];

        pdf_need(p, 30);
        pdf_tag(p, "Table");
        pdf_tag(p, "TR");
        pdf_cell_in(p, "TH", true, en ? "Goal" : "Mål", col[0], p->y + size, size, false, 0);
        pdf_cell_in(p, "TH", true, "Status", col[1], p->y + size, size, false, 0);
        /* the numbers' headers in the regular weight, as before they were tagged */
        pdf_cell_in(p, "TH", false, en ? "Value" : "Værdi", 0, p->y + size, size, true, col[3] - 6);
        pdf_cell_in(p, "TH", false, en ? "Target" : "Måltal", 0, p->y + size, size, true, col[4] - 6);
        pdf_cell_in(p, "TH", false, en ? "Gap" : "Afvigelse", 0, p->y + size, size, true, right);
        pdf_end(p, "TR");
        p->y += size * 1.6;
        cairo_set_line_width(p->cr, 1);
        cairo_move_to(p->cr, PAGE_MARGIN, p->y);
        cairo_line_to(p->cr, right, p->y);
        cairo_stroke(p->cr);
        p->y += 4;

        for (size_t i = 0; i < rep->n_goals; i++) {
                const ReportGoal *rg = &rep->goals[i];
                const char *title = en && rg->g->title_en ? rg->g->title_en : rg->g->title_da ? rg->g->title_da : rg->g->id;
                int lines = pdf_wrap(p, title, col[0], col[1] - col[0] - 10, size, false, false);
                double y0 = p->y;
                pdf_need(p, lines * size * 1.35 + 6);
                y0 = p->y;
                pdf_tag(p, "TR");
                pdf_tag(p, "TD");
                (void) pdf_wrap(p, title, col[0], col[1] - col[0] - 10, size, false, true);
                pdf_end(p, "TD");
                pdf_swatch(p, rg->r->status, col[1], y0 + 1.5, 8);
                pdf_cell_in(p, "TD", true, text_status_label(rg->r->status, rep->lang), col[1] + 12,
                            y0 + size, size, false, 0);
                pdf_cell(p, value_text_full(rg->r, rg->r->has_value, rg->r->value, false, en, true, v, sizeof(v)), 0,
                         y0 + size, size, true, col[3] - 6);
                snprintf(t, sizeof(t), "%s %s", rg->g->direction == GOAL_AT_MOST ? "≤" : "≥",
                         value_text_full(rg->r, true, rg->g->target, false, en, true, v, sizeof(v)));
                pdf_cell(p, t, 0, y0 + size, size, true, col[4] - 6);
                /* the gap in the short words form ("11,0 for mange", "0,2 pp. for lavt"), not a sign
                 * whose meaning flips with the direction */
                if (rg->r->has_gap && rg->r->has_projected)
                        text_gap(rg->g, rg->r, rg->r->projected, 1, rep->lang, t, sizeof(t));
                else
                        snprintf(t, sizeof(t), "–");
                pdf_cell(p, t, 0, y0 + size, size, true, right);
                pdf_end(p, "TR");
                p->y += 4;
                cairo_set_source_rgb(p->cr, 0.85, 0.85, 0.85);
                cairo_set_line_width(p->cr, 0.5);
                cairo_move_to(p->cr, PAGE_MARGIN, p->y);
                cairo_line_to(p->cr, right, p->y);
                cairo_stroke(p->cr);
                cairo_set_source_rgb(p->cr, 0.13, 0.13, 0.13);
                p->y += 4;
        }
        pdf_end(p, "Table");
}

static void pdf_goal(Pdf *p, const Report *rep, const ReportGoal *rg)
{
        const GoalResult *r = rg->r;
        Language l = rep->o->language;
        bool en = rep->en;
        const char *title = en && rg->g->title_en ? rg->g->title_en : rg->g->title_da ? rg->g->title_da : rg->g->id;
        char buf[512], d[64];

        cairo_show_page(p->cr);
        p->y = PAGE_MARGIN;
        pdf_tag(p, "Sect");
        pdf_block(p, "H2", title, 16, true, 6);
        pdf_swatch(p, r->status, PAGE_MARGIN, p->y + 1, 11);
        pdf_font(p, 12, true);
        pdf_tag(p, "P");
        cairo_move_to(p->cr, PAGE_MARGIN + 16, p->y + 11);
        cairo_show_text(p->cr, text_status_label(r->status, rep->lang));
        pdf_end(p, "P");
        p->y += 22;
        if (*chance_text(rep, r))
                pdf_block(p, "P", chance_text(rep, r), 11, true, 8);

        if (rg->has_chart) {
                ChartLayout *layout = malloc(sizeof(ChartLayout));
                double scale = (PAGE_W - 2 * PAGE_MARGIN) / CHART_WIDTH;
                if (layout && chart_layout(&rg->chart, layout) >= 0) {
                        pdf_tag(p, "Figure");
                        cairo_save(p->cr);
                        cairo_translate(p->cr, PAGE_MARGIN, p->y);
                        cairo_scale(p->cr, scale, scale);
                        chart_draw(p->cr, layout);
                        cairo_restore(p->cr);
                        p->y += CHART_HEIGHT * scale + 4;
                        /* the text alternative, visible: cairo 1.16 cannot write /Alt (see pdf_tag) */
                        chart_alt(rep, rg->g, r, buf, sizeof(buf));
                        cairo_set_source_rgb(p->cr, 0.33, 0.33, 0.33);
                        pdf_tag(p, "Caption");
                        (void) pdf_wrap(p, buf, PAGE_MARGIN, PAGE_W - 2 * PAGE_MARGIN, 8, false, true);
                        pdf_end(p, "Caption");
                        cairo_set_source_rgb(p->cr, 0.13, 0.13, 0.13);
                        pdf_end(p, "Figure");
                        p->y += 10;
                }
                free(layout);
        }

        struct {
                const char *k;
                char v[256];
        } rows[6] = {};
        size_t n = 0;
        if (r->has_latest) {
                rows[n].k = en ? "Latest figures" : "Seneste tal";
                snprintf(rows[n++].v, sizeof(rows[0].v), "%s (%d %s %d)", format_period(r->latest, l, d, sizeof(d)),
                         r->n_observed, en ? "of" : "af", r->n_periods);
        }
        rows[n].k = *(en ? r->value_label_en : r->value_label_da) ? (en ? r->value_label_en : r->value_label_da)
                                                                  : (en ? "Value" : "Værdi");
        if (*(en ? r->value_text_en : r->value_text_da))
                snprintf(rows[n++].v, sizeof(rows[0].v), "%s", en ? r->value_text_en : r->value_text_da);
        else
                value_text(r, r->has_value, r->value, false, en, rows[n++].v, sizeof(rows[0].v));
        if (projecting(r->status) && r->has_projected) {
                rows[n].k = en ? "Projected" : "Fremskrevet";
                value_text(r, true, r->projected, false, en, rows[n++].v, sizeof(rows[0].v));
        }
        rows[n].k = en ? "Target" : "Måltal";
        target_text(rg->g, r, en, rows[n++].v, sizeof(rows[0].v));
        rows[n].k = en ? "Gap" : "Afvigelse";
        gap_text(r, en, false, rows[n++].v, sizeof(rows[0].v));
        /* the values in one column right of the widest label ("Gennemsnit januar–juni 2024" is
         * wider than the 110 pt it used to get, and ran into its value) */
        double column = 110;
        pdf_font(p, 10, false);
        for (size_t i = 0; i < n; i++) {
                cairo_text_extents_t e;
                cairo_text_extents(p->cr, rows[i].k, &e);
                column = MAX(column, e.x_advance + 12);
        }
        pdf_tag(p, "Table");
        for (size_t i = 0; i < n; i++) {
                pdf_need(p, 15);
                pdf_tag(p, "TR");
                cairo_set_source_rgb(p->cr, 0.33, 0.33, 0.33);
                pdf_cell_in(p, "TH", false, rows[i].k, PAGE_MARGIN, p->y + 10, 10, false, 0);
                cairo_set_source_rgb(p->cr, 0.13, 0.13, 0.13);
                pdf_cell(p, rows[i].v, PAGE_MARGIN + column, p->y + 10, 10, false, 0);
                pdf_end(p, "TR");
                p->y += 15;
        }
        pdf_end(p, "Table");
        p->y += 6;
        pdf_block(p, "P", rg->explanation, 10, false, 10);

        pdf_block(p, "H3", en ? "Sources" : "Kilder", 11, true, 2);
        for (size_t k = 0; k < rg->n_sources; k++) {
                const SourceRow *s = &rg->sources[k];
                char a[64], b[64];
                if (s->derived && !s->source)
                        snprintf(buf, sizeof(buf), "%s: %s", s->label, en ? "computed" : "beregnet");
                else
                        snprintf(buf, sizeof(buf), "%s: %s%s%s, %s %s%s%s", s->label,
                                 s->source ? source_display(rep, s->source) : "–",
                                 s->table ? (en ? ", table " : ", tabel ") : "", strempty(s->table),
                                 en ? "fetched" : "hentet",
                                 usec_date(s->first_fetched, l, a, sizeof(a)),
                                 s->last_fetched != s->first_fetched ? " – " : "",
                                 s->last_fetched != s->first_fetched ? usec_date(s->last_fetched, l, b, sizeof(b)) : "");
                pdf_block(p, "P", buf, 9, false, 1);
        }
        p->y += 8;
        pdf_block(p, "H3", en ? "Revised figures" : "Reviderede tal", 11, true, 2);
        if (rg->n_revisions == 0)
                pdf_block(p, "P",
                          en ? "No figure of the period was revised."
                             : "Ingen af periodens tal er revideret.",
                          9, false, 0);
        for (size_t k = 0; k < rg->n_revisions; k++) {
                const Revision *x = &rg->revisions[k];
                char ov[FORMAT_NUMBER_MAX], nv[FORMAT_NUMBER_MAX], pp[FORMAT_PERIOD_MAX];
                snprintf(buf, sizeof(buf), "%s, %s: %s → %s (%s %s)", x->label, format_period(x->period, l, pp, sizeof(pp)),
                         x->old_missing ? "–" : format_value(x->old_value, l, ov, sizeof(ov)),
                         x->new_missing ? "–" : format_value(x->new_value, l, nv, sizeof(nv)),
                         en ? "revised" : "revideret", usec_date(x->at, l, d, sizeof(d)));
                pdf_block(p, "P", buf, 9, false, 1);
        }
        pdf_end(p, "Sect");
}

typedef struct Buffer {
        char *data;
        size_t size, alloc;
        bool failed;
} Buffer;

static cairo_status_t buffer_write(void *closure, const unsigned char *data, unsigned int length)
{
        Buffer *b = closure;

        if (b->failed || GREEDY_REALLOC(b->data, b->alloc, b->size + length + 1) < 0) {
                b->failed = true;
                return CAIRO_STATUS_WRITE_ERROR;
        }
        memcpy(b->data + b->size, data, length);
        b->size += length;
        return CAIRO_STATUS_SUCCESS;
}

/* The last occurrence of needle in the first n bytes of hay, or NULL. */
static const char *memrmem(const char *hay, size_t n, const char *needle)
{
        size_t k = strlen(needle);

        for (size_t i = n >= k ? n - k + 1 : 0; i-- > 0;)
                if (memcmp(hay + i, needle, k) == 0)
                        return hay + i;
        return NULL;
}

/* The decimal number after key in s ("/Size 433"), or -EBADMSG. */
static int pdf_number_after(const char *s, const char *key, unsigned long long *ret)
{
        const char *k = strstr(s, key);
        unsigned long long v = 0;
        size_t n = 0;

        if (!k)
                return -EBADMSG;
        k += strlen(key);
        while (*k == ' ' || *k == '\n' || *k == '\r')
                k++;
        for (; k[n] >= '0' && k[n] <= '9' && n < 12; n++)
                v = v * 10 + (unsigned) (k[n] - '0');
        if (n == 0 || n == 12)
                return -EBADMSG;
        *ret = v;
        return 0;
}

/* Sets the document language (/Lang in the catalog, PDF 1.7 §14.9.2), which cairo 1.16 cannot: appends
 * an incremental update (PDF 1.7 §7.5.6) to cairo's finished file that replaces the catalog by a copy
 * with /Lang. Reads only what cairo 1.16 writes (a classic xref table and trailer, the catalog a direct
 * dictionary ending in ">>"); returns -EBADMSG, the file unchanged, when it finds something else. */
static int pdf_set_language(Buffer *b, const char *lang)
{
        _cleanup_free_ char *tail = NULL, *update = NULL;
        unsigned long long size, root, info, prev;
        const char *trailer, *obj, *end, *close;
        char head[64];
        int r;

        if (b->failed || !b->data)
                return -ENOMEM;
        b->data[b->size] = 0; /* buffer_write keeps a byte spare */
        trailer = memrmem(b->data, b->size, "\ntrailer");
        if (!trailer)
                return -EBADMSG;
        if ((r = pdf_number_after(trailer, "/Size", &size)) < 0 ||
            (r = pdf_number_after(trailer, "/Root", &root)) < 0 ||
            (r = pdf_number_after(trailer, "/Info", &info)) < 0 ||
            (r = pdf_number_after(trailer, "startxref", &prev)) < 0)
                return r;
        snprintf(head, sizeof(head), "\n%llu 0 obj\n", root);
        obj = memrmem(b->data, (size_t) (trailer - b->data), head);
        if (!obj)
                return -EBADMSG;
        obj += strlen(head);
        end = strstr(obj, "\nendobj");
        if (!end || end > trailer)
                return -EBADMSG;
        close = memrmem(obj, (size_t) (end - obj), ">>");
        if (!close || !memrmem(obj, (size_t) (close - obj), "/Type /Catalog"))
                return -EBADMSG;
        /* lang is ours ("da", "en"): no character that needs escaping in a PDF string */
        size_t offset = b->size + 1;
        if (asprintf(&tail,
                     "\n%llu 0 obj\n%.*s   /Lang (%s)\n>>\nendobj\nxref\n%llu 1\n%010zu 00000 n \n"
                     "trailer\n<< /Size %llu\n   /Root %llu 0 R\n   /Info %llu 0 R\n   /Prev %llu\n>>\n"
                     "startxref\n",
                     root, (int) (close - obj), obj, lang, root, offset, size, root, info, prev) < 0)
                return -ENOMEM;
        size_t xref = offset + (size_t) (strstr(tail, "xref\n") - tail) - 1;
        if (asprintf(&update, "%s%zu\n%%%%EOF\n", tail, xref) < 0)
                return -ENOMEM;
        if (buffer_write(b, (const unsigned char *) update, (unsigned) strlen(update)) !=
            CAIRO_STATUS_SUCCESS)
                return -ENOMEM;
        return 0;
}

static int write_pdf(const Report *rep, char **ret, size_t *ret_size)
{
        const ReportOptions *o = rep->o;
        Buffer b = {};
        cairo_surface_t *surface = cairo_pdf_surface_create_for_stream(buffer_write, &b, PAGE_W, PAGE_H);
        cairo_status_t st;
        Pdf p = { .cr = cairo_create(surface), .y = PAGE_MARGIN + 60 };
        int r;
        char buf[512], d[64];

        snprintf(buf, sizeof(buf), "%s%s%s", rep->plan, rep->c->municipality ? " – " : "", strempty(rep->c->municipality));
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, buf);
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "labourwatch");

        cairo_set_source_rgb(p.cr, 0.13, 0.13, 0.13);
        pdf_tag(&p, "Document");
        if (rep->c->municipality)
                pdf_block(&p, "P", rep->c->municipality, 14, false, 4);
        pdf_block(&p, "H1", rep->plan, 26, true, 8);
        snprintf(buf, sizeof(buf), "%s%s", rep->en ? "Status as of " : "Status pr. ", format_date(o->date, o->language, d, sizeof(d)));
        pdf_block(&p, "P", buf, 14, false, 16);
        pdf_block(&p, "P", summary_text(rep, buf, sizeof(buf)), 14, true, 14);
        pdf_summary_table(&p, rep);
        if (o->generated_at > 0) {
                p.y += 10;
                snprintf(buf, sizeof(buf), "%s %s.", rep->en ? "Produced by labourwatch on" : "Udarbejdet af labourwatch den",
                         usec_date(o->generated_at, o->language, d, sizeof(d)));
                pdf_block(&p, "P", buf, 9, false, 0);
        }
        for (size_t i = 0; i < rep->n_goals; i++)
                pdf_goal(&p, rep, &rep->goals[i]);
        pdf_end(&p, "Document");
        cairo_show_page(p.cr);

        st = cairo_status(p.cr);
        cairo_destroy(p.cr);
        cairo_surface_finish(surface);
        if (st == CAIRO_STATUS_SUCCESS)
                st = cairo_surface_status(surface);
        cairo_surface_destroy(surface);
        if (b.failed || st != CAIRO_STATUS_SUCCESS) {
                free(b.data);
                return b.failed || st == CAIRO_STATUS_NO_MEMORY ? -ENOMEM : -EIO;
        }
        r = pdf_set_language(&b, rep->lang);
        if (r < 0) {
                free(b.data);
                return r;
        }
        *ret = b.data;
        *ret_size = b.size;
        return 0;
}

/* The cover as a message body: the summary sentence, then the summary table (text: one line a goal). */
static int write_cover(const Report *rep, char **ret_text, char **ret_html)
{
        bool en = rep->en;
        char sum[512], v[FORMAT_NUMBER_MAX * 2], t[FORMAT_NUMBER_MAX * 2 + 8], gap[FORMAT_NUMBER_MAX * 2];
        char *tb = NULL, *hb = NULL;
        size_t tn = 0, hn = 0;
        FILE *ft = open_memstream(&tb, &tn), *fh = open_memstream(&hb, &hn);
        int r = 0;

        if (!ft || !fh) {
                if (ft)
                        fclose(ft);
                if (fh)
                        fclose(fh);
                free(tb);
                free(hb);
                return -ENOMEM;
        }
        summary_text(rep, sum, sizeof(sum));
        fprintf(ft, "%s\n\n", sum);
        fputs("<p style=\"font-weight:bold\">", fh);
        esc(fh, sum);
        fprintf(fh, "</p>\n<table style=\"border-collapse:collapse;width:100%%;font-size:14px\">\n<tr>"
                    "<th align=\"left\">%s</th><th align=\"left\">Status</th><th align=\"right\">%s</th>"
                    "<th align=\"right\">%s</th><th align=\"left\">%s</th></tr>\n",
                en ? "Goal" : "Mål", en ? "Value" : "Værdi", en ? "Target" : "Måltal", en ? "Gap" : "Afvigelse");
        for (size_t i = 0; i < rep->n_goals; i++) {
                const ReportGoal *rg = &rep->goals[i];
                const char *title = en && rg->g->title_en ? rg->g->title_en : rg->g->title_da ? rg->g->title_da : rg->g->id;
                const char *status = text_status_label(rg->r->status, rep->lang);

                value_text_full(rg->r, rg->r->has_value, rg->r->value, false, en, true, v, sizeof(v));
                snprintf(t, sizeof(t), "%s %s", rg->g->direction == GOAL_AT_MOST ? "≤" : "≥",
                         value_text_full(rg->r, true, rg->g->target, false, en, true, gap, sizeof(gap)));
                gap_text(rg->r, en, true, gap, sizeof(gap));
                fprintf(ft, "- %s: %s; %s %s, %s %s; %s\n", title, status, en ? "value" : "værdi", v,
                        en ? "target" : "måltal", t, gap);
                if (*chance_text(rep, rg->r))
                        fprintf(ft, "  %s\n", chance_text(rep, rg->r));
                fputs("<tr style=\"border-top:1px solid #e0e0e0\"><td>", fh);
                esc(fh, title);
                if (*chance_text(rep, rg->r)) {
                        fputs("<br><span style=\"font-size:13px\">", fh);
                        esc(fh, chance_text(rep, rg->r));
                        fputs("</span>", fh);
                }
                fputs("</td><td>", fh);
                esc(fh, status);
                fputs("</td><td align=\"right\">", fh);
                esc(fh, v);
                fputs("</td><td align=\"right\">", fh);
                esc(fh, t);
                fputs("</td><td>", fh);
                esc(fh, gap);
                fputs("</td></tr>\n", fh);
        }
        fputs("</table>\n", fh);
        if (fclose(ft) != 0)
                r = -ENOMEM;
        if (fclose(fh) != 0)
                r = -ENOMEM;
        if (r < 0) {
                free(tb);
                free(hb);
                return r;
        }
        *ret_text = tb;
        *ret_html = hb;
        return 0;
}

int report_build(Store *st, const Config *c, const ReportOptions *o, ReportFormat f, char **ret,
                 size_t *ret_size, char **ret_error)
{
        return report_build_with_cover(st, c, o, f, ret, ret_size, NULL, NULL, ret_error);
}

int report_build_with_cover(Store *st, const Config *c, const ReportOptions *o, ReportFormat f, char **ret,
                            size_t *ret_size, char **ret_cover_text, char **ret_cover_html, char **ret_error)
{
        Report rep = { .c = c, .o = o };
        int r;

        assert(c && o && ret && ret_size);
        if (f < 0 || f >= _REPORT_FORMAT_MAX)
                return -EINVAL;
        rep.plan = o->plan ? o->plan : strempty(c->plan);
        rep.en = o->language == LANGUAGE_EN;
        rep.lang = rep.en ? "en" : "da";

        r = build(&rep, st, ret_error);
        if (r >= 0 && f == REPORT_FORMAT_HTML) {
                char *buf = NULL;
                size_t size = 0;
                FILE *mf = open_memstream(&buf, &size);
                if (!mf)
                        r = -ENOMEM;
                else {
                        r = write_html(&rep, mf);
                        if (fclose(mf) != 0 && r >= 0)
                                r = -ENOMEM;
                        if (r < 0)
                                free(buf);
                        else {
                                *ret = buf;
                                *ret_size = size;
                        }
                }
        } else if (r >= 0)
                r = write_pdf(&rep, ret, ret_size);
        if (r >= 0 && ret_cover_text && ret_cover_html) {
                r = write_cover(&rep, ret_cover_text, ret_cover_html);
                if (r < 0) {
                        free(*ret);
                        *ret = NULL;
                }
        }
        report_done(&rep);
        return r;
}

void report_charts_free(ReportChart *charts, size_t n)
{
        for (size_t i = 0; charts && i < n; i++)
                free(charts[i].data);
        free(charts);
}

int report_charts(Store *st, const Config *c, char *const *ids, size_t n_ids, Date date, Language l,
                  ChartFormat f, bool compact, ReportChart **ret, size_t *ret_n, char **ret_error)
{
        ReportOptions o = { .date = date, .language = l };
        Report rep = { .c = c, .o = &o, .en = l == LANGUAGE_EN, .lang = l == LANGUAGE_EN ? "en" : "da" };
        ReportChart *charts;
        size_t n = ids ? n_ids : c->n_goals;
        int r;

        assert(c && ret && ret_n);
        charts = calloc(MAX(n, (size_t) 1), sizeof(ReportChart));
        if (!charts)
                return -ENOMEM;
        /* resolve every name first: an unknown goal fails before anything is loaded */
        for (size_t i = 0; i < n; i++) {
                charts[i].goal = ids ? config_find_goal(c, ids[i]) : &c->goals[i];
                if (!charts[i].goal) {
                        if (ret_error)
                                *ret_error = strdup_printf("no goal '%s' in the configuration", ids[i]);
                        free(charts);
                        return -ENOENT;
                }
        }
        r = evaluate_build_series(c, load_series, st, &rep.set, ret_error);
        if (r >= 0)
                r = evaluate_goals(c, rep.set, date, &rep.results, &rep.n_results, ret_error);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                const GoalDef *g = charts[i].goal;
                const GoalResult *res = &rep.results[g - c->goals]; /* results are in configuration order */
                ChartData *d = malloc(sizeof(ChartData));
                if (!d) {
                        r = -ENOMEM;
                        break;
                }
                r = goal_chart(&rep, g, res, NULL, 0, d);
                if (r >= 0) {
                        d->compact = compact;
                        charts[i].width = compact ? 300 : (int) CHART_WIDTH;
                        charts[i].height = compact ? (int) lround(300 * CHART_COMPACT_HEIGHT / CHART_COMPACT_WIDTH)
                                                   : (int) CHART_HEIGHT;
                        r = chart_render(d, f, &charts[i].data, &charts[i].size);
                }
                free(d);
                if (r == -EINVAL) {
                        if (ret_error)
                                *ret_error = strdup_printf("goal '%s': nothing to chart (no frequency known)", g->id);
                        break;
                }
                chart_alt(&rep, g, res, charts[i].alt, sizeof(charts[i].alt));
        }
        report_done(&rep);
        if (r < 0) {
                report_charts_free(charts, n);
                return r;
        }
        *ret = charts;
        *ret_n = n;
        return 0;
}

int report_notice_charts(Store *st, const Config *c, const char *payload_json, ReportChart **ret, size_t *ret_n,
                         char **ret_error)
{
        json_auto_t *root = NULL;
        _cleanup_free_ char **ids = NULL;
        const json_t *events, *ev;
        const char *type, *date_s, *lang;
        size_t n = 0, i;
        Date date;

        assert(c && ret && ret_n);
        *ret = NULL;
        *ret_n = 0;
        root = json_loads(strempty(payload_json), 0, NULL);
        if (!json_is_object(root) || json_integer_value(json_object_get(root, "version")) != 1) {
                if (ret_error)
                        *ret_error = strdup("not a notice (version 1)");
                return -EINVAL;
        }
        type = json_string_value(json_object_get(root, "type"));
        date_s = json_string_value(json_object_get(root, "eval_date"));
        events = json_object_get(root, "events");
        if (!type || !streq(type, "goals") || !date_s || date_parse(date_s, &date) < 0 || !json_is_array(events) ||
            json_array_size(events) == 0)
                return 0;
        lang = json_string_value(json_object_get(root, "language"));
        ids = calloc(json_array_size(events), sizeof(char *));
        if (!ids)
                return -ENOMEM;
        json_array_foreach(events, i, ev) {
                const char *goal = json_string_value(json_object_get(ev, "goal"));
                /* Drawing runs on the daemon's loop: a digest of hundreds of goals gets charts for
                 * the first (most severe) ones only. */
                if (n >= REPORT_NOTICE_CHARTS_MAX)
                        break;
                if (goal && config_find_goal(c, goal))
                        ids[n++] = (char *) goal;
        }
        if (n == 0)
                return 0;
        return report_charts(st, c, ids, n, date, language_from_string(lang) == LANGUAGE_EN ? LANGUAGE_EN : LANGUAGE_DA,
                             CHART_FORMAT_PNG, n > 1, ret, ret_n, ret_error);
}
