/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labourwatch render GOAL [--date D] [--recipient NAME] [--format F]: the message a goal would
 * produce now, from the stored figures, through the configured templates. Sends nothing, writes
 * nothing. */
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "labourwatch/chart.h"
#include "labourwatch/evaluate.h"
#include "labourwatch/macro.h"
#include "labourwatch/notify.h"
#include "labourwatch/report.h"
#include "labourwatch/store.h"

static void render_help(FILE *f)
{
        fprintf(f,
                "Usage: labourwatch render [--config PATH] GOAL [--date YYYY-MM-DD] [--recipient NAME]\n"
                "                          [--format text|html|eml|json|teams|notice|png|svg|pdf]\n\n"
                "Evaluates GOAL from the stored figures and prints the message it would produce now:\n"
                "the text part (default), the HTML part, the whole e-mail as SMTP would send it (with\n"
                "the goal's chart inline), the webhook JSON, the Teams card, or the notice document the\n"
                "outbox stores; or the goal's chart alone (png: 1200x600, svg, pdf).\n\n"
                "  -c, --config PATH      configuration file (default: $LABOURWATCH_CONFIG or %s)\n"
                "  -d, --date DATE        evaluation date (default: today)\n"
                "  -r, --recipient NAME   address it to this recipient (language, To:); default the goal's\n"
                "                         first recipient\n"
                "  -f, --format FORMAT    what to print (see above)\n"
                "  -h, --help             show this help\n"
                "\n"
                "Exit status: 0 printed, 1 unknown goal or other error, 2 usage error.\n",
                CONFIG_DEFAULT_PATH);
}

/* What an alert for this status would be called (the alert state machine decides when it is sent). */
static const char *event_for_status(GoalStatus s)
{
        switch (s) {
        case GOAL_STATUS_OFF_TRACK:
                return "firing";
        case GOAL_STATUS_AT_RISK:
                return "at_risk";
        case GOAL_STATUS_ACHIEVED:
                return "achieved";
        case GOAL_STATUS_MISSED:
                return "missed";
        case GOAL_STATUS_ON_TRACK:
                return "resolved";
        default:
                return NULL;
        }
}

static json_t *sources_json(const Config *c, const GoalDef *g, Store *st)
{
        const char *names[] = { g->series, g->numerator, g->denominator, g->reference };
        json_t *a = json_array();

        for (size_t i = 0; a && i < ELEMENTSOF(names); i++) {
                const SeriesDef *sd = names[i] ? config_find_series(c, names[i]) : NULL;
                SourceState state = {};
                int64_t fetched = 0;

                if (!sd || !sd->source)
                        continue;
                if (st && store_get_source_state(st, sd->source, &state, NULL) > 0)
                        fetched = state.last_success;
                source_state_done(&state);
                /* as alerting.c writes a notice's sources: the display names too */
                (void) json_array_append_new(
                        a, json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:n, s:I}", "series", sd->name, "source", sd->source,
                                     "display_name", sd->source_def ? sd->source_def->display_name_da : NULL,
                                     "display_name_en", sd->source_def ? sd->source_def->display_name_en : NULL,
                                     "table", sd->table, "url", "fetched_at", (json_int_t) fetched));
        }
        return a;
}

/* --format png|svg|pdf: the goal's chart alone, on standard output. */
static int render_chart(Store *st, const Config *c, const GoalDef *g, const RecipientDef *rcpt, Date date,
                        ChartFormat f)
{
        const char *lang = rcpt && rcpt->language ? rcpt->language : c->language;
        char *ids[] = { g->id };
        _cleanup_free_ char *err = NULL;
        ReportChart *charts = NULL;
        size_t n = 0;
        int r;

        r = report_charts(st, c, ids, 1, date,
                          language_from_string(lang) == LANGUAGE_EN ? LANGUAGE_EN : LANGUAGE_DA, f, false,
                          &charts, &n, &err);
        if (r >= 0 && fwrite(charts[0].data, 1, charts[0].size, stdout) != charts[0].size)
                r = -EIO;
        if (r >= 0 && fflush(stdout) != 0)
                r = -errno;
        report_charts_free(charts, n);
        chart_library_cleanup();
        if (r < 0) {
                fprintf(stderr, "labourwatch render: %s\n", err ? err : strerror(-r));
                return 1;
        }
        return 0;
}

/* Renders the notice payload with the configuration's templates, the goal's chart inline as the outbox
 * sends it, and prints it in format (text, html, eml, json or teams). Returns the exit status. */
