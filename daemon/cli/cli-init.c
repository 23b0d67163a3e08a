/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labourwatch init --municipality NAME|CODE [--year YYYY] [--dir DIR]: a complete, commented
 * starter configuration and goals.d/ for one of the 98 municipalities (issue 19 §3), from the
 * templates in etc/init/ (compiled in: generated/init-templates.h). Values only the jobcentre knows
 * are written TO FILL, which `labourwatch check` names one by one. Writes nothing unless it can
 * write everything: an unknown municipality is one line and exit 2, an existing file is never
 * overwritten, and a failure half-way removes what was written. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "init-templates.h"
#include "labourwatch/macro.h"
#include "labourwatch/municipality.h"
#include "labourwatch/parse-util.h"
#include "labourwatch/time-util.h"

#define N_FILES ELEMENTSOF(init_files)

static void init_help(FILE *f)
{
        fprintf(f, "Usage: labourwatch init --municipality NAME|CODE [--year YYYY] [--dir DIR]\n"
                   "\n"
                   "Writes a complete, commented configuration (DIR/labourwatch.yaml) and goal files\n"
                   "(DIR/goals.d/) with the common targets of a beskæftigelsesplan for one of the 98\n"
                   "municipalities, each series pointing at its Jobindsats or Statistikbank table.\n"
                   "The plan's own figures and the mail addresses are written TO FILL: labourwatch\n"
                   "check names each until it is filled in. Nothing is overwritten.\n"
                   "\n"
                   "  -m, --municipality NAME|CODE  the municipality: Ballerup, Århus/Aarhus, 151\n"
                   "      --year YYYY     the plan's year (default: this year)\n"
                   "      --dir DIR       where to write (default: the current directory)\n"
                   "  -h, --help          show this help\n"
                   "\n"
                   "Exit status: 0 written, 1 not written (a file exists, I/O error), 2 usage error.\n");
}

/* The name messages use for the municipality: "Ballerup Kommune"; the two that are not called so. */
static const char *kommune_name(const Municipality *m, char *buf, size_t size)
{
        if (m->code == 101)
                return "Københavns Kommune";
        if (m->code == 400)
                return "Bornholms Regionskommune";
        (void) snprintf(buf, size, "%s Kommune", m->name);
        return buf;
}

typedef struct InitVars {
        const char *name, *kommune, *config;
        char code[8], year[8], baseline[8];
} InitVars;

/* The template with its @NAME@ placeholders replaced; counts TO FILL in *n_to_fill. NULL on OOM. */
static char *render(const char *tmpl, const InitVars *v, size_t *n_to_fill)
{
        const struct {
                const char *key, *value;
        } subst[] = {
                {"@NAME@", v->name},         {"@KOMMUNE@", v->kommune}, {"@CODE@", v->code},
                {"@YEAR@", v->year},         {"@BASELINE@", v->baseline}, {"@CONFIG@", v->config},
        };
        char *out = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&out, &size);

        if (!f)
                return NULL;
        for (const char *p = tmpl; *p;) {
                size_t i;

                if (strncmp(p, ": TO FILL\n", 10) == 0)
                        (*n_to_fill)++;
                for (i = 0; i < ELEMENTSOF(subst); i++)
                        if (strncmp(p, subst[i].key, strlen(subst[i].key)) == 0)
                                break;
                if (i < ELEMENTSOF(subst)) {
                        fputs(subst[i].value, f);
                        p += strlen(subst[i].key);
                } else
                        fputc(*p++, f);
        }
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

/* Creates path (never replacing a file) with the text. Returns 0 or -errno. */
static int write_new_file(const char *path, const char *text)
{
        size_t n = strlen(text);
        int fd, r = 0;

        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        for (size_t done = 0; done < n;) {
                ssize_t k = write(fd, text + done, n - done);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0) {
                        r = k < 0 ? -errno : -EIO;
                        break;
                }
                done += (size_t) k;
        }
        if (close(fd) < 0 && r == 0)
                r = -errno;
        if (r < 0)
                (void) unlink(path);
        return r;
}

static bool has_control(const char *s)
{
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || *s == 0x7f)
                        return true;
        return false;
}

static int unknown_municipality(const char *arg)
{
        const Municipality *near = municipality_nearest(arg);

        if (near)
                fprintf(stderr, "labourwatch init: '%s' is not a municipality; did you mean '%s' (%03u)?\n", arg,
                        near->name, near->code);
        else
                fprintf(stderr,
                        "labourwatch init: '%s' is not one of the 98 municipalities (give a name such as "
                        "Ballerup or a code such as 151)\n",
                        arg);
        return 2;
}

