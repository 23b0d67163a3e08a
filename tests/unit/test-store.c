/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "labourwatch/macro.h"
#include "labourwatch/store.h"

#define SEC INT64_C(1000000)
#define T(n) (INT64_C(1719900000) * SEC + 3600 * SEC * (n))

typedef struct Fixture {
        char dir[64];
        char db[128];
        Store *store;
} Fixture;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
        return remove(path);
}

static int setup(void **state)
{
        Fixture *f = calloc(1, sizeof(Fixture));
        char *err = NULL;

        assert_non_null(f);
        strcpy(f->dir, "/tmp/test-store-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        snprintf(f->db, sizeof(f->db), "%s/labourwatch.db", f->dir);
        assert_int_equal(store_open(f->dir, &f->store, &err), 0);
        assert_null(err);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        Fixture *f = *state;

        store_close(f->store);
        (void) nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        free(f);
        return 0;
}

/* "2024M01=100 2024M02=.. 2024M03=5.5" -> points; ".." is a missing cell. */
static size_t parse_points(const char *spec, SeriesPoint *out, size_t max)
{
        _cleanup_free_ char *copy = strdup(spec);
        char *save = NULL;
        size_t n = 0;

        assert_non_null(copy);
        for (char *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
                char *eq = strchr(tok, '=');
                assert_non_null(eq);
                assert_true(n < max);
                *eq = '\0';
                out[n] = (SeriesPoint){};
                assert_int_equal(period_parse(tok, &out[n].period), 0);
                if (streq(eq + 1, ".."))
                        out[n].missing = true;
                else
                        assert_int_equal(safe_atod(eq + 1, &out[n].value), 0);
                n++;
        }
        return n;
}

static int put(Store *s, const char *series, int64_t at, const char *spec, StoreWriteStats *stats,
               char **err)
{
        SeriesPoint pts[64];
        size_t n = parse_points(spec, pts, ELEMENTSOF(pts));
        Provenance prov = {
                .source = "dst",
                .table = "AUP01",
                .selection = "OMRÅDE=163,TID=*",
                .url = "https://api.statbank.dk/v1/data",
                .fetched_at = at,
        };
        return store_put_series(s, series, pts, n, &prov, stats, err);
}

static void put_ok(Store *s, const char *series, int64_t at, const char *spec)
{
        char *err = NULL;
        StoreWriteStats st;
        int r = put(s, series, at, spec, &st, &err);
        if (r < 0)
                fail_msg("put %s failed: %s", spec, strna(err));
}

/* History rendered as "PERIOD=VALUE@FETCHED/SUPERSEDED" (times in hours after T(0)), for compact
 * comparisons. */
static char *history_string(Store *s, const char *series)
{
        StoredObservation *o = NULL;
        size_t n = 0;
        char *err = NULL, *out = strdup("");

        assert_int_equal(store_series_history(s, series, &o, &n, &err), 0);
        for (size_t i = 0; i < n; i++) {
                char p[PERIOD_STRING_MAX], v[32];
                char *next;

                if (o[i].missing)
                        strcpy(v, "..");
                else
                        snprintf(v, sizeof(v), "%g", o[i].value);
                next = strdup_printf(
                        "%s%s%s=%s@%lld/%lld", out, i ? " " : "", period_to_string(o[i].period, p), v,
                        (long long) ((o[i].fetched_at - T(0)) / (3600 * SEC)),
                        o[i].superseded_at ? (long long) ((o[i].superseded_at - T(0)) / (3600 * SEC))
                                           : -1LL);
                free(out);
                out = next;
                assert_string_equal(o[i].source, "dst");
                assert_string_equal(o[i].table, "AUP01");
        }
        store_observations_free(o, n);
        return out;
}

static char *latest_string(Store *s, const char *series)
{
        Series *ser = NULL;
        char *err = NULL, *out = strdup("");

        assert_int_equal(store_load_series(s, series, &ser, &err), 0);
        assert_string_equal(ser->name, series);
        for (size_t i = 0; i < ser->n_points; i++) {
                char p[PERIOD_STRING_MAX], v[32];
                char *next;

                if (ser->points[i].missing)
                        strcpy(v, "..");
                else
                        snprintf(v, sizeof(v), "%g", ser->points[i].value);
                next = strdup_printf("%s%s%s=%s", out, i ? " " : "",
                                     period_to_string(ser->points[i].period, p), v);
                free(out);
                out = next;
        }
        series_free(ser);
        return out;
}

static void assert_history(Store *s, const char *series, const char *want)
{
        _cleanup_free_ char *got = history_string(s, series);
        assert_string_equal(got, want);
}

static void assert_latest(Store *s, const char *series, const char *want)
{
        _cleanup_free_ char *got = latest_string(s, series);
        assert_string_equal(got, want);
}

static int64_t sql_int(const char *db, const char *sql)
{
        sqlite3 *h = NULL;
        sqlite3_stmt *st = NULL;
        int64_t v;

        assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        sqlite3_close(h);
        return v;
}

static void sql_exec(const char *db, const char *sql)
{
        sqlite3 *h = NULL;
        char *msg = NULL;

        assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
                         SQLITE_OK);
        if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
                fail_msg("%s: %s", sql, msg);
        sqlite3_close(h);
}

/* ---- observations ---- */

static void test_revisions(void **state)
{
        Fixture *f = *state;
        static const struct {
                int64_t at;
                const char *points;
                StoreWriteStats want;
                const char *latest;
        } steps[] = {
                {T(1), "2024M01=100 2024M02=200", {2, 0, 0}, "2024M01=100 2024M02=200"},
                /* unchanged, revised, new missing cell */
                {T(2),
                 "2024M01=100 2024M02=210 2024M03=..",
                 {1, 1, 1},
                 "2024M01=100 2024M02=210 2024M03=.."},
                /* revision of a revision; missing -> value is a revision too */
                {T(3), "2024M02=220 2024M03=300", {0, 2, 0}, "2024M01=100 2024M02=220 2024M03=300"},
                /* value -> missing */
                {T(4), "2024M03=..", {0, 1, 0}, "2024M01=100 2024M02=220 2024M03=.."},
                {T(5), "2024M01=100 2024M03=..", {0, 0, 2}, "2024M01=100 2024M02=220 2024M03=.."},
                /* back to an earlier value is still a revision of the current one */
                {T(6), "2024M02=200", {0, 1, 0}, "2024M01=100 2024M02=200 2024M03=.."},
                /* the empty batch is fine */
                {T(7), "", {0, 0, 0}, "2024M01=100 2024M02=200 2024M03=.."},
        };

        for (size_t i = 0; i < ELEMENTSOF(steps); i++) {
                StoreWriteStats st = {99, 99, 99};
                char *err = NULL;

                assert_int_equal(put(f->store, "fleksjob", steps[i].at, steps[i].points, &st, &err), 0);
                assert_null(err);
                assert_int_equal(st.new_periods, steps[i].want.new_periods);
                assert_int_equal(st.revisions, steps[i].want.revisions);
                assert_int_equal(st.unchanged, steps[i].want.unchanged);
                assert_latest(f->store, "fleksjob", steps[i].latest);
        }

        /* Every value ever published, with both fetch times. */
        assert_history(f->store, "fleksjob",
                       "2024M01=100@1/-1 "
                       "2024M02=200@1/2 2024M02=210@2/3 2024M02=220@3/6 2024M02=200@6/-1 "
                       "2024M03=..@2/3 2024M03=300@3/4 2024M03=..@4/-1");

        /* Unchanged values only refresh last_seen; fetched_at stays the first sighting. */
        assert_int_equal(sql_int(f->db, "SELECT last_seen FROM observations WHERE period = '2024M01'"),
                         T(5));
        assert_int_equal(sql_int(f->db, "SELECT fetched_at FROM observations WHERE period = '2024M01'"),
                         T(1));
        assert_int_equal(sql_int(f->db, "SELECT count(*) FROM observations WHERE superseded_at IS NULL"), 3);

        /* Everything survives closing and reopening. */
        f->store = store_close(f->store);
        assert_int_equal(store_open(f->dir, &f->store, NULL), 0);
        assert_latest(f->store, "fleksjob", "2024M01=100 2024M02=200 2024M03=..");
}

