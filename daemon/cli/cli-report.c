/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labourwatch report [--config PATH] [--plan NAME] [--date D] [--format html|pdf] [--output FILE]
 * [--language da|en] [--since D]: the committee report of a plan. Read-only. */
#include <fcntl.h>
#include <getopt.h>
#include <sys/stat.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "labourwatch/chart.h"
#include "labourwatch/macro.h"
#include "labourwatch/report.h"
#include "labourwatch/store.h"
#include "labourwatch/time-util.h"

static void report_help(FILE *f)
{
        fprintf(f,
                "Usage: labourwatch report [--config PATH] [--plan NAME] [--date YYYY-MM-DD] [--format html|pdf]\n"
                "                          [--output FILE] [--language da|en] [--since YYYY-MM-DD]\n\n"
                "Writes the committee report of a plan: a cover with the summary of every goal, then one\n"
                "section per goal with its chart, figures, explanation, sources and revised figures.\n"
                "HTML is one self-contained file (charts inline); PDF has A4 pages.\n\n"
                "  -c, --config PATH    configuration file (default: $LABOURWATCH_CONFIG or %s)\n"
                "  -p, --plan NAME      the plan (default: the configuration's plan:)\n"
                "  -d, --date DATE      evaluation date (default: today)\n"
                "  -f, --format FORMAT  html (default) or pdf\n"
                "  -o, --output FILE    write there (default: standard output)\n"
                "  -l, --language LANG  da or en (default: the configuration's language:)\n"
                "      --since DATE     list only figures revised on or after DATE\n"
                "  -h, --help           show this help\n"
                "\n"
                "Exit status: 0 written, 1 error, 2 usage error.\n",
                CONFIG_DEFAULT_PATH);
}

static int write_all(int fd, const char *p, size_t n)
{
        while (n > 0) {
                ssize_t k = write(fd, p, n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

/* Writes to a temporary file beside path and renames it into place, so a reader never sees half a
 * report. */
static int write_file(const char *path, const char *data, size_t size)
{
        _cleanup_free_ char *tmp = strdup_printf("%s.XXXXXX", path);
        int fd, r;

        if (!tmp)
                return -ENOMEM;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = write_all(fd, data, size);
        if (r >= 0 && fchmod(fd, 0644) < 0)
                r = -errno;
        if (close(fd) < 0 && r >= 0)
                r = -errno;
        if (r >= 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0)
                (void) unlink(tmp);
        return r;
}

static int run(int argc, char **argv)
{
        enum { ARG_SINCE = 0x100 };
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "plan", required_argument, NULL, 'p' },
                { "date", required_argument, NULL, 'd' },
                { "format", required_argument, NULL, 'f' },
                { "output", required_argument, NULL, 'o' },
                { "language", required_argument, NULL, 'l' },
                { "since", required_argument, NULL, ARG_SINCE },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(store_closep) Store *st = NULL;
        _cleanup_free_ char *err = NULL, *out = NULL;
        const char *config_path = cli_default_config_path(), *output = NULL, *lang = NULL;
        ReportOptions o = {};
        ReportFormat format = REPORT_FORMAT_HTML;
        bool have_date = false;
        size_t size = 0;
        int opt, r;

        optind = 0;
        opterr = 0;
        while ((opt = getopt_long(argc, argv, "c:p:d:f:o:l:h", options, NULL)) >= 0)
                switch (opt) {
                case 'c':
                        config_path = optarg;
                        break;
                case 'p':
                        o.plan = optarg;
                        break;
                case 'd':
                case ARG_SINCE:
                        if (date_parse(optarg, opt == 'd' ? &o.date : &o.since) < 0) {
                                fprintf(stderr, "labourwatch report: --%s: '%s' is not a date (YYYY-MM-DD)\n",
                                        opt == 'd' ? "date" : "since", optarg);
                                cli_usage_hint("report");
                                return 2;
                        }
                        if (opt == 'd')
                                have_date = true;
                        else
                                o.has_since = true;
                        break;
                case 'f':
                        format = report_format_from_string(optarg);
                        if (format < 0) {
                                fprintf(stderr, "labourwatch report: --format: '%s' is neither html nor pdf\n", optarg);
                                cli_usage_hint("report");
                                return 2;
                        }
                        break;
                case 'o':
                        output = optarg;
                        break;
                case 'l':
                        if (language_from_string(optarg) < 0) {
                                fprintf(stderr, "labourwatch report: --language: '%s' is neither da nor en\n", optarg);
                                cli_usage_hint("report");
                                return 2;
                        }
                        lang = optarg;
                        break;
                case 'h':
                        report_help(stdout);
                        return 0;
                default:
                        cli_option_error("report", options, argc, argv);
                        cli_usage_hint("report");
                        return 2;
                }
        if (optind != argc) {
                fprintf(stderr, "labourwatch report: unexpected argument '%s'\n", argv[optind]);
                cli_usage_hint("report");
                return 2;
        }
        if (!have_date) {
                /* The CLI may read the clock; the report is handed the date. Local calendar date. */
                time_t t = time(NULL);
                struct tm tm;
                localtime_r(&t, &tm);
                o.date = (Date){ tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday };
        }
        o.generated_at = (int64_t) now(CLOCK_REALTIME);

        if (cli_load_config(config_path, &c) < 0)
                return 1;
        o.language = language_from_string(lang ? lang : c->language) == LANGUAGE_EN ? LANGUAGE_EN : LANGUAGE_DA;

        r = store_open_readonly(c->state_dir, &st, &err);
        if (r == -ENOENT) {
                fprintf(stderr, "labourwatch report: no database in %s yet, reporting without figures\n", c->state_dir);
                st = NULL;
        } else if (r < 0) {
                fprintf(stderr, "labourwatch report: %s\n", err ? err : strerror(-r));
                return 1;
        }
        free(TAKE_PTR(err));

        r = report_build(st, c, &o, format, &out, &size, &err);
        if (r < 0) {
                fprintf(stderr, "labourwatch report: %s\n", err ? err : strerror(-r));
                return 1;
        }
        r = output ? write_file(output, out, size) : write_all(STDOUT_FILENO, out, size);
        if (r < 0) {
                fprintf(stderr, "labourwatch report: cannot write %s: %s\n", output ? output : "standard output",
                        strerror(-r));
                return 1;
        }
        return 0;
}

int cli_report(int argc, char **argv)
{
        int r = run(argc, argv);

        chart_library_cleanup(); /* cairo's and fontconfig's caches: nothing left for valgrind */
        return r;
}