static int render_print(Store *st, const Config *c, const NotifierDef *n, const RecipientDef *rcpt,
                        const char *payload, const char *format, int64_t now)
{
        NotifyTemplates *templates = NULL;
        NotifyMessage m = {};
        ConfigErrors errors = {};
        char *err = NULL;
        int r, ret = 1;

        r = notify_templates_load(c->templates_dir, &templates, &errors);
        for (size_t i = 0; i < errors.n_items; i++) {
                _cleanup_free_ char *s = config_error_to_string(&errors.items[i]);
                fprintf(stderr, "%s\n", strna(s));
        }
        config_errors_done(&errors);
        if (r < 0)
                goto finish;
        {
                NotifyRenderArgs a = { .config = c,
                                       .notifier = n,
                                       .recipient = rcpt,
                                       .templates = templates,
                                       .now_usec = now };
                _cleanup_free_ NotifyImage *images = NULL;
                ReportChart *charts = NULL;
                size_t n_charts = 0;

                                /* the goal's chart inline, as the outbox sends it */
                if (report_notice_charts(st, c, payload, &charts, &n_charts, NULL) >= 0 && n_charts > 0 &&
                    (images = calloc(n_charts, sizeof(NotifyImage)))) {
                        for (size_t k = 0; k < n_charts; k++)
                                images[k] = (NotifyImage){ .goal = charts[k].goal->id,
                                                           .png = charts[k].data,
                                                           .size = charts[k].size,
                                                           .alt = charts[k].alt,
                                                           .width = charts[k].width,
                                                           .height = charts[k].height };
                        a.images = images;
                        a.n_images = n_charts;
                }
                r = notify_render(&a, payload, &m, &err);
                report_charts_free(charts, n_charts);
                chart_library_cleanup();
        }
        if (r < 0) {
                fprintf(stderr, "labourwatch render: %s\n", err ? err : strerror(-r));
                goto finish;
        }
        if (streq(format, "text"))
                printf("Subject: %s\n\n%s", m.subject, m.text);
        else if (streq(format, "html"))
                fputs(m.html, stdout);
        else if (streq(format, "eml"))
                fwrite(m.eml, 1, m.eml_size, stdout);
        else if (streq(format, "json"))
                printf("%s\n", m.json);
        else
                printf("%s\n", m.teams);
        ret = 0;


finish:
        free(err);
        notify_message_done(&m);
        notify_templates_free(templates);
        return ret;
}

