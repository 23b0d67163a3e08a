/* SPDX-License-Identifier: GPL-2.0-or-later */
/* HTTP(S)/file requests and responses: which options an easy handle gets (timeouts, redirects,
 * protocols, TLS, headers), and what is made of the response (body under a size cap, status and
 * reason phrase, ETag, Last-Modified, Retry-After). The transfers themselves run on the loop through
 * the protocol-neutral curl glue (curl-glue.c), which SMTP and webhook deliveries share. Nothing here
 * ever blocks the loop: there is no curl_easy_perform(). */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "labourwatch/curl-glue.h"
#include "labourwatch/fetch.h"
#include "labourwatch/log.h"
#include "labourwatch/macro.h"
#include "labourwatch/scrub.h"
#include "labourwatch/time-util.h"

#define FETCH_DEFAULT_CONNECT_TIMEOUT_USEC (UINT64_C(30) * USEC_PER_SEC)
#define FETCH_DEFAULT_TIMEOUT_USEC (UINT64_C(300) * USEC_PER_SEC)
#define FETCH_DEFAULT_MAX_SIZE (UINT64_C(64) * UINT64_C(1024) * UINT64_C(1024))
/* A transfer slower than this many bytes per second for FETCH_LOW_SPEED_TIME is given up: a
 * server that trickles (or stalls with the connection open) must not hold a source forever. */
#define FETCH_LOW_SPEED_LIMIT 16L
#define FETCH_LOW_SPEED_TIME_SEC 60L
#define FETCH_MAX_REDIRECTS 5L
/* All response headers together; curl itself refuses a single header line over 100 KiB (with
 * CURLE_OUT_OF_MEMORY, which we report as what it is). */
#define FETCH_MAX_HEADER_SIZE ((size_t) 256 * 1024)

typedef struct FetchJob FetchJob;

struct FetchJob {
        Fetcher *fetcher;
        CURL *easy;
        struct curl_slist *headers;
        char *url, *body;
        bool post;
        uint64_t max_size;
        bool too_large;
        size_t header_bytes;   /* all header lines so far, of every response of a redirect chain */
        bool header_too_large;
        char errbuf[CURL_ERROR_SIZE];

        char *buf;
        size_t size, alloc;
        char *reason; /* from the latest status line */

        fetch_callback_t callback;
        void *userdata;
        FetchJob *next, *prev;
};

struct Fetcher {
        CurlGlue *glue;
        FetchJob *jobs; /* in flight on the glue */
        unsigned n_jobs;
};

const char *fetch_user_agent(void)
{
        return "labourwatch/" LABOURWATCH_VERSION;
}

void fetch_global_done(void)
{
        curl_glue_global_done();
}

