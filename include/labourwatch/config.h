/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The configuration: /etc/labourwatch/labourwatch.yaml plus goals.d/ *.yaml beside it, parsed once
 * by libyaml into an immutable Config. Every definition remembers where it was written (ConfigPos),
 * so later stages (expression parsing, reference checks) can report FILE:LINE:COL too.
 *
 * The schema is documented in labourwatch.yaml(5); etc/labourwatch.yaml is a commented sample. */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "labourwatch/period.h"
#include "labourwatch/secret.h" /* SecretRef, secret_read() */
#include "labourwatch/time-util.h" /* USEC_PER_*, kept here for the modules that used to get them here */

typedef struct ConfigPos {
        const char *file; /* points into Config.files; valid while the Config lives */
        unsigned line, column; /* 1-based, from libyaml's marks */
} ConfigPos;


/* ---- sources ---- */

typedef enum SourceKind {
        SOURCE_STATBANK,   /* Statistics Denmark, api.statbank.dk/v1 */
        SOURCE_JOBINDSATS, /* STAR, api.jobindsats.dk v3 (v2 optional) */
        SOURCE_CSV,        /* local file or URL, documented layout */
        SOURCE_JSONSTAT,   /* any JSON-stat 2.0 (and 1.x bundle) service */
        SOURCE_PXWEB,      /* a PxWeb API (SCB, SSB, Statistics Finland, ...) answering JSON-stat */
        _SOURCE_KIND_MAX,
        _SOURCE_KIND_INVALID = -EINVAL,
} SourceKind;

typedef enum ScheduleKind {
        SCHEDULE_INTERVAL, /* every `interval`, +- `jitter` */
        SCHEDULE_CALENDAR, /* weekdays at HH:MM, Europe/Copenhagen */
        _SCHEDULE_KIND_MAX,
        _SCHEDULE_KIND_INVALID = -EINVAL,
} ScheduleKind;

#define SCHEDULE_TIMES_MAX 8
typedef struct Schedule {
        ScheduleKind kind;
        uint64_t interval_usec;
        uint64_t jitter_usec;
        unsigned weekdays;                        /* calendar: bit 0 = Monday .. bit 6 = Sunday */
        unsigned times_min[SCHEDULE_TIMES_MAX];   /* calendar: minutes after local midnight */
        size_t n_times;
} Schedule;

typedef struct SourceDef {
        char *name;
        SourceKind kind;
        char *base_url;          /* http(s):// or file:// ; for csv may be a plain path */
        SecretRef token;         /* jobindsats */
        char *ca_file;           /* extra CA bundle for internal servers; verification stays on */
        char *lang;              /* statbank: "da" or "en" */
        int api_version;         /* jobindsats: 3 (default) or 2 */
        Schedule schedule;
        uint64_t connect_timeout_usec;
        uint64_t timeout_usec;
        uint64_t max_response_size; /* bytes; default 64 MiB */
        uint64_t stale_after_usec;  /* failing longer than this is a data-problem event */
        char *encoding;          /* csv: "auto" (default) | "utf-8" | "windows-1252"; NULL otherwise */
        /* The source as its readers know it, in the mails and the report ("Jobindsats", "Jobcentrets
         * egne tal"); never NULL after loading: `display_name:`, else the kind's default
         * (source_default_display_name), else the source's name. */
        char *display_name_da, *display_name_en;
        ConfigPos pos;
} SourceDef;

/* ---- series ---- */

typedef struct SelectionItem {
        char *dimension; /* e.g. "OMRÅDE", "area", "_kon", a JSON-stat dimension id */
        char *value;     /* a code, or a text resolved through metadata (e.g. "Herlev", "Fleksjob") */
        ConfigPos pos;
} SelectionItem;

