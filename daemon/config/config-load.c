/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Loading the configuration: the main file, then goals.d/ *.yaml in name order, each read by the
 * YAML field engine and parsed by the schema (config-schema.c). Nothing stops at the first
 * problem: each error is appended to ConfigErrors with the FILE:LINE:COL that libyaml recorded for
 * the node, and parsing carries on with the next key, the next definition, the next file.
 * References between definitions (goal -> series, route -> notifier, ...) are collected while
 * parsing and checked once every file has been read, because a goal file may use a series defined
 * in a later goal file. At the end the errors are sorted by file (in reading order), line and
 * column, so the report reads like the files.
 *
 * Every step is linear in the input (hash tables, no lookup inside a loop over the same
 * collection) and bounded (config.h), so a reload stays far inside the service's WatchdogSec=.
 *
 * This module never logs: it runs on the daemon's reload path, whose caller decides what to say. */
#include <assert.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "config-internal.h"
#include "labourwatch/macro.h"

/* ---- errors and references ---- */

static void ctx_yaml_error(void *userdata, const char *file, unsigned line, unsigned column, const char *message)
{
        ctx_error_at(userdata, file, line, column, "%s", message);
}

static void ctx_add_ref(YamlWalk *w, int kind, const char *name, const yaml_node_t *n)
{
        Ctx *x = w->userdata;
        char *s;

        if (kind == REF_NONE)
                return;
        s = strdup(name);
        if (!s || GREEDY_REALLOC(x->refs, x->n_refs_alloc, x->n_refs + 1) < 0) {
                free(s);
                x->oom = true;
                return;
        }
        x->refs[x->n_refs++] = (Ref){.kind = kind, .name = s, .pos = ctx_node_pos(x, n)};
}

/* Never echo the value of an inline secret: it is a password. */
static bool ctx_unknown_key(YamlWalk *w, const char *what, const char *key, const yaml_node_t *kn)
{
        if (!streq(key, "token") && !streq(key, "password") && !streq(key, "secret") && !streq(key, "username"))
                return false;
        yaml_file_error(w->file, kn, "%s: '%s' must not be written inline in the configuration, use %s_file or %s_credential",
                        what, key, key, key);
        return true;
}

/* ---- files ---- */

static bool endswith(const char *s, const char *suffix)
{
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && streq(s + a - b, suffix);
}

/* Reads and parses one file. I/O and syntax errors are reported against the file; returns -ENOMEM,
 * or for an unreadable main file its -errno, else 0. */