const char *fetch_status_reason(long status)
{
        static const struct {
                long status;
                const char *reason;
        } table[] = {
                {200, "OK"},
                {201, "Created"},
                {202, "Accepted"},
                {204, "No Content"},
                {206, "Partial Content"},
                {301, "Moved Permanently"},
                {302, "Found"},
                {303, "See Other"},
                {304, "Not Modified"},
                {307, "Temporary Redirect"},
                {308, "Permanent Redirect"},
                {400, "Bad Request"},
                {401, "Unauthorized"},
                {403, "Forbidden"},
                {404, "Not Found"},
                {405, "Method Not Allowed"},
                {406, "Not Acceptable"},
                {408, "Request Timeout"},
                {410, "Gone"},
                {413, "Content Too Large"},
                {415, "Unsupported Media Type"},
                {422, "Unprocessable Content"},
                {429, "Too Many Requests"},
                {500, "Internal Server Error"},
                {501, "Not Implemented"},
                {502, "Bad Gateway"},
                {503, "Service Unavailable"},
                {504, "Gateway Timeout"},
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (table[i].status == status)
                        return table[i].reason;
        return "";
}

int fetch_parse_retry_after(const char *value, uint64_t now_usec, uint64_t *ret_usec)
{
        unsigned long long secs;
        const char *p, *e;
        char buf[128];
        time_t t;

        if (!value)
                return -EINVAL;
        /* trim */
        for (p = value; *p && isspace((unsigned char) *p); p++)
                ;
        for (e = p + strlen(p); e > p && isspace((unsigned char) e[-1]); e--)
                ;
        if (e == p || (size_t) (e - p) >= sizeof(buf))
                return -EINVAL;
        memcpy(buf, p, (size_t) (e - p));
        buf[e - p] = 0;

        /* RFC 9110 10.2.3: Retry-After = HTTP-date / delay-seconds */
        if (isdigit((unsigned char) buf[0])) {
                if (safe_atou64(buf, &secs) < 0)
                        return -EINVAL;
                /* Cap absurd values at a week so arithmetic cannot overflow. */
                if (secs > USEC_PER_WEEK / USEC_PER_SEC)
                        secs = USEC_PER_WEEK / USEC_PER_SEC;
                *ret_usec = (uint64_t) secs * USEC_PER_SEC;
                return 0;
        }

        t = curl_getdate(buf, NULL);
        if (t == (time_t) -1)
                return -EINVAL;
        if (t < 0 || (uint64_t) t * USEC_PER_SEC <= now_usec)
                *ret_usec = 0;
        else
                *ret_usec = (uint64_t) t * USEC_PER_SEC - now_usec;
        return 0;
}

/* ---- jobs ---- */

static FetchJob *job_free(FetchJob *j)
{
        if (!j)
                return NULL;
        if (j->easy) {
                if (j->fetcher)
                        curl_glue_remove(j->fetcher->glue, j->easy);
                curl_easy_cleanup(j->easy);
        }
        curl_slist_free_all(j->headers);
        free(j->url);
        free(j->body);
        free(j->buf);
        free(j->reason);
        free(j);
        return NULL;
}

static void job_unlink(FetchJob *j)
{
        Fetcher *f = j->fetcher;

        if (j->prev)
                j->prev->next = j->next;
        else if (f->jobs == j)
                f->jobs = j->next;
        if (j->next)
                j->next->prev = j->prev;
        j->next = j->prev = NULL;
        f->n_jobs--;
}

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
        FetchJob *j = userdata;
        size_t n = size * nmemb;

        if ((uint64_t) j->size + n > j->max_size) {
                /* Returning less than n makes curl abort with CURLE_WRITE_ERROR. */
                j->too_large = true;
                return 0;
        }
        if (GREEDY_REALLOC(j->buf, j->alloc, j->size + n + 1) < 0)
                return 0;
        memcpy(j->buf + j->size, ptr, n);
        j->size += n;
        j->buf[j->size] = 0;
        return n;
}

/* Remembers the reason phrase of the latest status line; every response of a redirect chain (and a
 * "100 Continue") starts with one, so the last one wins. */
static size_t on_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
        FetchJob *j = userdata;
        size_t n = size * nmemb;
        const char *p, *end = ptr + n;

        j->header_bytes += n;
        if (j->header_bytes > FETCH_MAX_HEADER_SIZE) {
                /* Returning less than n makes curl abort with CURLE_WRITE_ERROR. */
                j->header_too_large = true;
                return 0;
        }
        if (n < 5 || memcmp(ptr, "HTTP/", 5) != 0)
                return n;

        free(j->reason);
        j->reason = NULL;

        /* "HTTP/1.1 429 Too Many Requests\r\n" */
        p = memchr(ptr, ' ', n);
        if (!p)
                return n;
        while (p < end && *p == ' ')
                p++;
        while (p < end && isdigit((unsigned char) *p))
                p++;
        while (p < end && *p == ' ')
                p++;
        while (end > p && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
                end--;
        if (end > p)
                /* Free text from the server, logged and stored: printable, valid UTF-8, at most
                 * LOG_VALUE_MAX characters (a 5,000-character phrase must not make a 5,000-character
                 * line). */
                j->reason = log_quote_full(p, (size_t) (end - p), LOG_VALUE_MAX);
        return n;
}