static void test_ordering_and_series(void **state)
{
        Fixture *f = *state;
        char **names = NULL;
        size_t n = 0;
        char *err = NULL;
        Series *empty = NULL;

        /* Written out of order: stored and returned in period order. */
        put_ok(f->store, "sygedagpenge", T(1), "2024Q3=3 2023Q1=1 2024Q1=2");
        put_ok(f->store, "sygedagpenge", T(2), "2023Q1=1.5 2022Q4=0.5");
        put_ok(f->store, "a-dagpenge", T(1), "2024=7");
        put_ok(f->store, "uddannelseshjaelp", T(1), "2024QMAT02=12 2023QMAT04=11");

        assert_latest(f->store, "sygedagpenge", "2022Q4=0.5 2023Q1=1.5 2024Q1=2 2024Q3=3");
        assert_history(f->store, "sygedagpenge",
                       "2022Q4=0.5@2/-1 2023Q1=1@1/2 2023Q1=1.5@2/-1 2024Q1=2@1/-1 2024Q3=3@1/-1");
        assert_latest(f->store, "uddannelseshjaelp", "2023QMAT04=11 2024QMAT02=12");
        assert_latest(f->store, "a-dagpenge", "2024=7");

        assert_int_equal(store_list_series(f->store, &names, &n, &err), 0);
        assert_int_equal(n, 3);
        assert_string_equal(names[0], "a-dagpenge");
        assert_string_equal(names[1], "sygedagpenge");
        assert_string_equal(names[2], "uddannelseshjaelp");
        assert_null(names[3]);
        strv_free_n(names, n);

        /* Unknown series: empty, not an error. */
        assert_int_equal(store_load_series(f->store, "nope", &empty, &err), 0);
        assert_int_equal(empty->n_points, 0);
        series_free(empty);
}

static void test_list_empty(void **state)
{
        Fixture *f = *state;
        char **names = NULL;
        size_t n = 99;
        StoredObservation *o = NULL;

        assert_int_equal(store_list_series(f->store, &names, &n, NULL), 0);
        assert_int_equal(n, 0);
        assert_non_null(names);
        assert_null(names[0]);
        strv_free_n(names, n);
        assert_int_equal(store_series_history(f->store, "x", &o, &n, NULL), 0);
        assert_int_equal(n, 0);
        store_observations_free(o, n);
}

/* A failure late in a batch rolls the whole batch back: nothing stored before is lost or
 * overwritten, nothing of the batch remains. */
static void test_rollback_invalid_point(void **state)
{
        Fixture *f = *state;
        static const char *before_history = "2024M01=100@1/-1 2024M02=200@1/-1";
        static const struct {
                SeriesPoint bad;
                const char *want_error;
        } rows[] = {
                {{.period = {PERIOD_MONTH, 2024, 13}, .value = 1}, "invalid period"},
                {{.period = {PERIOD_MONTH, 2024, 9}, .value = NAN}, "2024M09: value is not a finite number"},
                {{.period = {PERIOD_MONTH, 2024, 9}, .value = INFINITY}, "not a finite number"},
        };

        put_ok(f->store, "s", T(1), "2024M01=100 2024M02=200");
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                SeriesPoint pts[8];
                size_t n = parse_points("2024M01=101 2024M02=.. 2024M05=5 2024M06=6", pts, ELEMENTSOF(pts));
                Provenance prov = {.source = "dst", .table = "AUP01", .fetched_at = T(2)};
                StoreWriteStats st = {7, 7, 7};
                _cleanup_free_ char *err = NULL;

                pts[n++] = rows[i].bad;
                assert_int_equal(store_put_series(f->store, "s", pts, n, &prov, &st, &err), -EINVAL);
                assert_non_null(err);
                assert_non_null(strstr(err, f->db));
                assert_non_null(strstr(err, rows[i].want_error));
                /* stats untouched on failure */
                assert_int_equal(st.new_periods, 7);
                assert_history(f->store, "s", before_history);
        }
        assert_int_equal(sql_int(f->db, "SELECT count(*) FROM observations"), 2);
        assert_int_equal(sql_int(f->db, "SELECT max(last_seen) FROM observations"), T(1));

        /* The store is still usable afterwards. */
        put_ok(f->store, "s", T(3), "2024M02=201");
        assert_history(f->store, "s", "2024M01=100@1/-1 2024M02=200@1/3 2024M02=201@3/-1");
}

/* A real SQLite failure in the middle of a batch (a trigger raising an error on one row, planted
 * behind the store's back), after revisions of earlier rows were already written in the same
 * transaction. */
static void test_rollback_sqlite_failure(void **state)
{
        Fixture *f = *state;
        _cleanup_free_ char *err = NULL;
        StoreWriteStats st;

        put_ok(f->store, "s", T(1), "2024M01=100 2024M02=200 2024M03=300");
        sql_exec(f->db, "CREATE TRIGGER inject BEFORE INSERT ON observations WHEN NEW.period = '2024M12' "
                        "BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");

        assert_int_equal(put(f->store, "s", T(2),
                             "2024M01=1 2024M02=2 2024M03=.. 2024M11=11 2024M12=12 2025M01=13", &st, &err),
                         -EEXIST);
        assert_non_null(err);
        assert_non_null(strstr(err, f->db));
        assert_non_null(strstr(err, "injected failure"));
        assert_history(f->store, "s", "2024M01=100@1/-1 2024M02=200@1/-1 2024M03=300@1/-1");

        sql_exec(f->db, "DROP TRIGGER inject");
        put_ok(f->store, "s", T(2), "2024M01=1 2024M12=12");
        assert_latest(f->store, "s", "2024M01=1 2024M02=200 2024M03=300 2024M12=12");
}

/* In the child: every new connection gets a tiny page cache (so the half-written transaction
 * spills into the WAL, the hard case for recovery) and an update hook that kills the process after
 * a few hundred row changes, i.e. in the middle of store_put_series' transaction. */
static int crash_how; /* 0: SIGKILL (OOM killer, power cut), 1: abort() (a failed assert()) */
static int crash_rows;

static void crash_hook(void *userdata, int op, const char *db, const char *table, sqlite3_int64 rowid)
{
        if (++crash_rows < 300)
                return;
        if (crash_how == 0)
                (void) kill(getpid(), SIGKILL);
        abort();
}

static int crash_extension(sqlite3 *db, char **errmsg, const struct sqlite3_api_routines *api)
{
        (void) sqlite3_exec(db, "PRAGMA cache_size = 2", NULL, NULL, NULL);
        sqlite3_update_hook(db, crash_hook, NULL);
        return SQLITE_OK;
}