/* Writes every file or none. Returns the exit status. */
static int init_write(const char *dir, const InitVars *v)
{
        char *goals_dir = strdup_printf("%s/goals.d", dir);
        char *paths[N_FILES] = {}, *texts[N_FILES] = {};
        size_t n_to_fill = 0, n_written = 0;
        bool made_dir = false, made_goals = false;
        int r = 1, k;

        if (!goals_dir)
                goto oom;
        for (size_t i = 0; i < N_FILES; i++) {
                struct stat st;

                paths[i] = strdup_printf("%s/%s", dir, init_files[i].path);
                texts[i] = render(init_files[i].text, v, &n_to_fill);
                if (!paths[i] || !texts[i])
                        goto oom;
                if (lstat(paths[i], &st) >= 0) {
                        fprintf(stderr, "labourwatch init: %s exists; nothing written, nothing overwritten\n",
                                paths[i]);
                        goto done;
                }
        }
        if (mkdir(dir, 0755) >= 0)
                made_dir = true;
        else if (errno != EEXIST) {
                fprintf(stderr, "labourwatch init: cannot create %s: %s\n", dir, strerror(errno));
                goto done;
        }
        if (mkdir(goals_dir, 0755) >= 0)
                made_goals = true;
        else if (errno != EEXIST) {
                fprintf(stderr, "labourwatch init: cannot create %s: %s\n", goals_dir, strerror(errno));
                goto undo;
        }
        for (; n_written < N_FILES; n_written++) {
                k = write_new_file(paths[n_written], texts[n_written]);
                if (k < 0) {
                        fprintf(stderr, "labourwatch init: cannot write %s: %s\n", paths[n_written], strerror(-k));
                        goto undo;
                }
        }
        printf("Wrote %s and %zu goal files in %s for %s (%s), plan %s.\n"
               "Fill in the %zu values marked TO FILL (the plan's targets, the mail addresses), then run\n"
               "  labourwatch check --config %s\n",
               v->config, N_FILES - 1, goals_dir, v->kommune, v->code, v->year, n_to_fill, v->config);
        r = 0;
        goto done;
undo:
        while (n_written > 0)
                (void) unlink(paths[--n_written]);
        if (made_goals)
                (void) rmdir(goals_dir);
        if (made_dir)
                (void) rmdir(dir);
        goto done;
oom:
        fprintf(stderr, "labourwatch init: out of memory\n");
done:
        for (size_t i = 0; i < N_FILES; i++) {
                free(paths[i]);
                free(texts[i]);
        }
        free(goals_dir);
        return r;
}

int cli_init(int argc, char **argv)
{
        static const struct option options[] = {
                {"municipality", required_argument, NULL, 'm'},
                {"year", required_argument, NULL, 'y'},
                {"dir", required_argument, NULL, 'd'},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        const char *arg = NULL, *dir = ".", *year_arg = NULL;
        _cleanup_free_ char *config = NULL;
        const Municipality *m;
        char kommune[96];
        InitVars v = {};
        unsigned long long year;
        int opt;

        optind = 0;
        opterr = 0;
        while ((opt = getopt_long(argc, argv, "m:h", options, NULL)) >= 0)
                switch (opt) {
                case 'm':
                        arg = optarg;
                        break;
                case 'y':
                        year_arg = optarg;
                        break;
                case 'd':
                        dir = optarg;
                        break;
                case 'h':
                        init_help(stdout);
                        return 0;
                case '?':
                default:
                        cli_option_error("init", options, argc, argv);
                        cli_usage_hint("init");
                        return 2;
                }
        if (optind < argc) {
                fprintf(stderr, "labourwatch init: unexpected argument '%s'\n", argv[optind]);
                cli_usage_hint("init");
                return 2;
        }
        if (!arg) {
                fprintf(stderr, "labourwatch init: --municipality NAME|CODE is required\n");
                cli_usage_hint("init");
                return 2;
        }
        m = municipality_lookup(arg);
        if (!m)
                return unknown_municipality(arg);
        if (year_arg) {
                if (safe_atou64(year_arg, &year) < 0 || year < 2007 || year > 2099) {
                        fprintf(stderr, "labourwatch init: --year: '%s' is not a year from 2007 to 2099\n", year_arg);
                        cli_usage_hint("init");
                        return 2;
                }
        } else {
                time_t t = (time_t) (now(CLOCK_REALTIME) / USEC_PER_SEC);
                struct tm tm;
                year = localtime_r(&t, &tm) ? (unsigned long long) tm.tm_year + 1900 : 2025;
        }
        if (!*dir || has_control(dir)) {
                fprintf(stderr, "labourwatch init: --dir must be a path without control characters\n");
                cli_usage_hint("init");
                return 2;
        }
        config = strdup_printf("%s/labourwatch.yaml", dir);
        if (!config) {
                fprintf(stderr, "labourwatch init: out of memory\n");
                return 1;
        }
        v = (InitVars){.name = m->name, .kommune = kommune_name(m, kommune, sizeof(kommune)), .config = config};
        (void) snprintf(v.code, sizeof(v.code), "%03u", m->code);
        (void) snprintf(v.year, sizeof(v.year), "%llu", year);
        (void) snprintf(v.baseline, sizeof(v.baseline), "%llu", year - 1);
        return init_write(dir, &v);
}