/* The glue's mapping, except that a write error of ours is the size cap. */
static int curl_code_to_errno(CURLcode c, bool too_large)
{
        if (c == CURLE_WRITE_ERROR)
                return too_large ? -EFBIG : -EIO;
        return curl_glue_code_to_errno(c);
}

static char *get_header(CURL *easy, const char *name)
{
        struct curl_header *h = NULL;

        if (curl_easy_header(easy, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK || !h || !h->value)
                return NULL;
        return strdup(h->value);
}

static void response_done(FetchResponse *r)
{
        free(r->error_message);
        free(r->body);
        free(r->content_type);
        free(r->etag);
        free(r->last_modified);
        free(r->effective_url);
        free(r->reason);
}

static void scrub_field(char **p)
{
        if (*p && scrub_needed(*p)) {
                char *c = scrub_string(*p);
                free(*p);
                *p = c ? c : strdup(SCRUB_REPLACEMENT);
        }
}

static void job_finish(CurlGlue *g, CURL *easy, CURLcode code, void *userdata)
{
        FetchJob *j = userdata;
        Fetcher *f = j->fetcher;
        FetchResponse r = {};
        const char *s = NULL;
        long status = 0;
        _cleanup_free_ char *retry = NULL;

        (void) curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &status);
        if (curl_easy_getinfo(j->easy, CURLINFO_EFFECTIVE_URL, &s) == CURLE_OK && s)
                r.effective_url = strdup(s);
        s = NULL;
        if (curl_easy_getinfo(j->easy, CURLINFO_CONTENT_TYPE, &s) == CURLE_OK && s)
                r.content_type = strdup(s);

        /* file:// has no status; a successfully read file is as good as a 200. */
        if (status == 0 && code == CURLE_OK && strncasecmp(j->url, "file:", 5) == 0)
                status = 200;
        r.status = status;

        if (status > 0 && strncasecmp(j->url, "file:", 5) != 0) {
                r.etag = get_header(j->easy, "ETag");
                r.last_modified = get_header(j->easy, "Last-Modified");
                retry = get_header(j->easy, "Retry-After");
                if (retry) {
                        uint64_t d;

                        if (fetch_parse_retry_after(retry, now(CLOCK_REALTIME), &d) >= 0)
                                r.retry_after_usec = d;
                }
                if (j->reason && *j->reason)
                        r.reason = strdup(j->reason);
                else if (*fetch_status_reason(status))
                        r.reason = strdup(fetch_status_reason(status));
        }

        r.error = curl_code_to_errno(code, j->too_large);
        /* curl answers a header line over its limit with "Out of memory": before any body byte,
         * that is what it was. */
        if (j->header_too_large || (code == CURLE_OUT_OF_MEMORY && j->size == 0))
                r.error = -EMSGSIZE;
        if (code != CURLE_OK) {
                if (r.error == -EMSGSIZE)
                        r.error_message = strdup_printf("response header too large (over %zu bytes)",
                                                        j->header_too_large ? FETCH_MAX_HEADER_SIZE
                                                                            : (size_t) CURL_MAX_HTTP_HEADER);
                else if (j->too_large || code == CURLE_FILESIZE_EXCEEDED)
                        r.error_message = strdup_printf("response exceeds %llu bytes",
                                                        (unsigned long long) j->max_size);
                else
                        /* curl's detailed message when it has one ("Failed to connect to … port …"),
                         * else the generic text for the code */
                        r.error_message = strdup(j->errbuf[0] ? j->errbuf : curl_easy_strerror(code));
        } else if (status >= 300 && status < 400 && status != 304) {
                char *loc = NULL;

                (void) curl_easy_getinfo(j->easy, CURLINFO_REDIRECT_URL, &loc);
                /* Only reached for POST (or past the redirect limit): a 301/302 turns a POST into a
                 * GET without the body, so we report instead of following. */
                r.error_message =
                        strdup_printf("redirected to %s, not followed%s", loc ? loc : "(no Location)",
                                      j->post ? " (a redirect would drop the POST body)" : "");
        }

        /* What the server or curl said goes into logs and the store: no secret (a gateway echoing
         * the token in its reason phrase), no userinfo in a redirect URL. The body stays data. */
        scrub_field(&r.reason);
        scrub_field(&r.error_message);
        scrub_field(&r.effective_url);

        r.body = TAKE_PTR(j->buf);
        r.size = j->size;
        if (!r.body)
                r.body = calloc(1, 1);

        /* The glue already took the handle off the loop: job_free() only cleans it up. */
        job_unlink(j);
        j->fetcher = NULL;
        if (j->callback)
                j->callback(f, &r, j->userdata);
        response_done(&r);
        job_free(j);
}