static int ctx_parse_file(Ctx *x, const char *path, bool main_file)
{
        _cleanup_(yaml_file_done) YamlFile yf = {};
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

        r = yaml_file_load(&yf, f, CONFIG_FILE_MAX, ctx_yaml_error, x);
        if (r == -ENOMEM || yf.oom)
                return -ENOMEM;
        if (r == -EBADMSG) {
                x->some_broken = true;
                x->main_broken = x->main_broken || main_file;
                return x->oom ? -ENOMEM : 0;
        }
        if (r < 0) {
                x->some_broken = true;
                /* Without the main file there is nothing to check; a bad goal file spoils only itself. */
                return main_file ? r : 0;
        }

        x->yf = &yf;
        x->walk = (YamlWalk){.file = &yf, .userdata = x, .ref = ctx_add_ref, .unknown = ctx_unknown_key};
        config_parse_root(x, yaml_file_root(&yf));
        x->yf = NULL;
        x->walk = (YamlWalk){};
        return x->oom || yf.oom ? -ENOMEM : 0;
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

/* goals.d/ *.yaml in name (byte) order; every such name must be a readable regular file. A missing
 * directory is fine here (labourwatch check warns about it). */
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

                if (de->d_name[0] == '.' || !endswith(de->d_name, ".yaml"))
                        continue;
                p = strdup_printf("%s/%s", dir, de->d_name);
                if (!p) {
                        r = -ENOMEM;
                        break;
                }
                /* Not skipped when it is not a readable file (a dangling symlink, a directory, a
                 * FIFO): ctx_parse_file() reports it, without opening a FIFO or device for good. */
                if (n >= CONFIG_GOAL_FILES_MAX) {
                        ctx_error_at(x, dir, 0, 0, "more than %u goal files (the limit); merge some",
                                     CONFIG_GOAL_FILES_MAX);
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

/* The defined name nearest to an undefined one, NULL if none is near. */
static const char *ref_suggest(Ctx *x, const Ref *r)
{
        const Config *c = x->c;

        switch (r->kind) {
        case REF_SOURCE:
                return CTX_SUGGEST(x, r->name, c->sources, c->n_sources);
        case REF_SERIES:
                return CTX_SUGGEST(x, r->name, c->series, c->n_series);
        case REF_RECIPIENT:
                return CTX_SUGGEST(x, r->name, c->recipients, c->n_recipients);
        case REF_NOTIFIER:
                return CTX_SUGGEST(x, r->name, c->notifiers, c->n_notifiers);
        case REF_GOAL:
                return c->goals ? ctx_suggest(x, r->name, &c->goals[0].id, c->n_goals, sizeof(GoalDef)) : NULL;
        default:
                return NULL;
        }
}

static void ctx_check_refs(Ctx *x)
{
        static const char *const kinds[] = {
                [REF_SOURCE] = "source",
                [REF_SERIES] = "series",
                [REF_RECIPIENT] = "recipient",
                [REF_NOTIFIER] = "notifier",
                [REF_GOAL] = "goal",
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
                case REF_GOAL:
                        /* a pattern matches what it matches; an exact id must exist */
                        ok = strpbrk(r->name, "*?[") || config_find_goal(c, r->name);
                        break;
                default:
                        ok = true;
                }
                if (!ok) {
                        const char *hint = ref_suggest(x, r);
                        if (hint)
                                ctx_error_pos(x, r->pos, "undefined %s '%s' (did you mean '%s'?)", kinds[r->kind],
                                              r->name, hint);
                        else
                                ctx_error_pos(x, r->pos, "undefined %s '%s'", kinds[r->kind], r->name);
                }
        }
}

/* A route's report goes out by mail (smtp) or as files (directory) only. */
static void ctx_check_route_reports(Ctx *x)
{
        const Config *c = x->c;

        for (size_t i = 0; i < c->n_routes; i++) {
                const RouteDef *rt = &c->routes[i];
                bool ok = false;

                for (size_t k = 0; rt->has_report && !ok && k < rt->n_notifiers; k++) {
                        const NotifierDef *n = config_find_notifier(c, rt->notifiers[k]);
                        ok = !n || n->kind == NOTIFIER_SMTP || n->kind == NOTIFIER_DIRECTORY;
                }
                if (rt->has_report && !ok && rt->n_notifiers > 0)
                        ctx_error_pos(x, rt->pos,
                                      "report: none of this route's notifiers is smtp or directory, so its report "
                                      "would go nowhere (webhook and alertmanager notifiers get no report)");
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

/* Defaults that depend on the main file's place or on other keys. Returns 0 or -ENOMEM. */
static int ctx_defaults(Ctx *x, const char *path)
{
        Config *c = x->c;
        _cleanup_free_ char *dir = dirname_of(path);

        if (!dir)
                return -ENOMEM;
        if (!c->state_dir && !(c->state_dir = strdup(DEFAULT_STATE_DIR)))
                return -ENOMEM;
        if (!c->language && !(c->language = strdup("da")))
                return -ENOMEM;
        if (!c->plan && !(c->plan = strdup(DEFAULT_PLAN)))
                return -ENOMEM;
        if (config_resolve_templates_dir(c, path) < 0)
                return -ENOMEM;
        if (c->goals_dir && c->goals_dir[0] != '/') {
                char *g = strdup_printf("%s/%s", dir, c->goals_dir);
                if (!g)
                        return -ENOMEM;
                free(c->goals_dir);
                c->goals_dir = g;
        } else if (!c->goals_dir && !(c->goals_dir = strdup_printf("%s/goals.d", dir)))
                return -ENOMEM;
        return 0;
}

/* What is filled in once every file is read: inherited languages and plans, resolved sources. */
static void ctx_fill_in(Ctx *x)
{
        Config *c = x->c;

        for (size_t i = 0; i < c->n_recipients; i++)
                if (!c->recipients[i].language && !(c->recipients[i].language = strdup(c->language)))
                        x->oom = true;
        for (size_t i = 0; i < c->n_series; i++)
                if (c->series[i].source)
                        c->series[i].source_def = config_find_source(c, c->series[i].source);
        for (size_t i = 0; i < c->n_goals; i++)
                if (!c->goals[i].plan && !(c->goals[i].plan = strdup(c->plan)))
                        x->oom = true;
}

/* The main file, the goal files, then the references between them. Returns 0, -ENOMEM, or the
 * -errno of an unreadable main file. */
static int ctx_load(Ctx *x, const char *path)
{
        int r;

        r = ctx_parse_file(x, path, true);
        if (r < 0)
                return r;
        r = ctx_defaults(x, path);
        if (r < 0)
                return r;
        r = ctx_parse_goals_dir(x, x->c->goals_dir);
        if (r < 0)
                return r;
        if (config_build_index(x->c) < 0)
                return -ENOMEM;
        if (!x->some_broken) {
                ctx_check_refs(x);
                config_check_exprs(x);
                ctx_check_route_reports(x);
        }
        ctx_fill_in(x);
        return x->oom ? -ENOMEM : 0;
}

static void ctx_done(Ctx *x)
{
        for (size_t i = 0; i < x->n_refs; i++)
                free(x->refs[i].name);
        free(x->refs);
        hashmap_free(x->source_names);
        hashmap_free(x->series_names);
        hashmap_free(x->goal_ids);
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
        x = (Ctx){.c = c, .errors = errors, .first_error = first_error};

        r = ctx_load(&x, path);
        if (r >= 0 && errors->n_items > first_error)
                r = -EINVAL;
        if (errors->n_items > first_error &&
            errors_sort(c, errors->items + first_error, errors->n_items - first_error) < 0)
                r = -ENOMEM;
        if (x.n_suppressed > 0) {
                x.uncapped = true; /* lift the cap for this one line */
                ctx_error_at(&x, path, 0, 0, "%zu more errors not shown (at most %u are reported)", x.n_suppressed,
                             CONFIG_ERRORS_MAX);
        }
        ctx_done(&x);
        config_errors_done(&local);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}