static void test_crash_mid_batch(void **state)
{
        Fixture *f = *state;

        put_ok(f->store, "s", T(1), "2024M01=100 2024M02=200");
        f->store = store_close(f->store);

        for (int how = 0; how < 2; how++) {
                int status;
                pid_t pid = fork();

                assert_true(pid >= 0);
                if (pid == 0) {
                        Store *s = NULL;
                        SeriesPoint *pts = calloc(2000, sizeof(SeriesPoint));
                        Provenance prov = {.source = "dst", .fetched_at = T(2)};

                        crash_how = how;
                        (void) setrlimit(RLIMIT_CORE, &(struct rlimit){}); /* no core file for abort() */
                        if (!pts || sqlite3_auto_extension((void (*)(void)) crash_extension) != SQLITE_OK)
                                _exit(1);
                        if (store_open(f->dir, &s, NULL) < 0)
                                _exit(2);
                        /* Revisions of the stored periods first, then many new ones. */
                        for (int i = 0; i < 2000; i++)
                                pts[i] = (SeriesPoint){
                                        .period = period_add((Period){PERIOD_MONTH, 2024, 1}, i),
                                        .value = 1000 + i};
                        (void) store_put_series(s, "s", pts, 2000, &prov, NULL, NULL);
                        _exit(3); /* not reached: the hook ends the process */
                }
                assert_int_equal(waitpid(pid, &status, 0), pid);
                /* (Not _exit(): under valgrind --error-exitcode its leak report would replace our
                 * exit status, and the point is only that the process dies mid-transaction.) */
                assert_true(WIFSIGNALED(status));
                assert_int_equal(WTERMSIG(status), how == 0 ? SIGKILL : SIGABRT);

                /* The child's uncommitted pages reached the WAL... */
                if (how == 0) {
                        struct stat sb;
                        char wal[160];
                        snprintf(wal, sizeof(wal), "%s-wal", f->db);
                        assert_int_equal(stat(wal, &sb), 0);
                        assert_true(sb.st_size > 0);
                }
                /* ...and recovery ignores them: the old state, intact. */
                assert_int_equal(store_open(f->dir, &f->store, NULL), 0);
                assert_history(f->store, "s", "2024M01=100@1/-1 2024M02=200@1/-1");
                f->store = store_close(f->store);
        }

        assert_int_equal(store_open(f->dir, &f->store, NULL), 0);
        put_ok(f->store, "s", T(3), "2024M02=201");
        assert_latest(f->store, "s", "2024M01=100 2024M02=201");
}

/* Another process holding the write lock (a CLI import, say) makes a write wait, not fail: the busy
 * timeout. */