int cli_render(int argc, char **argv)
{
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "date", required_argument, NULL, 'd' },
                { "recipient", required_argument, NULL, 'r' },
                { "format", required_argument, NULL, 'f' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(store_closep) Store *st = NULL;
        _cleanup_free_ char *err = NULL, *payload = NULL, *keysrc = NULL, *thread = NULL;
        const char *config_path = cli_default_config_path(), *recipient = NULL, *format = "text", *goal_id;
        const GoalDef *g;
        const RecipientDef *rcpt = NULL;
        const NotifierDef *n = NULL;
        GoalResult *results = NULL;
        const GoalResult *res = NULL;
        json_auto_t *j = NULL;
        bool have_date = false;
        char key[65], datebuf[16];
        struct timespec ts;
        size_t n_results = 0;
        int64_t now;
        Date date;
        int opt, r, ret = 1;

        optind = 0;
        opterr = 0;
        while ((opt = getopt_long(argc, argv, "c:d:r:f:h", options, NULL)) >= 0)
                switch (opt) {
                case 'c':
                        config_path = optarg;
                        break;
                case 'd':
                        if (date_parse(optarg, &date) < 0) {
                                fprintf(stderr,
                                        "labourwatch render: --date: '%s' is not a date (YYYY-MM-DD)\n",
                                        optarg);
                                cli_usage_hint("render");
                                return 2;
                        }
                        have_date = true;
                        break;
                case 'r':
                        recipient = optarg;
                        break;
                case 'f':
                        format = optarg;
                        break;
                case 'h':
                        render_help(stdout);
                        return 0;
                default:
                        cli_option_error("render", options, argc, argv);
                        cli_usage_hint("render");
                        return 2;
                }
        if (optind + 1 != argc) {
                fprintf(stderr, "labourwatch render: expected one GOAL\n");
                cli_usage_hint("render");
                return 2;
        }
        if (!streq(format, "text") && !streq(format, "html") && !streq(format, "eml") &&
            !streq(format, "json") && !streq(format, "teams") && !streq(format, "notice") &&
            chart_format_from_string(format) < 0) {
                fprintf(stderr,
                        "labourwatch render: --format: '%s' is not text, html, eml, json, teams, notice, "
                        "png, "
                        "svg or pdf\n",
                        format);
                cli_usage_hint("render");
                return 2;
        }
        goal_id = argv[optind];

        clock_gettime(CLOCK_REALTIME, &ts);
        now = (int64_t) timespec_load(&ts);
        if (!have_date) {
                time_t t = ts.tv_sec;
                struct tm tm;
                localtime_r(&t, &tm);
                date = (Date){ tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday };
        }

        if (cli_load_config(config_path, &c) < 0)
                return 1;
        g = config_find_goal(c, goal_id);
        if (!g) {
                fprintf(stderr, "labourwatch render: no goal '%s' in %s\n", goal_id, config_path);
                return 1;
        }
        if (!recipient && g->n_recipients > 0)
                recipient = g->recipients[0];
        if (recipient) {
                rcpt = config_find_recipient(c, recipient);
                if (!rcpt) {
                        fprintf(stderr, "labourwatch render: no recipient '%s' in %s\n", recipient,
                                config_path);
                        return 1;
                }
        }
        for (size_t i = 0; i < c->n_notifiers && !n; i++)
                if (c->notifiers[i].kind == NOTIFIER_SMTP)
                        n = &c->notifiers[i];

        r = store_open_readonly(c->state_dir, &st, &err);
        if (r == -ENOENT)
                st = NULL; /* no data yet: the goal is honestly no_data */
        else if (r < 0) {
                fprintf(stderr, "labourwatch render: %s\n", err ? err : strerror(-r));
                return 1;
        }
        free(TAKE_PTR(err));
        if (chart_format_from_string(format) >= 0)
                return render_chart(st, c, g, rcpt, date, chart_format_from_string(format));
        r = evaluate_all(st, c, date, (uint64_t) now, false, &results, &n_results, &err);
        if (r < 0) {
                fprintf(stderr, "labourwatch render: %s\n", err ? err : strerror(-r));
                return 1;
        }
        for (size_t i = 0; i < n_results && !res; i++)
                if (results[i].id && streq(results[i].id, goal_id))
                        res = &results[i];
        if (!res) {
                fprintf(stderr, "labourwatch render: goal '%s' was not evaluated\n", goal_id);
                goto finish;
        }
        if (res->status == GOAL_STATUS_ON_TRACK)
                fprintf(stderr,
                        "labourwatch render: %s is on track; it is mentioned only when it recovers, so "
                        "this is its 'back on track' message\n",
                        goal_id);
        else if (!event_for_status(res->status))
                fprintf(stderr,
                        "labourwatch render: %s is %s; no goal alert is sent for that (a data problem "
                        "goes to the routes with data_problems: true)\n",
                        goal_id, goal_status_to_string(res->status));

        snprintf(datebuf, sizeof(datebuf), "%04d-%02d-%02d", date.year, date.month, date.day);
        keysrc = strdup_printf("render\n%s\n%s\n%s", goal_id, datebuf, rcpt ? rcpt->name : "");
        thread = strdup_printf("<goal-%s@labourwatch>", goal_id);
        if (!keysrc || !thread)
                goto finish;
        notify_sha256_hex(keysrc, strlen(keysrc), key);
        j = json_pack("{s:i, s:s, s:s?, s:s?, s:s?, s:s, s:I, s:s, s:s?, s:s?, s:[{s:s, s:s?, s:s?, s:s?, "
                      "s:s?, s:s, "
                      "s:n, s:n, s:n, s:s, s:o, s:o}], s:[]}",
                      "version", 1, "type", "goals", "notifier", n ? n->name : NULL, "recipient",
                      rcpt ? rcpt->name : NULL, "language",
                      rcpt && rcpt->language ? rcpt->language : c->language, "key", key, "created_at",
                      (json_int_t) now, "eval_date", datebuf, "plan", g->plan ? g->plan : c->plan,
                      "municipality", c->municipality, "events", "goal", goal_id, "title_da", g->title_da,
                      "title_en", g->title_en, "plan", g->plan ? g->plan : c->plan, "event",
                      event_for_status(res->status), "status", goal_status_to_string(res->status),
                      "previous_status", "off_track_since", "revised", "thread_id", thread, "result",
                      goal_result_to_json(res), "sources", sources_json(c, g, st), "problems");
        payload = j ? json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(10)) : NULL;
        if (!payload)
                goto finish;
        if (streq(format, "notice")) {
                printf("%s\n", payload);
                ret = 0;
                goto finish;
        }

        ret = render_print(st, c, n, rcpt, payload, format, now);

finish:
        goal_results_free(results, n_results);
        return ret;
}
