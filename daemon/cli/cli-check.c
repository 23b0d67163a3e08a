/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labourwatch check: validate the configuration the daemon would load, and say what it holds. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "labourwatch/fileio.h"
#include "labourwatch/macro.h"
#include "labourwatch/secret.h"
#include "labourwatch/notify.h"

/* Where systemd looks for LoadCredential=NAME / LoadCredentialEncrypted=NAME without a path. */
static const char *const credstore_dirs[] = {
        "/etc/credstore",           "/etc/credstore.encrypted", "/run/credstore",
        "/run/credstore.encrypted", "/usr/lib/credstore",       "/usr/lib/credstore.encrypted",
};

/* Warns (the configuration stays valid: the service may see other files than this user) when a
 * secret cannot be read here. Never prints the secret. Returns the number of warnings. */
static unsigned warn_secret(const ConfigPos *pos, const char *what, const char *key, const SecretRef *ref)
{
        _cleanup_free_ char *found = NULL;
        const char *dir = getenv("CREDENTIALS_DIRECTORY");
        char *secret = NULL;
        int r;

        if (!ref->file && !ref->credential)
                return 0;
        if (ref->credential && (!dir || !*dir)) {
                for (size_t i = 0; i < ELEMENTSOF(credstore_dirs) && !found; i++) {
                        _cleanup_free_ char *p = strdup_printf("%s/%s", credstore_dirs[i], ref->credential);
                        if (p && access(p, F_OK) >= 0)
                                found = TAKE_PTR(p);
                }
                if (found)
                        return 0;
                fprintf(stderr,
                        "%s:%u:%u: warning: %s: credential '%s' not found: $CREDENTIALS_DIRECTORY is not set and "
                        "there is no /etc/credstore/%s or /etc/credstore.encrypted/%s for the service's "
                        "LoadCredential=/LoadCredentialEncrypted=\n",
                        pos->file, pos->line, pos->column, what, ref->credential, ref->credential, ref->credential);
                return 1;
        }
        r = secret_read(ref, &secret);
        secret = secret_wipe_free(secret);
        if (r >= 0)
                return 0;
        if (ref->file)
                fprintf(stderr, "%s:%u:%u: warning: %s: cannot read %s_file %s: %s\n", pos->file, pos->line,
                        pos->column, what, key, ref->file, read_regular_file_strerror(r));
        else
                fprintf(stderr, "%s:%u:%u: warning: %s: cannot read credential '%s' in $CREDENTIALS_DIRECTORY: %s\n",
                        pos->file, pos->line, pos->column, what, ref->credential, read_regular_file_strerror(r));
        return 1;
}

/* A missing goal directory or a goal file ending in .yml reads as "0 goals" otherwise. */
static unsigned warn_goals_dir(const Config *c)
{
        struct dirent *de;
        unsigned n = 0;
        DIR *d;

        d = opendir(c->goals_dir);
        if (!d) {
                fprintf(stderr, "%s: warning: goal directory %s: no goal files are read from it\n", c->goals_dir,
                        errno == ENOENT ? "does not exist" : strerror(errno));
                return 1;
        }
        while ((de = readdir(d))) {
                size_t l = strlen(de->d_name);
                if (de->d_name[0] != '.' && l > 4 && streq(de->d_name + l - 4, ".yml")) {
                        fprintf(stderr, "%s/%s: warning: ignored: goal files must end in .yaml\n", c->goals_dir,
                                de->d_name);
                        n++;
                }
        }
        closedir(d);
        return n;
}

static void check_warnings(const Config *c)
{
        for (size_t i = 0; i < c->n_sources; i++) {
                _cleanup_free_ char *what = strdup_printf("source '%s'", c->sources[i].name);
                (void) warn_secret(&c->sources[i].pos, strna(what), "token", &c->sources[i].token);
        }
        for (size_t i = 0; i < c->n_notifiers; i++) {
                const NotifierDef *n = &c->notifiers[i];
                _cleanup_free_ char *what = strdup_printf("notifier '%s'", n->name);
                (void) warn_secret(&n->pos, strna(what), "username", &n->username);
                (void) warn_secret(&n->pos, strna(what), "password", &n->password);
                (void) warn_secret(&n->pos, strna(what), "secret", &n->secret);
                (void) warn_secret(&n->pos, strna(what), "client_secret", &n->client_secret);
        }
        (void) warn_goals_dir(c);
}

static void check_help(FILE *f)
{
        fprintf(f,
                "Usage: labourwatch check [--config PATH]\n"
                "\n"
                "Reads the configuration file and every goal file in its goals directory, checks\n"
                "them completely and prints every problem as FILE:LINE:COL: message. Secrets it\n"
                "cannot read here, a missing goal directory and .yml goal files are warnings.\n"
                "\n"
                "  -c, --config PATH   configuration file (default: $LABOURWATCH_CONFIG or %s)\n"
                "  -h, --help          show this help\n"
                "\n"
                "Exit status: 0 valid, 1 invalid, 2 usage error.\n",
                CONFIG_DEFAULT_PATH);
}

int cli_check(int argc, char **argv)
{
        static const struct option options[] = {
                {"config", required_argument, NULL, 'c'},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        const char *path = cli_default_config_path();
        Config *c = NULL;
        int opt, r;

        optind = 0; /* reset getopt: argv is the command's own vector */
        opterr = 0;
        while ((opt = getopt_long(argc, argv, "c:h", options, NULL)) >= 0)
                switch (opt) {
                case 'c':
                        path = optarg;
                        break;
                case 'h':
                        check_help(stdout);
                        return 0;
                case '?':
                default:
                        cli_option_error("check", options, argc, argv);
                        cli_usage_hint("check");
                        return 2;
                }
        if (optind < argc) {
                fprintf(stderr, "labourwatch check: unexpected argument '%s'\n", argv[optind]);
                cli_usage_hint("check");
                return 2;
        }

        r = cli_load_config(path, &c);
        if (r < 0)
                return 1;

        /* The message templates: an unknown placeholder is FILE:LINE:COL like any config error. */
        {
                ConfigErrors errors = {};

                r = notify_templates_check(c->templates_dir, &errors);
                for (size_t i = 0; i < errors.n_items; i++) {
                        _cleanup_free_ char *s = config_error_to_string(&errors.items[i]);
                        fprintf(stderr, "%s\n", s ? s : "out of memory");
                }
                config_errors_done(&errors);
                if (r < 0) {
                        config_free(c);
                        return 1;
                }
        }

        check_warnings(c);
#define S(n) (n) == 1 ? "" : "s"
        printf("configuration OK: %zu source%s, %zu series, %zu goal%s, %zu recipient%s, %zu notifier%s, %zu route%s\n",
               c->n_sources, S(c->n_sources), c->n_series, c->n_goals, S(c->n_goals), c->n_recipients,
               S(c->n_recipients), c->n_notifiers, S(c->n_notifiers), c->n_routes, S(c->n_routes));
#undef S
        config_free(c);
        return 0;
}