static void test_busy_wait(void **state)
{
        Fixture *f = *state;
        int fds[2], status;
        char c;
        struct timespec a, b;
        pid_t pid;

        put_ok(f->store, "s", T(1), "2024M01=1");
        /* SQLite connections must not cross fork(). */
        f->store = store_close(f->store);
        assert_int_equal(pipe(fds), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                sqlite3 *h = NULL;
                close(fds[0]);
                if (sqlite3_open_v2(f->db, &h, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
                    sqlite3_exec(h, "BEGIN IMMEDIATE; UPDATE observations SET last_seen = 0", NULL, NULL,
                                 NULL) != SQLITE_OK)
                        _exit(1);
                if (write(fds[1], "x", 1) != 1)
                        _exit(2);
                usleep(400 * 1000);
                if (sqlite3_exec(h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
                        _exit(3);
                sqlite3_close(h);
                _exit(0);
        }
        close(fds[1]);
        assert_int_equal(read(fds[0], &c, 1), 1);
        close(fds[0]);
        /* Opening only reads: no waiting there. */
        assert_int_equal(store_open(f->dir, &f->store, NULL), 0);
        clock_gettime(CLOCK_MONOTONIC, &a);
        put_ok(f->store, "s", T(2), "2024M01=2");
        clock_gettime(CLOCK_MONOTONIC, &b);
        assert_true((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 >= 200);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
        assert_history(f->store, "s", "2024M01=1@1/2 2024M01=2@2/-1");
}

static void test_bad_arguments(void **state)
{
        Fixture *f = *state;
        SeriesPoint p = {.period = {PERIOD_YEAR, 2024, 0}, .value = 1};
        Provenance noprov = {.fetched_at = T(1)};
        Provenance prov = {.source = "import", .fetched_at = T(1)};
        _cleanup_free_ char *err1 = NULL, *err2 = NULL;

        assert_int_equal(store_put_series(f->store, "s", &p, 1, &noprov, NULL, &err1), -EINVAL);
        assert_non_null(strstr(err1, "no source"));
        assert_int_equal(store_put_series(f->store, "", &p, 1, &prov, NULL, &err2), -EINVAL);
        assert_non_null(strstr(err2, "empty"));
        /* NULL stats and error are accepted */
        assert_int_equal(store_put_series(f->store, "s", &p, 1, &prov, NULL, NULL), 0);
}

/* ---- source state, fetch log ---- */

static void test_source_state(void **state)
{
        Fixture *f = *state;
        SourceState st = {.last_attempt = 99, .etag = (char *) "garbage"};
        char *err = NULL;
        static const SourceState rows[] = {
                {.last_attempt = T(1), .next_due = T(2)}, /* all strings NULL */
                {.last_attempt = T(3),
                 .last_success = T(1),
                 .first_failure = T(3),
                 .consecutive_failures = 1,
                 .next_due = T(4),
                 .last_error = (char *) "HTTP 503 fra https://api.statbank.dk/v1/data",
                 .etag = (char *) "\"abc\"",
                 .last_modified = (char *) "Tue, 02 Jul 2024 06:00:00 GMT",
                 .remote_updated = (char *) "2024-07-02T08:00:00"},
                {.last_attempt = T(5), .last_success = T(5), .next_due = T(6), .etag = (char *) "\"def\""},
        };

        /* Never seen: returns 0 and a zeroed state. */
        assert_int_equal(store_get_source_state(f->store, "dst", &st, &err), 0);
        assert_int_equal(st.last_attempt, 0);
        assert_null(st.etag);
        assert_null(st.last_error);

        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                SourceState got;

                assert_int_equal(store_set_source_state(f->store, "dst", &rows[i], &err), 0);
                assert_int_equal(store_get_source_state(f->store, "dst", &got, &err), 1);
                assert_int_equal(got.last_attempt, rows[i].last_attempt);
                assert_int_equal(got.last_success, rows[i].last_success);
                assert_int_equal(got.first_failure, rows[i].first_failure);
                assert_int_equal(got.consecutive_failures, rows[i].consecutive_failures);
                assert_int_equal(got.next_due, rows[i].next_due);
#define CHECK_STR(field)                                                                                    \
        do {                                                                                                \
                if (rows[i].field)                                                                          \
                        assert_string_equal(got.field, rows[i].field);                                      \
                else                                                                                        \
                        assert_null(got.field);                                                             \
        } while (0)
                CHECK_STR(last_error);
                CHECK_STR(etag);
                CHECK_STR(last_modified);
                CHECK_STR(remote_updated);
#undef CHECK_STR
                source_state_done(&got);
                assert_null(got.etag);
        }

        /* Keys are independent. */
        assert_int_equal(store_set_source_state(f->store, "dst/AUP01", &rows[1], &err), 0);
        assert_int_equal(store_get_source_state(f->store, "dst", &st, &err), 1);
        assert_int_equal(st.last_attempt, T(5));
        source_state_done(&st);
        source_state_done(NULL);
}

static void test_fetch_log(void **state)
{
        Fixture *f = *state;

        assert_int_equal(store_log_fetch(f->store, "dst", "https://api.statbank.dk/v1/data", 200, true, NULL,
                                         T(1), NULL),
                         0);
        assert_int_equal(
                store_log_fetch(f->store, "dst", NULL, 0, false, "Couldn't resolve host", T(2), NULL), 0);
        assert_int_equal(sql_int(f->db, "SELECT count(*) FROM fetch_log WHERE source = 'dst'"), 2);
        assert_int_equal(sql_int(f->db, "SELECT http_status FROM fetch_log WHERE ok = 1"), 200);
        assert_int_equal(sql_int(f->db, "SELECT at FROM fetch_log WHERE ok = 0 AND url IS NULL "
                                        "AND message = 'Couldn''t resolve host'"),
                         T(2));
}

/* ---- evaluations, alert state ---- */

static void test_evaluations(void **state)
{
        Fixture *f = *state;
        StoredEvaluation *e = NULL;
        size_t n = 0;
        _cleanup_free_ char *err = NULL;
        static const struct {
                const char *goal, *date, *status;
                int64_t at;
        } rows[] = {
                {"fleksjob-2024", "2024-07-01", "on_track", T(1)},
                {"sygedagpenge", "2024-07-01", "off_track", T(1)},
                {"fleksjob-2024", "2024-08-01", "at_risk", T(2)},
        };

        for (size_t i = 0; i < ELEMENTSOF(rows); i++)
                assert_int_equal(store_add_evaluation(f->store, rows[i].goal, rows[i].date, rows[i].status,
                                                      "{\"inputs\":[]}", "{\"status\":1}", rows[i].at, NULL),
                                 0);

        assert_int_equal(store_list_evaluations(f->store, "fleksjob-2024", &e, &n, NULL), 0);
        assert_int_equal(n, 2);
        assert_string_equal(e[0].status, "on_track");
        assert_string_equal(e[1].status, "at_risk");
        assert_string_equal(e[1].eval_date, "2024-08-01");
        assert_string_equal(e[1].inputs_json, "{\"inputs\":[]}");
        assert_string_equal(e[1].result_json, "{\"status\":1}");
        assert_int_equal(e[1].at, T(2));
        store_evaluations_free(e, n);

        assert_int_equal(store_list_evaluations(f->store, NULL, &e, &n, NULL), 0);
        assert_int_equal(n, 3);
        assert_string_equal(e[2].goal, "sygedagpenge");
        store_evaluations_free(e, n);

        assert_int_equal(store_list_evaluations(f->store, "unknown", &e, &n, NULL), 0);
        assert_int_equal(n, 0);
        store_evaluations_free(e, n);

        StoredEvaluation latest = {.goal = (char *) "stale"};
        assert_int_equal(store_get_latest_evaluation(f->store, "unknown", &latest, NULL), 0);
        assert_null(latest.goal);
        assert_int_equal(store_get_latest_evaluation(f->store, "fleksjob-2024", &latest, NULL), 1);
        assert_string_equal(latest.status, "at_risk");
        assert_string_equal(latest.eval_date, "2024-08-01");
        assert_int_equal(latest.at, T(2));
        stored_evaluation_done(&latest);
        /* the same `at` twice: the later insert wins */
        assert_int_equal(store_add_evaluation(f->store, "sygedagpenge", "2024-07-01", "on_track", "{}", "{}",
                                              T(1), NULL),
                         0);
        assert_int_equal(store_get_latest_evaluation(f->store, "sygedagpenge", &latest, NULL), 1);
        assert_string_equal(latest.status, "on_track");
        stored_evaluation_done(&latest);

        assert_int_equal(store_add_evaluation(f->store, "g", "2024-01-01", "ok", NULL, "{}", T(1), &err),
                         -EINVAL);
        assert_non_null(strstr(err, "incomplete"));
}

static void test_alert_state(void **state)
{
        Fixture *f = *state;
        char *json = (char *) "stale";

        assert_int_equal(store_get_alert_state(f->store, "g", &json, NULL), 0);
        assert_null(json);
        assert_int_equal(store_set_alert_state(f->store, "g", "{\"state\":\"ok\"}", NULL), 0);
        assert_int_equal(store_set_alert_state(f->store, "h", "{\"state\":\"off\"}", NULL), 0);
        assert_int_equal(store_get_alert_state(f->store, "g", &json, NULL), 0);
        assert_string_equal(json, "{\"state\":\"ok\"}");
        free(json);
        assert_int_equal(store_set_alert_state(f->store, "g", "{\"state\":\"off_track\",\"hits\":2}", NULL),
                         0);
        assert_int_equal(store_get_alert_state(f->store, "g", &json, NULL), 0);
        assert_string_equal(json, "{\"state\":\"off_track\",\"hits\":2}");
        free(json);
        /* NULL forgets */
        assert_int_equal(store_set_alert_state(f->store, "g", NULL, NULL), 0);
        assert_int_equal(store_get_alert_state(f->store, "g", &json, NULL), 0);
        assert_null(json);
        assert_int_equal(store_get_alert_state(f->store, "h", &json, NULL), 0);
        assert_string_equal(json, "{\"state\":\"off\"}");
        free(json);
}

/* ---- outbox ---- */

static void assert_due(Store *s, int64_t now, size_t max, const char *want)
{
        OutboxItem *items = NULL;
        size_t n = 0;
        _cleanup_free_ char *got = strdup("");

        assert_int_equal(store_outbox_due(s, now, max, &items, &n, NULL), 0);
        for (size_t i = 0; i < n; i++) {
                char *next = strdup_printf("%s%s%s", got, i ? " " : "", items[i].dedup_key);
                free(got);
                got = next;
        }
        store_outbox_free(items, n);
        assert_string_equal(got, want);
}

static void test_outbox(void **state)
{
        Fixture *f = *state;
        OutboxItem *items = NULL;
        size_t n = 0;
        _cleanup_free_ char *err = NULL, *err2 = NULL;
        static const struct {
                const char *channel, *recipient, *key;
                int64_t now;
                int want;
        } rows[] = {
                {"smtp", "chef@herlev.dk", "g1/off_track/2024M06", T(1), 1},
                {"hook", NULL, "g2/at_risk/2024M06", T(2), 1},
                {"smtp", "chef@herlev.dk", "g1/off_track/2024M06", T(3), 0}, /* duplicate: no-op */
                {"smtp", "ops@herlev.dk", "data/dst", T(3), 1},
        };

        for (size_t i = 0; i < ELEMENTSOF(rows); i++)
                assert_int_equal(store_outbox_enqueue(f->store, rows[i].channel, rows[i].recipient,
                                                      rows[i].key, "{\"subject\":\"Mål\"}", rows[i].now,
                                                      NULL),
                                 rows[i].want);
        assert_int_equal(sql_int(f->db, "SELECT count(*) FROM outbox"), 3);
        assert_int_equal(
                sql_int(f->db, "SELECT created_at FROM outbox WHERE dedup_key = 'g1/off_track/2024M06'"),
                T(1));

        /* Oldest first; only what is due; at most max. */
        assert_due(f->store, T(0), 10, "");
        assert_due(f->store, T(2), 10, "g1/off_track/2024M06 g2/at_risk/2024M06");
        assert_due(f->store, T(9), 10, "g1/off_track/2024M06 g2/at_risk/2024M06 data/dst");
        assert_due(f->store, T(9), 2, "g1/off_track/2024M06 g2/at_risk/2024M06");
        assert_due(f->store, T(9), 0, "");

        assert_int_equal(store_outbox_due(f->store, T(9), 1, &items, &n, NULL), 0);
        assert_int_equal(n, 1);
        assert_string_equal(items[0].channel, "smtp");
        assert_string_equal(items[0].recipient, "chef@herlev.dk");
        assert_string_equal(items[0].payload_json, "{\"subject\":\"Mål\"}");
        assert_int_equal(items[0].attempts, 0);
        assert_null(items[0].last_error);
        int64_t id1 = items[0].id;
        store_outbox_free(items, n);

        /* A failure postpones it. */
        assert_int_equal(store_outbox_mark_failed(f->store, id1, "550 mailbox unavailable", T(20), NULL), 0);
        assert_due(f->store, T(9), 10, "g2/at_risk/2024M06 data/dst");
        assert_int_equal(store_outbox_due(f->store, T(20), 10, &items, &n, NULL), 0);
        assert_int_equal(n, 3);
        assert_int_equal(items[0].id, id1);
        assert_int_equal(items[0].attempts, 1);
        assert_string_equal(items[0].last_error, "550 mailbox unavailable");
        assert_int_equal(items[0].next_attempt, T(20));
        assert_null(items[1].recipient);
        int64_t id2 = items[1].id;
        store_outbox_free(items, n);
        assert_int_equal(store_outbox_mark_failed(f->store, id1, "timeout", T(21), NULL), 0);
        assert_int_equal(sql_int(f->db, "SELECT attempts FROM outbox WHERE id = 1"), 2);

        /* Sent is final: never due again, survives reopening, cannot be re-marked. */
        assert_int_equal(store_outbox_mark_sent(f->store, id2, T(10), NULL), 0);
        assert_due(f->store, T(99), 10, "g1/off_track/2024M06 data/dst");
        assert_int_equal(store_outbox_mark_sent(f->store, id2, T(11), &err), -ENOENT);
        assert_non_null(strstr(err, f->db));
        assert_int_equal(store_outbox_mark_failed(f->store, id2, "x", T(11), &err2), -ENOENT);
        assert_int_equal(store_outbox_mark_sent(f->store, 12345, T(11), NULL), -ENOENT);
        /* Enqueueing a sent key again is still a no-op: no second mail. */
        assert_int_equal(
                store_outbox_enqueue(f->store, "hook", NULL, "g2/at_risk/2024M06", "{}", T(30), NULL), 0);
        f->store = store_close(f->store);
        assert_int_equal(store_open(f->dir, &f->store, NULL), 0);
        assert_due(f->store, T(99), 10, "g1/off_track/2024M06 data/dst");
}

/* ---- opening: schema versions, bad databases, bad directories ---- */

/* The schema as version 1 shipped it (a fixture: must never change). */
static const char schema_v1[] =
        "CREATE TABLE observations (id INTEGER PRIMARY KEY, series TEXT NOT NULL, period TEXT NOT NULL, "
        "freq TEXT NOT NULL, year INTEGER NOT NULL, sub INTEGER NOT NULL, start_day INTEGER NOT NULL, "
        "end_day INTEGER NOT NULL, value REAL, missing INTEGER NOT NULL CHECK (missing IN (0, 1)), "
        "fetched_at INTEGER NOT NULL, last_seen INTEGER NOT NULL, superseded_at INTEGER, source TEXT NOT "
        "NULL, "
        "source_table TEXT, selection TEXT, url TEXT, CHECK ((missing = 1) = (value IS NULL))) STRICT;"
        "CREATE UNIQUE INDEX observations_current ON observations (series, period) WHERE superseded_at IS "
        "NULL;"
        "CREATE INDEX observations_history ON observations (series, start_day, end_day DESC, fetched_at);"
        "CREATE TABLE fetch_log (id INTEGER PRIMARY KEY, source TEXT NOT NULL, url TEXT, "
        "http_status INTEGER NOT NULL, ok INTEGER NOT NULL CHECK (ok IN (0, 1)), message TEXT, "
        "at INTEGER NOT NULL) STRICT;"
        "CREATE INDEX fetch_log_source ON fetch_log (source, at);"
        "CREATE TABLE source_state (key TEXT PRIMARY KEY, last_attempt INTEGER NOT NULL DEFAULT 0, "
        "last_success INTEGER NOT NULL DEFAULT 0, first_failure INTEGER NOT NULL DEFAULT 0, "
        "consecutive_failures INTEGER NOT NULL DEFAULT 0, next_due INTEGER NOT NULL DEFAULT 0, "
        "last_error TEXT, etag TEXT, last_modified TEXT, remote_updated TEXT) STRICT;"
        "INSERT INTO observations (series, period, freq, year, sub, start_day, end_day, value, missing, "
        "fetched_at, last_seen, source, source_table) VALUES ('s', '2024M06', 'month', 2024, 6, 19875, "
        "19904, 384, 0, "
        "1719900000000000, 1719900000000000, 'dst', 'AUP01');"
        "PRAGMA user_version = 1;";

static void test_schema_versions(void **state)
{
        Fixture *f = *state;
        char dir[] = "/tmp/test-store-mig-XXXXXX";
        char db[128];
        Store *s = NULL;
        _cleanup_free_ char *err = NULL, *err2 = NULL;

        /* A fresh database is at the current version, in WAL mode. */
        assert_int_equal(store_schema_version(f->store), 3);
        assert_int_equal(
                sql_int(f->db, "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), 1);

        /* A version 1 database is migrated, keeping its data. */
        assert_non_null(mkdtemp(dir));
        snprintf(db, sizeof(db), "%s/labourwatch.db", dir);
        sql_exec(db, schema_v1);
        assert_int_equal(store_open(dir, &s, NULL), 0);
        assert_int_equal(store_schema_version(s), 3);
        assert_latest(s, "s", "2024M06=384");
        put_ok(s, "s", T(1), "2024M06=385");
        assert_history(s, "s", "2024M06=384@0/1 2024M06=385@1/-1");
        assert_int_equal(store_outbox_enqueue(s, "smtp", NULL, "k", "{}", T(1), NULL), 1);
        s = store_close(s);

        /* A database from the future is refused, read-write and read-only, and left alone. */
        sql_exec(db, "PRAGMA user_version = 99");
        assert_int_equal(store_open(dir, &s, &err), -EPROTONOSUPPORT);
        assert_null(s);
        assert_non_null(strstr(err, db));
        assert_non_null(strstr(err, "schema version 99 is newer"));
        assert_int_equal(store_open_readonly(dir, &s, &err2), -EPROTONOSUPPORT);
        assert_non_null(strstr(err2, "newer"));
        assert_int_equal(sql_int(db, "PRAGMA user_version"), 99);
        assert_int_equal(sql_int(db, "SELECT count(*) FROM observations"), 2);

        /* The read-only CLI never migrates: an old database is refused. */
        sql_exec(db, "PRAGMA user_version = 1");
        free(err2);
        err2 = NULL;
        assert_int_equal(store_open_readonly(dir, &s, &err2), -EPROTONOSUPPORT);
        assert_non_null(strstr(err2, "older"));

        /* A failing migration leaves the database at its old version. */
        sql_exec(db, "PRAGMA user_version = 1");
        assert_int_equal(sql_int(db, "SELECT count(*) FROM evaluations"), 0);
        /* evaluations exists already, so migration 2's CREATE TABLE fails */
        free(err);
        err = NULL;
        assert_int_equal(store_open(dir, &s, &err), -EIO);
        assert_non_null(strstr(err, "table evaluations already exists"));
        assert_non_null(strstr(err, "migration to schema version 2"));
        assert_int_equal(sql_int(db, "PRAGMA user_version"), 1);
        assert_int_equal(sql_int(db, "SELECT count(*) FROM outbox"), 1);

        (void) nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void test_readonly(void **state)
{
        Fixture *f = *state;
        char dir[] = "/tmp/test-store-ro-XXXXXX";
        Store *ro = NULL;
        _cleanup_free_ char *err = NULL, *err2 = NULL;
        StoreWriteStats st;

        assert_non_null(mkdtemp(dir));
        assert_int_equal(store_open_readonly(dir, &ro, &err), -ENOENT);
        assert_non_null(strstr(err, dir));
        assert_non_null(strstr(err, "no database yet"));
        assert_int_equal(rmdir(dir), 0);

        put_ok(f->store, "s", T(1), "2024M01=1");
        assert_int_equal(store_open_readonly(f->dir, &ro, NULL), 0);
        assert_latest(ro, "s", "2024M01=1");
        /* The writer keeps writing while a reader is open (WAL). */
        put_ok(f->store, "s", T(2), "2024M01=2");
        assert_latest(ro, "s", "2024M01=2");
        assert_int_equal(put(ro, "s", T(3), "2024M01=3", &st, &err2), -EROFS);
        assert_non_null(strstr(err2, f->db));
        assert_non_null(strstr(err2, "readonly"));
        store_close(ro);
}

static void test_open_failures(void **state)
{
        Fixture *f = *state;
        char dir[] = "/tmp/test-store-bad-XXXXXX";
        char path[128], db[256], file[64];
        static const struct {
                const char *name;
                int how; /* 0: missing dir, 1: dir is a file, 2: dir below a file, 3: db is a directory,
                          * 4: random bytes, 5: truncated database, 6: a page overwritten */
                int want;
                const char *msg;
        } rows[] = {
                {"missing dir", 0, -ENOENT, "does not exist"},
                {"dir is a file", 1, -ENOTDIR, "is not a directory"},
                {"dir below a file", 2, -ENOTDIR, "Not a directory"},
                {"db is a directory", 3, -ENOENT, "unable to open database file"},
                {"random bytes", 4, -EBADMSG, "file is not a database"},
                {"truncated", 5, -EBADMSG, "malformed"},
                {"damaged page", 6, -EBADMSG, "database is corrupt"},
        };

        assert_non_null(mkdtemp(dir));
        snprintf(file, sizeof(file), "%s/file", dir);
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                Store *s = NULL;
                _cleanup_free_ char *err = NULL, *err2 = NULL;
                int fd;

                snprintf(path, sizeof(path), "%s/case%zu", dir, i);
                snprintf(db, sizeof(db), "%s/labourwatch.db", path);
                switch (rows[i].how) {
                case 0:
                        break;
                case 1:
                        fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
                        assert_true(fd >= 0);
                        close(fd);
                        break;
                case 2:
                        fd = open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
                        assert_true(fd >= 0);
                        close(fd);
                        snprintf(path, sizeof(path), "%s/sub", file);
                        snprintf(db, sizeof(db), "%s/labourwatch.db", path);
                        break;
                case 3:
                        assert_int_equal(mkdir(path, 0755), 0);
                        assert_int_equal(mkdir(db, 0755), 0);
                        break;
                case 4: {
                        char junk[8192];
                        uint32_t x = 2463534242u;
                        for (size_t k = 0; k < sizeof(junk); k++) {
                                x ^= x << 13, x ^= x >> 17, x ^= x << 5;
                                junk[k] = (char) x;
                        }
                        assert_int_equal(mkdir(path, 0755), 0);
                        fd = open(db, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
                        assert_true(fd >= 0);
                        assert_int_equal(write(fd, junk, sizeof(junk)), sizeof(junk));
                        close(fd);
                        break;
                }
                case 5:
                case 6: {
                        /* A real database with enough rows for many pages, cut short. */
                        SeriesPoint pts[600];
                        Provenance prov = {.source = "dst",
                                           .url = "https://api.statbank.dk/v1/data/with/a/long/path",
                                           .fetched_at = T(1)};
                        assert_int_equal(mkdir(path, 0755), 0);
                        assert_int_equal(store_open(path, &s, NULL), 0);
                        for (size_t k = 0; k < ELEMENTSOF(pts); k++)
                                pts[k] = (SeriesPoint){
                                        .period = period_add((Period){PERIOD_MONTH, 1990, 1}, (int64_t) k),
                                        .value = (double) k};
                        assert_int_equal(store_put_series(s, "s", pts, ELEMENTSOF(pts), &prov, NULL, NULL),
                                         0);
                        s = store_close(s);
                        assert_true(sql_int(db, "PRAGMA page_count") > 8);
                        if (rows[i].how == 5)
                                assert_int_equal(truncate(db, 4096 * 4 + 100), 0);
                        else {
                                /* The header and schema (page 1) stay intact: only the check finds it. */
                                char junk[4096];
                                memset(junk, 0xa5, sizeof(junk));
                                fd = open(db, O_WRONLY | O_CLOEXEC);
                                assert_true(fd >= 0);
                                assert_int_equal(pwrite(fd, junk, sizeof(junk), 4096 * 3), sizeof(junk));
                                close(fd);
                        }
                        break;
                }
                }

                assert_int_equal(store_open(path, &s, &err), rows[i].want);
                assert_null(s);
                assert_non_null(err);
                if (!strstr(err, db) || !strstr(err, rows[i].msg))
                        fail_msg("%s: unexpected error: %s", rows[i].name, err);
                /* The CLI's read-only open fails just as clearly. */
                assert_true(store_open_readonly(path, &s, &err2) < 0);
                assert_null(s);
                assert_non_null(strstr(err2, db));
        }
        (void) nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        (void) f;
}

/* ---- transactions spanning several writes ---- */

/* Whether goal's alert state is `want` (NULL: none) and dedup_key is in the outbox. */
static void assert_alert_and_outbox(Store *s, const char *goal, const char *want_state, const char *want_due)
{
        char *json = NULL;

        assert_int_equal(store_get_alert_state(s, goal, &json, NULL), 0);
        if (want_state)
                assert_string_equal(json, want_state);
        else
                assert_null(json);
        free(json);
        assert_due(s, T(100), 10, want_due);
}

/* Alert state and outbox: both, or neither. */
static void test_transaction_commit_rollback(void **state)
{
        Fixture *f = *state;
        _cleanup_free_ char *err = NULL;
        Store *other = NULL;
        char *json = NULL;

        assert_false(store_in_transaction(f->store));
        assert_int_equal(store_begin(f->store, &err), 0);
        assert_true(store_in_transaction(f->store));
        assert_int_equal(store_set_alert_state(f->store, "g", "{\"state\":\"firing\"}", NULL), 0);
        assert_int_equal(store_outbox_enqueue(f->store, "mail", "chef", "k1", "{}", T(1), NULL), 1);
        /* The transaction sees its own writes... */
        assert_alert_and_outbox(f->store, "g", "{\"state\":\"firing\"}", "k1");
        /* ...another connection (the CLI) does not, until the commit. */
        assert_int_equal(store_open_readonly(f->dir, &other, NULL), 0);
        assert_int_equal(store_get_alert_state(other, "g", &json, NULL), 0);
        assert_null(json);
        assert_int_equal(store_commit(f->store, &err), 0);
        assert_false(store_in_transaction(f->store));
        assert_alert_and_outbox(other, "g", "{\"state\":\"firing\"}", "k1");

        /* Rolled back: neither. */
        assert_int_equal(store_begin(f->store, NULL), 0);
        assert_int_equal(store_set_alert_state(f->store, "g", "{\"state\":\"resolved\"}", NULL), 0);
        assert_int_equal(store_outbox_enqueue(f->store, "mail", "chef", "k2", "{}", T(2), NULL), 1);
        assert_alert_and_outbox(f->store, "g", "{\"state\":\"resolved\"}", "k1 k2");
        store_rollback(f->store);
        assert_false(store_in_transaction(f->store));
        assert_alert_and_outbox(f->store, "g", "{\"state\":\"firing\"}", "k1");
        assert_alert_and_outbox(other, "g", "{\"state\":\"firing\"}", "k1");
        store_close(other);

        /* Safe without a transaction; commit without one is the caller's bug. */
        store_rollback(f->store);
        store_rollback(NULL);
        assert_int_equal(store_commit(f->store, &err), -EINVAL);
        assert_non_null(strstr(err, "no transaction is open"));
        free(TAKE_PTR(err));

        /* No nesting. */
        assert_int_equal(store_begin(f->store, NULL), 0);
        assert_int_equal(store_begin(f->store, &err), -EBUSY);
        assert_non_null(strstr(err, "already open"));
        assert_true(store_in_transaction(f->store)); /* the first one is still open */
        assert_int_equal(store_outbox_enqueue(f->store, "mail", "chef", "k3", "{}", T(3), NULL), 1);
        assert_int_equal(store_commit(f->store, NULL), 0);
        assert_due(f->store, T(100), 10, "k1 k3");
}

/* A multi-statement write that fails inside the caller's transaction undoes only its own part; the
 * caller may still commit the rest (or roll everything back). */
static void test_transaction_failed_write_inside(void **state)
{
        Fixture *f = *state;
        _cleanup_free_ char *err = NULL;
        StoreWriteStats st;

        put_ok(f->store, "s", T(1), "2024M01=100");
        assert_int_equal(store_begin(f->store, NULL), 0);
        assert_int_equal(store_set_alert_state(f->store, "g", "{}", NULL), 0);
        put_ok(f->store, "s", T(2), "2024M01=101 2024M02=200");
        /* 2024M13 is no period: the batch fails half-way, after writing 2024M01 and 2024M02 */
        SeriesPoint bad[] = { { .period = { PERIOD_MONTH, 2024, 3 }, .value = 3 },
                              { .period = { PERIOD_MONTH, 2024, 13 }, .value = 4 } };
        assert_int_equal(store_put_series(f->store, "t", bad, 2,
                                          &(Provenance){ .source = "dst", .fetched_at = T(2) }, &st, &err),
                         -EINVAL);
        assert_true(store_in_transaction(f->store));
        assert_int_equal(store_commit(f->store, NULL), 0);
        assert_latest(f->store, "s", "2024M01=101 2024M02=200");
        assert_latest(f->store, "t", "");
        assert_alert_and_outbox(f->store, "g", "{}", "");

        /* The same after a rollback: nothing of the transaction. */
        assert_int_equal(store_begin(f->store, NULL), 0);
        put_ok(f->store, "s", T(3), "2024M01=102");
        store_rollback(f->store);
        assert_latest(f->store, "s", "2024M01=101 2024M02=200");
}

/* A failure after which SQLite itself rolled the whole transaction back (here a trigger with
 * RAISE(ROLLBACK)): the commit says nothing was stored, and indeed neither write is there. */
static void test_transaction_rolled_back_by_sqlite(void **state)
{
        Fixture *f = *state;
        _cleanup_free_ char *err = NULL, *err2 = NULL;

        sql_exec(f->db, "CREATE TRIGGER inject BEFORE INSERT ON alert_state "
                        "BEGIN SELECT RAISE(ROLLBACK, 'injected rollback'); END;");
        assert_int_equal(store_begin(f->store, NULL), 0);
        assert_int_equal(store_outbox_enqueue(f->store, "mail", "chef", "k1", "{}", T(1), NULL), 1);
        assert_true(store_set_alert_state(f->store, "g", "{}", &err) < 0);
        assert_non_null(strstr(err, "injected rollback"));
        assert_int_equal(store_commit(f->store, &err2), -EIO);
        assert_non_null(strstr(err2, "nothing committed"));
        assert_false(store_in_transaction(f->store));
        assert_alert_and_outbox(f->store, "g", NULL, "");
        /* the Store is usable again */
        sql_exec(f->db, "DROP TRIGGER inject");
        assert_int_equal(store_begin(f->store, NULL), 0);
        assert_int_equal(store_set_alert_state(f->store, "g", "{}", NULL), 0);
        assert_int_equal(store_commit(f->store, NULL), 0);
        assert_alert_and_outbox(f->store, "g", "{}", "");
}

/* A process killed inside the transaction (LW_TEST_CRASH_AT, SIGKILL) leaves neither write. */
static void test_transaction_kill(void **state)
{
        Fixture *f = *state;

        assert_int_equal(store_set_alert_state(f->store, "g", "{\"state\":\"ok\"}", NULL), 0);
        f->store = store_close(f->store);

        for (int step = 0; step < 2; step++) {
                int status;
                pid_t pid = fork();

                assert_true(pid >= 0);
                if (pid == 0) {
                        Store *s = NULL;

                        if (setenv("LW_TEST_CRASH_AT", "after-enqueue", 1) < 0 || store_open(f->dir, &s, NULL) < 0 ||
                            store_begin(s, NULL) < 0)
                                _exit(2);
                        if (store_set_alert_state(s, "g", "{\"state\":\"firing\"}", NULL) < 0 ||
                            store_outbox_enqueue(s, "mail", "chef", "k1", "{}", T(1), NULL) != 1)
                                _exit(3);
                        store_crash_point(s, "after-evaluate"); /* not this one */
                        if (step == 0)
                                store_crash_point(s, "after-enqueue");
                        else
                                (void) kill(getpid(), SIGKILL); /* the same, without the hook */
                        _exit(4); /* not reached */
                }
                assert_int_equal(waitpid(pid, &status, 0), pid);
                assert_true(WIFSIGNALED(status));
                assert_int_equal(WTERMSIG(status), SIGKILL);

                assert_int_equal(store_open(f->dir, &f->store, NULL), 0);
                assert_alert_and_outbox(f->store, "g", "{\"state\":\"ok\"}", "");
                f->store = store_close(f->store);
        }

        /* Without the variable the hook does nothing. */
        assert_int_equal(store_open(f->dir, &f->store, NULL), 0);
        (void) unsetenv("LW_TEST_CRASH_AT");
        store_crash_point(f->store, "after-enqueue");
        store_crash_point(f->store, NULL);
}

/* The batch reads of `labourwatch status` (store-status.c, store_list_latest_evaluations) agree with
 * the per-name ones, and store_read_begin() holds one snapshot while a writer commits. */
static void test_status_reads(void **state)
{
        Fixture *f = *state;
        StoredEvaluation *e = NULL, one = {};
        StoredSeriesSummary *m = NULL;
        StoredSourceStatus *src = NULL;
        StoredChannelStatus *ch = NULL;
        OutboxItem *due = NULL;
        Store *ro = NULL;
        size_t n = 0, n_due = 0;
        char p[PERIOD_STRING_MAX];

        /* evaluations: the newest per goal, a tie in `at` to the later insert, as the single lookup */
        static const struct {
                const char *goal, *status;
                int64_t at;
        } evals[] = {
                { "b", "on_track", T(1) }, { "a", "off_track", T(2) }, { "b", "at_risk", T(3) },
                { "a", "on_track", T(1) }, { "a", "missed", T(2) },
        };
        for (size_t i = 0; i < ELEMENTSOF(evals); i++)
                assert_int_equal(store_add_evaluation(f->store, evals[i].goal, "2024-07-01", evals[i].status, "{}",
                                                      "{}", evals[i].at, NULL),
                                 0);
        assert_int_equal(store_list_latest_evaluations(f->store, &e, &n, NULL), 0);
        assert_int_equal(n, 2);
        assert_string_equal(e[0].goal, "a");
        assert_string_equal(e[0].status, "missed");
        assert_null(e[0].inputs_json);
        assert_string_equal(e[1].goal, "b");
        assert_string_equal(e[1].status, "at_risk");
        assert_int_equal(e[1].at, T(3));
        for (size_t i = 0; i < n; i++) {
                assert_int_equal(store_get_latest_evaluation(f->store, e[i].goal, &one, NULL), 1);
                assert_string_equal(one.status, e[i].status);
                stored_evaluation_done(&one);
        }
        store_evaluations_free(e, n);

        /* series: periods, revised periods, the latest period's current value, the newest fetch */
        put_ok(f->store, "s1", T(1), "2024M01=1 2024M02=2 2024M03=..");
        put_ok(f->store, "s1", T(2), "2024M02=3 2024M03=4");
        put_ok(f->store, "s0", T(1), "2024Q1=7");
        assert_int_equal(store_list_series_summaries(f->store, &m, &n, NULL), 0);
        assert_int_equal(n, 2);
        assert_string_equal(m[0].series, "s0");
        assert_int_equal(m[0].n_periods, 1);
        assert_int_equal(m[0].n_revised, 0);
        assert_string_equal(period_to_string(m[0].latest, p), "2024Q1");
        assert_string_equal(m[1].series, "s1");
        assert_int_equal(m[1].n_periods, 3);
        assert_int_equal(m[1].n_revised, 2);
        assert_true(m[1].have_latest);
        assert_string_equal(period_to_string(m[1].latest, p), "2024M03");
        assert_false(m[1].latest_missing);
        assert_true(m[1].latest_value == 4);
        assert_int_equal(m[1].last_new_data, T(2));
        store_series_summaries_free(m, n);

        /* sources: the state and the fetch log's newest failure */
        assert_int_equal(store_set_source_state(f->store, "src",
                                                &(SourceState){ .last_attempt = T(3), .last_success = T(3),
                                                                .last_error = (char *) "old" },
                                                NULL),
                         0);
        assert_int_equal(store_log_fetch(f->store, "src", NULL, 503, false, "x", T(1), NULL), 0);
        assert_int_equal(store_log_fetch(f->store, "src", NULL, 503, false, "x", T(2), NULL), 0);
        assert_int_equal(store_log_fetch(f->store, "src", NULL, 200, true, NULL, T(3), NULL), 0);
        assert_int_equal(store_list_source_status(f->store, &src, &n, NULL), 0);
        assert_int_equal(n, 1);
        assert_string_equal(src[0].key, "src");
        assert_int_equal(src[0].state.last_success, T(3));
        assert_string_equal(src[0].state.last_error, "old");
        assert_int_equal(src[0].last_failure, T(2));
        store_source_status_free(src, n);

        /* outbox per channel: waiting, given up, oldest waiting, newest delivery, newest error */
        assert_int_equal(store_outbox_enqueue(f->store, "mail", "a", "k1", "{}", T(1), NULL), 1);
        assert_int_equal(store_outbox_enqueue(f->store, "mail", "a", "k2", "{}", T(2), NULL), 1);
        assert_int_equal(store_outbox_enqueue(f->store, "mail", "a", "k3", "{}", T(3), NULL), 1);
        assert_int_equal(store_outbox_enqueue(f->store, "hook", NULL, "k4", "{}", T(1), NULL), 1);
        assert_int_equal(store_outbox_due(f->store, T(9), 10, &due, &n_due, NULL), 0);
        assert_int_equal(n_due, 4);
        for (size_t i = 0; i < n_due; i++) {
                if (streq(due[i].dedup_key, "k1"))
                        assert_int_equal(store_outbox_mark_sent(f->store, due[i].id, T(4), NULL), 0);
                if (streq(due[i].dedup_key, "k2"))
                        assert_int_equal(store_outbox_mark_failed(f->store, due[i].id, "550", STORE_OUTBOX_NEVER, NULL), 0);
                if (streq(due[i].dedup_key, "k4")) {
                        assert_int_equal(store_outbox_mark_failed(f->store, due[i].id, "timeout", T(5), NULL), 0);
                        assert_int_equal(store_outbox_mark_sent(f->store, due[i].id, T(6), NULL), 0);
                }
        }
        store_outbox_free(due, n_due);
        assert_int_equal(store_outbox_channel_status(f->store, &ch, &n, NULL), 0);
        assert_int_equal(n, 2);
        assert_string_equal(ch[0].channel, "hook");
        assert_int_equal(ch[0].pending, 0);
        assert_int_equal(ch[0].last_sent, T(6));
        assert_string_equal(ch[0].last_error, "timeout");
        assert_false(ch[0].last_error_unsent); /* delivered on a later attempt */
        assert_string_equal(ch[1].channel, "mail");
        assert_int_equal(ch[1].pending, 1);
        assert_int_equal(ch[1].given_up, 1);
        assert_int_equal(ch[1].oldest_pending, T(3));
        assert_int_equal(ch[1].last_sent, T(4));
        assert_string_equal(ch[1].last_error, "550");
        assert_true(ch[1].last_error_unsent);
        store_channel_status_free(ch, n);

        /* one snapshot: a series the writer adds meanwhile is seen only after the end */
        assert_int_equal(store_open_readonly(f->dir, &ro, NULL), 0);
        assert_int_equal(store_read_begin(ro, NULL), 0);
        assert_int_equal(store_read_begin(ro, NULL), -EBUSY);
        assert_int_equal(store_list_series_summaries(ro, &m, &n, NULL), 0);
        assert_int_equal(n, 2);
        store_series_summaries_free(m, n);
        put_ok(f->store, "s2", T(3), "2024M01=1");
        assert_int_equal(store_list_series_summaries(ro, &m, &n, NULL), 0);
        assert_int_equal(n, 2);
        store_series_summaries_free(m, n);
        store_read_end(ro);
        assert_int_equal(store_list_series_summaries(ro, &m, &n, NULL), 0);
        assert_int_equal(n, 3);
        store_series_summaries_free(m, n);
        store_read_end(ro); /* no-op */
        store_close(ro);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_revisions, setup, teardown),
                cmocka_unit_test_setup_teardown(test_ordering_and_series, setup, teardown),
                cmocka_unit_test_setup_teardown(test_list_empty, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rollback_invalid_point, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rollback_sqlite_failure, setup, teardown),
                cmocka_unit_test_setup_teardown(test_crash_mid_batch, setup, teardown),
                cmocka_unit_test_setup_teardown(test_busy_wait, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
                cmocka_unit_test_setup_teardown(test_source_state, setup, teardown),
                cmocka_unit_test_setup_teardown(test_fetch_log, setup, teardown),
                cmocka_unit_test_setup_teardown(test_evaluations, setup, teardown),
                cmocka_unit_test_setup_teardown(test_alert_state, setup, teardown),
                cmocka_unit_test_setup_teardown(test_outbox, setup, teardown),
                cmocka_unit_test_setup_teardown(test_transaction_commit_rollback, setup, teardown),
                cmocka_unit_test_setup_teardown(test_transaction_failed_write_inside, setup, teardown),
                cmocka_unit_test_setup_teardown(test_transaction_rolled_back_by_sqlite, setup, teardown),
                cmocka_unit_test_setup_teardown(test_transaction_kill, setup, teardown),
                cmocka_unit_test_setup_teardown(test_schema_versions, setup, teardown),
                cmocka_unit_test_setup_teardown(test_readonly, setup, teardown),
                cmocka_unit_test_setup_teardown(test_open_failures, setup, teardown),
                cmocka_unit_test_setup_teardown(test_status_reads, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