typedef struct SeriesDef {
        char *name;
        /* fetched series: */
        char *source;            /* name of a SourceDef */
        const SourceDef *source_def; /* resolved after parsing; NULL for derived series */
        char *table;             /* statbank table id, jobindsats table id, jsonstat dataset path */
        char *measure;           /* jobindsats measure / JSON-stat metric category / statbank none */
        char *column;            /* csv: value column name */
        char *path;              /* csv: file path or URL relative to the source's base_url */
        SelectionItem *select;
        size_t n_select;
        /* derived series: */
        char *expr;              /* e.g. "100 * matched / orders" */
        ConfigPos expr_pos;      /* position of the expression's first character */
        /* common: */
        PeriodFreq freq;         /* expected frequency; checked against the data */
        int publication_lag;     /* expected lag in periods; older data makes goals no_data */
        char *unit_da, *unit_en; /* "fuldtidspersoner" / "full-time persons" */
        char *label_da, *label_en; /* `label:`/`label_en:` e.g. "hele landet" / "the whole country";
                                    * NULL when not given (one given: both set) */
        char *dataset;           /* jsonstat/pxweb: which dataset of a bundle; NULL = the only one */
        char *time_format;       /* jsonstat/pxweb: e.g. "%Y - %q"; NULL = auto */
        ConfigPos pos;
} SeriesDef;

/* ---- goals ---- */

typedef enum GoalKind {
        GOAL_LEVEL,      /* aggregate over the goal period against a target level */
        GOAL_CHANGE,     /* change against a baseline period (like with like during the year) */
        GOAL_SHARE,      /* 100 * sum(numerator) / sum(denominator) */
        GOAL_REFERENCE,  /* own change against a reference series' change */
        GOAL_RANK,       /* benchmark rank, lower is better */
        GOAL_CUMULATIVE, /* running count during the goal period, against the pro-rata path */
        _GOAL_KIND_MAX,
        _GOAL_KIND_INVALID = -EINVAL,
} GoalKind;

typedef enum GoalDirection {
        GOAL_AT_LEAST,
        GOAL_AT_MOST,
        _GOAL_DIRECTION_MAX,
        _GOAL_DIRECTION_INVALID = -EINVAL,
} GoalDirection;

typedef enum GoalAggregate {
        GOAL_AGGREGATE_AVERAGE, /* mean of the periods in the goal period: full-time persons a year */
        GOAL_AGGREGATE_LATEST,  /* the latest period's value */
        GOAL_AGGREGATE_SUM,     /* year-to-date sum */
        _GOAL_AGGREGATE_MAX,
        _GOAL_AGGREGATE_INVALID = -EINVAL,
} GoalAggregate;

typedef enum ChangeUnit {
        CHANGE_PERCENT,  /* relative change in % */
        CHANGE_POINTS,   /* difference in percentage points (for shares / rates) */
        CHANGE_ABSOLUTE, /* difference in the series' own unit */
        _CHANGE_UNIT_MAX,
        _CHANGE_UNIT_INVALID = -EINVAL,
} ChangeUnit;

typedef enum ProjectionMethod {
        PROJECTION_AUTO,     /* seasonal where a year of history exists, else linear */
        PROJECTION_LINEAR,
        PROJECTION_SEASONAL,
        PROJECTION_NONE,
        PROJECTION_SMOOTHED, /* seasonal profile + damped local trend; auto's choice under status_from: probability */
        _PROJECTION_METHOD_MAX,
        _PROJECTION_METHOD_INVALID = -EINVAL,
} ProjectionMethod;

/* What an open goal's status is judged from (labourwatch-goals(7), STATUS, PROBABILITY). */
typedef enum GoalStatusFrom {
        GOAL_STATUS_FROM_PROJECTION,  /* the point projection against target and tolerance (default) */
        GOAL_STATUS_FROM_PROBABILITY, /* the probability against probability_at_risk/_off_track */
        _GOAL_STATUS_FROM_MAX,
        _GOAL_STATUS_FROM_INVALID = -EINVAL,
} GoalStatusFrom;