int fetcher_new_with_glue(CurlGlue *g, Fetcher **ret)
{
        Fetcher *f;

        if (!g || !ret)
                return -EINVAL;
        f = calloc(1, sizeof(*f));
        if (!f)
                return -ENOMEM;
        f->glue = curl_glue_ref(g);
        *ret = f;
        return 0;
}

int fetcher_new(sd_event *e, Fetcher **ret)
{
        CurlGlue *g = NULL;
        int r;

        if (!e || !ret)
                return -EINVAL;
        r = curl_glue_new(e, &g);
        if (r < 0)
                return r;
        r = fetcher_new_with_glue(g, ret);
        curl_glue_unref(g); /* the fetcher holds its own reference */
        return r;
}

Fetcher *fetcher_free(Fetcher *f)
{
        if (!f)
                return NULL;
        while (f->jobs) {
                FetchJob *j = f->jobs;
                job_unlink(j);
                job_free(j); /* takes the handle off the glue first: no callback */
        }
        curl_glue_unref(f->glue);
        free(f);
        return NULL;
}

unsigned fetcher_in_flight(const Fetcher *f)
{
        return f ? f->n_jobs : 0;
}

static int add_header(struct curl_slist **l, const char *name, const char *value)
{
        _cleanup_free_ char *h = NULL;
        struct curl_slist *n;

        /* A header value with a line break would let a stored ETag inject headers. */
        if (strpbrk(value, "\r\n"))
                return -EINVAL;
        h = strdup_printf("%s: %s", name, value);
        if (!h)
                return -ENOMEM;
        n = curl_slist_append(*l, h);
        if (!n)
                return -ENOMEM;
        *l = n;
        return 0;
}

#define SETOPT(easy, opt, val)                                                                              \
        do {                                                                                                \
                if (curl_easy_setopt(easy, opt, val) != CURLE_OK)                                           \
                        goto fail;                                                                          \
        } while (0)