/* The default probability_recover is probability_off_track plus this: a goal that went off track
 * below 0.2 is back only at 0.35 (hysteresis; labourwatch-goals(7), PROBABILITY). */
/* A notifier's `retry_max:` and `give_up_after:` when not given: one default, read by the schema
 * and by the outbox (for notifiers made in code). */
#define NOTIFIER_RETRY_MAX_DEFAULT_USEC (UINT64_C(1) * 3600 * 1000000)
#define NOTIFIER_GIVE_UP_AFTER_DEFAULT_USEC (UINT64_C(3) * 24 * 3600 * 1000000)

/* evaluations_keep: the default covers a goal year and the committee's look back at it */
#define EVALUATIONS_KEEP_DEFAULT_USEC (UINT64_C(400) * 24 * 3600 * 1000000)

#define PROBABILITY_RECOVER_MARGIN 0.15

typedef struct GoalDef {
        char *id;
        char *title_da, *title_en;
        GoalKind kind;
        char *series;            /* the measured series (all kinds but share) */
        char *numerator;         /* share */
        char *denominator;       /* share */
        char *reference;         /* reference: e.g. the national series */
        Period period;           /* the goal period, e.g. year 2024; deadline = its last day */
        Period baseline;         /* change, reference */
        GoalAggregate aggregate;
        GoalDirection direction;
        double target;           /* in the goal's own unit: level, %, change (unit below), rank, count */
        ChangeUnit change_unit;  /* change, reference */
        double tolerance;        /* at_risk band, in the target's unit (0: none) */
        double min_denominator;  /* share: below this, insufficient data */
        ProjectionMethod projection;
        int trend_window;        /* periods used by the linear trend (default 6) */
        GoalStatusFrom status_from;
        double probability_at_risk;   /* status_from probability: below this at_risk (default 0.8) */
        double probability_off_track; /* below this off_track (default 0.2); both 0: the defaults */
        double probability_recover;   /* a firing goal recovers at this or more (default off_track + 0.15) */
        char **recipients;       /* names of RecipientDef; who answers for this goal */
        size_t n_recipients;
        unsigned alert_for;      /* `for:` consecutive new data periods off_track before firing; default 1 */
        bool notify_at_risk;     /* default false */
        bool has_recovery_band;  /* `recovery_band:` given */
        double recovery_band;    /* default (not given): the goal's tolerance */
        char *plan;              /* `plan:` name of the plan; default (filled in) Config.plan */
        ConfigPos pos;
} GoalDef;

/* ---- notification ---- */

typedef struct RecipientDef {
        char *name;
        char *display_name;
        char *salutation; /* a person's name for "Kære …,"/"Dear …,"; NULL: a function or unit, no greeting */
        char *email;
        char *language; /* "da" (default) or "en" */
        ConfigPos pos;
} RecipientDef;

typedef enum NotifierKind {
        NOTIFIER_SMTP,
        NOTIFIER_WEBHOOK,
        NOTIFIER_DIRECTORY, /* writes each message as a file: demo and dry runs */
        NOTIFIER_ALERTMANAGER, /* posts alerts to a Prometheus Alertmanager (api/v2/alerts) */
        _NOTIFIER_KIND_MAX,
        _NOTIFIER_KIND_INVALID = -EINVAL,
} NotifierKind;

typedef enum WebhookFormat {
        WEBHOOK_GENERIC, /* the notice document as JSON */
        WEBHOOK_TEAMS,   /* a Microsoft Teams message card */
        _WEBHOOK_FORMAT_MAX,
        _WEBHOOK_FORMAT_INVALID = -EINVAL,
} WebhookFormat;

typedef enum NotifierAuth {
        NOTIFIER_AUTH_PASSWORD, /* SMTP AUTH with username/password (default; none without a username) */
        NOTIFIER_AUTH_OAUTH2,   /* SMTP AUTH XOAUTH2 with a client-credentials token (notify-oauth.c) */
        _NOTIFIER_AUTH_MAX,
        _NOTIFIER_AUTH_INVALID = -EINVAL,
} NotifierAuth;

typedef struct NotifierDef {
        char *name;
        NotifierKind kind;
        char *url;           /* smtp(s)://host:port or https://… webhook */
        char *from;          /* smtp */
        SecretRef username;  /* smtp */
        SecretRef password;  /* smtp */
        NotifierAuth auth;   /* smtp: `auth:` password (default) | oauth2 */
        char *token_url;     /* smtp, oauth2: the token endpoint (client-credentials grant) */
        char *client_id;     /* smtp, oauth2 */
        SecretRef client_secret; /* smtp, oauth2 */
        char *scope;         /* smtp, oauth2: default https://outlook.office365.com/.default */
        SecretRef secret;    /* webhook HMAC key */
        char *directory;     /* directory */
        char *ca_file;
        uint64_t timeout_usec;
        bool allow_plaintext;        /* smtp: plaintext to a non-loopback host (default false) */
        WebhookFormat format;        /* webhook: generic (default) | teams */
        uint64_t retry_max_usec;     /* `retry_max:` cap of the retry backoff, default 1h */
        uint64_t give_up_after_usec; /* `give_up_after:` default 3d */
        ConfigPos pos;
} NotifierDef;

typedef struct RouteDef {
        char **goals;      /* glob patterns on goal ids; empty = all */
        size_t n_goals;
        char **recipients; /* RecipientDef names; empty = the goal's own recipients */
        size_t n_recipients;
        char **notifiers;  /* NotifierDef names */
        size_t n_notifiers;
        uint64_t repeat_usec; /* `repeat: 30d` (a duration): "still off track" reminder interval; 0 = never */
        unsigned repeat_periods; /* `repeat: 2` (an integer): every 2 new data periods; 0 = none */
        bool notify_at_risk;  /* default false */
        bool send_resolved;   /* default true */
        bool data_problems;   /* also route source failures (ops) */
        /* `report: {calendar:, format:, plan:}`: send the committee report (report.h) as an attachment
         * at every slot of the calendar (labourwatchd(8), REPORTS) */
        bool has_report;
        Schedule report_calendar; /* SCHEDULE_CALENDAR, no jitter */
        int report_format;        /* ReportFormat: REPORT_FORMAT_PDF (default) or REPORT_FORMAT_HTML */
        char *report_plan;        /* `plan:`; NULL: Config.plan */
        ConfigPos pos;
} RouteDef;

/* ---- the whole ---- */

typedef struct Config {
        char **files; /* every file read, in order (main file first); owned */
        size_t n_files;

        char *state_dir;      /* default /var/lib/labourwatch */
        char *language;       /* default "da" */
        char *goals_dir;      /* default: goals.d beside the main file */
        char *plan;           /* `plan:` e.g. "Beskæftigelsesplan 2024"; default "Beskæftigelsesplan" */
        char *municipality;   /* `municipality:` e.g. "Herlev Kommune"; may be NULL */
        char *templates_dir;  /* `templates_dir:` default: templates/ beside the main file when it
                               * exists, else NULL (the built-in templates) */
        char *metrics_file;   /* `metrics_file:` node_exporter textfile; NULL = off */
        uint64_t evaluations_keep_usec; /* `evaluations_keep:` audit trail kept whole this long (400d) */
        /* Every goal's default for these keys (the main file's top level; a goal's own key wins):
         * status_from (has_status_from false: probability), the thresholds (0: the built-in 0.8,
         * 0.2 and off_track + PROBABILITY_RECOVER_MARGIN). */
        bool has_status_from;
        GoalStatusFrom status_from;
        double probability_at_risk, probability_off_track, probability_recover;

        SourceDef *sources;
        size_t n_sources;
        SeriesDef *series;
        size_t n_series;
        GoalDef *goals;
        size_t n_goals;
        RecipientDef *recipients;
        size_t n_recipients;
        NotifierDef *notifiers;
        size_t n_notifiers;
        RouteDef *routes;
        size_t n_routes;

        struct ConfigIndex *index; /* private: name -> definition, built by config_load() */
} Config;