int fetcher_start(Fetcher *f, const FetchRequest *req, fetch_callback_t cb, void *userdata)
{
        FetchJob *j;
        uint64_t connect_timeout, timeout;
        long low_speed_time;
        int r = -ENOMEM;

        if (!f || !req || !req->url)
                return -EINVAL;

        j = calloc(1, sizeof(*j));
        if (!j)
                return -ENOMEM;
        j->fetcher = f;
        j->callback = cb;
        j->userdata = userdata;
        j->max_size = req->max_size > 0 ? req->max_size : FETCH_DEFAULT_MAX_SIZE;
        j->url = strdup(req->url);
        if (!j->url)
                goto fail;
        j->post = !!req->body;
        if (req->body) {
                j->body = strdup(req->body);
                if (!j->body)
                        goto fail;
        }

        j->easy = curl_easy_init();
        if (!j->easy)
                goto fail;

        r = -EIO;
        SETOPT(j->easy, CURLOPT_URL, j->url);
        SETOPT(j->easy, CURLOPT_ERRORBUFFER, j->errbuf);
        SETOPT(j->easy, CURLOPT_NOSIGNAL, 1L);
        SETOPT(j->easy, CURLOPT_NOPROGRESS, 1L);
        SETOPT(j->easy, CURLOPT_WRITEFUNCTION, on_write);
        SETOPT(j->easy, CURLOPT_WRITEDATA, j);
        SETOPT(j->easy, CURLOPT_HEADERFUNCTION, on_header);
        SETOPT(j->easy, CURLOPT_HEADERDATA, j);
        SETOPT(j->easy, CURLOPT_USERAGENT, fetch_user_agent());
        /* Only what a data source can sensibly be; redirects never lead to file:// (a server must
         * not make us read local files). */
        SETOPT(j->easy, CURLOPT_PROTOCOLS_STR, "http,https,file");
        SETOPT(j->easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        /* TLS verification is always on; a source may only add a CA bundle. */
        SETOPT(j->easy, CURLOPT_SSL_VERIFYPEER, 1L);
        SETOPT(j->easy, CURLOPT_SSL_VERIFYHOST, 2L);
        if (req->ca_file)
                SETOPT(j->easy, CURLOPT_CAINFO, req->ca_file);
        SETOPT(j->easy, CURLOPT_ACCEPT_ENCODING, ""); /* whatever curl can decode, gzip included */

        connect_timeout = req->connect_timeout_usec > 0 ? req->connect_timeout_usec
                                                        : FETCH_DEFAULT_CONNECT_TIMEOUT_USEC;
        timeout = req->timeout_usec > 0 ? req->timeout_usec : FETCH_DEFAULT_TIMEOUT_USEC;
        SETOPT(j->easy, CURLOPT_CONNECTTIMEOUT_MS, (long) MAX(connect_timeout / USEC_PER_MSEC, UINT64_C(1)));
        SETOPT(j->easy, CURLOPT_TIMEOUT_MS, (long) MAX(timeout / USEC_PER_MSEC, UINT64_C(1)));
        low_speed_time = MIN(FETCH_LOW_SPEED_TIME_SEC, (long) MAX(timeout / USEC_PER_SEC, UINT64_C(1)));
        SETOPT(j->easy, CURLOPT_LOW_SPEED_LIMIT, FETCH_LOW_SPEED_LIMIT);
        SETOPT(j->easy, CURLOPT_LOW_SPEED_TIME, low_speed_time);
        SETOPT(j->easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) j->max_size);

        if (j->post) {
                SETOPT(j->easy, CURLOPT_POST, 1L);
                SETOPT(j->easy, CURLOPT_POSTFIELDS, j->body);
                SETOPT(j->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) strlen(j->body));
                /* A 301 on POST loses the body (api.statbank.dk redirects http -> https): report it
                 * rather than silently sending a GET. */
                SETOPT(j->easy, CURLOPT_FOLLOWLOCATION, 0L);
        } else {
                SETOPT(j->easy, CURLOPT_HTTPGET, 1L);
                SETOPT(j->easy, CURLOPT_FOLLOWLOCATION, 1L);
                SETOPT(j->easy, CURLOPT_MAXREDIRS, FETCH_MAX_REDIRECTS);
        }

        r = -EINVAL;
        if (j->post && add_header(&j->headers, "Content-Type",
                                  req->content_type ? req->content_type : "application/json") < 0)
                goto fail;
        if (req->accept && add_header(&j->headers, "Accept", req->accept) < 0)
                goto fail;
        if (req->authorization && add_header(&j->headers, "Authorization", req->authorization) < 0)
                goto fail;
        if (req->if_none_match && add_header(&j->headers, "If-None-Match", req->if_none_match) < 0)
                goto fail;
        if (req->if_modified_since &&
            add_header(&j->headers, "If-Modified-Since", req->if_modified_since) < 0)
                goto fail;
        /* No "Expect: 100-continue" round trip for our small POST bodies. */
        if (j->post) {
                struct curl_slist *n = curl_slist_append(j->headers, "Expect:");
                if (!n)
                        goto fail;
                j->headers = n;
        }
        r = -EIO;
        if (j->headers)
                SETOPT(j->easy, CURLOPT_HTTPHEADER, j->headers);

        r = curl_glue_add(f->glue, j->easy, job_finish, j);
        if (r < 0)
                goto fail;

        j->next = f->jobs;
        if (j->next)
                j->next->prev = j;
        f->jobs = j;
        f->n_jobs++;
        return 0;

fail:
        j->fetcher = NULL; /* not added to the multi */
        job_free(j);
        return r;
}