typedef struct ConfigError {
        char *file;
        unsigned line, column; /* 0 when the error concerns the file as a whole */
        char *message;
} ConfigError;

typedef struct ConfigErrors {
        ConfigError *items;
        size_t n_items, n_alloc;
} ConfigErrors;

#define CONFIG_DEFAULT_PATH "/etc/labourwatch/labourwatch.yaml"

/* Bounds on what one load reads, so that loading stays fast (linear, and well within the
 * service's WatchdogSec) whatever the input; beyond them the load fails with a clear error. */
#define CONFIG_FILE_MAX (16U * 1024U * 1024U) /* bytes per file */
#define CONFIG_NODES_MAX 1000000U             /* YAML nodes (scalars, lists, mappings) per file */
#define CONFIG_GOAL_FILES_MAX 10000U          /* files in goals_dir */
#define CONFIG_ERRORS_MAX 1000U               /* errors reported; the rest are counted */
#define CONFIG_DERIVED_DEPTH_MAX 63U          /* derived series on one chain (evaluation resolves them
                                               * on a stack of 64) */

/* Loads path and its goals.d. On success returns 0 and *ret (caller owns; config_free). On any
 * problem returns -EINVAL (or -ENOMEM, -errno for I/O) and appends every error found to *errors
 * (caller owns; config_errors_done). Never logs. */
int config_load(const char *path, Config **ret, ConfigErrors *errors);
Config *config_free(Config *c);
static inline void config_freep(Config **c) /* for _cleanup_ */
{
        config_free(*c);
}

void config_errors_done(ConfigErrors *e);
/* Formats "FILE:LINE:COL: message" (or "FILE: message"). Caller owns the result. */
char *config_error_to_string(const ConfigError *e);

/* Lookups by name: O(1) on a Config from config_load() (a linear scan on one built by hand).
 * The first definition of a name wins. */
const SourceDef *config_find_source(const Config *c, const char *name);
const SeriesDef *config_find_series(const Config *c, const char *name);
const GoalDef *config_find_goal(const Config *c, const char *id);
const RecipientDef *config_find_recipient(const Config *c, const char *name);
const NotifierDef *config_find_notifier(const Config *c, const char *name);


/* The default display name of a source kind in language l ("Statistikbanken", "Jobindsats",
 * "Jobcentrets egne tal" for csv / "Statistics Denmark", "Jobindsats", "The job centre's own
 * figures"), NULL for a kind that names no one publisher (jsonstat, pxweb). Static string. */
const char *source_default_display_name(SourceKind k, bool en);
const char *source_kind_to_string(SourceKind k);
SourceKind source_kind_from_string(const char *s);
const char *goal_kind_to_string(GoalKind k);
GoalKind goal_kind_from_string(const char *s);
const char *goal_direction_to_string(GoalDirection d);
GoalDirection goal_direction_from_string(const char *s);
const char *goal_aggregate_to_string(GoalAggregate a);
GoalAggregate goal_aggregate_from_string(const char *s);
const char *change_unit_to_string(ChangeUnit u);
ChangeUnit change_unit_from_string(const char *s);
const char *projection_method_to_string(ProjectionMethod m);
ProjectionMethod projection_method_from_string(const char *s);
const char *notifier_kind_to_string(NotifierKind k);
NotifierKind notifier_kind_from_string(const char *s);
const char *webhook_format_to_string(WebhookFormat f);
WebhookFormat webhook_format_from_string(const char *s);
const char *notifier_auth_to_string(NotifierAuth a);
NotifierAuth notifier_auth_from_string(const char *s);
