/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SMTP AUTH XOAUTH2 with a token from the OAuth 2.0 client-credentials grant (RFC 6749 §4.4), as
 * Exchange Online requires once Basic authentication is gone: POST grant_type=client_credentials,
 * client_id, client_secret and scope as application/x-www-form-urlencoded to the token endpoint,
 * which answers {"access_token", "expires_in", "token_type"} or, on failure (RFC 6749 §5.2),
 * {"error", "error_description"}; Microsoft's description starts with an AADSTS code naming the
 * problem exactly.
 *
 * The token is fetched on the SMTP delivery's own thread, just before the transfer, blocking, with
 * the notifier's timeout: its sockets are the job's (notify_job_attach()), so the loop's deadline
 * and a cancel cut it like the SMTP session. Tokens are cached per endpoint, client, scope and
 * secret in the NotifyLoop, under a mutex (several deliveries may run at once), until 60 s before
 * they expire; a second message within that time reuses it. The thread never logs; every token is
 * registered with the scrubber on the loop (notify_oauth_release()) before any result is logged. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "labourwatch/macro.h"
#include "labourwatch/scrub.h"
#include "labourwatch/secret.h"
#include "labourwatch/time-util.h"
#include "notify-internal.h"

#define TOKEN_ANSWER_MAX (64U * 1024U)
/* A token is renewed this long before the endpoint said it expires (at most half its life). */
#define TOKEN_MARGIN_USEC (60 * USEC_PER_SEC)
#define TOKEN_CACHE_MAX 16

typedef struct TokenEntry {
        char key[65]; /* SHA-256 of endpoint, client, scope and secret */
        char *token;
        uint64_t until_usec; /* CLOCK_MONOTONIC */
} TokenEntry;

struct NotifyTokenCache {
        pthread_mutex_t lock;
        /* Held while a token is fetched: deliveries started together ask the endpoint once. A
         * waiting thread is bounded by the fetching one's timeout (its job's deadline cuts it). */
        pthread_mutex_t fetch_lock;
        TokenEntry entries[TOKEN_CACHE_MAX];
        size_t n;
};

struct NotifyOAuth {
        char *token_url, *client_id, *secret, *scope;
        char key[65];
        char *token;  /* what the transfer used; the loop registers it with the scrubber */
        char *answer; /* the endpoint's body */
        size_t answer_size;
        long status;
        const char *cause, *fix;
        char error[CURL_ERROR_SIZE + 256];
};

int notify_token_cache_new(NotifyTokenCache **ret)
{
        NotifyTokenCache *c = calloc(1, sizeof(*c));
        int r;

        if (!c)
                return -ENOMEM;
        r = pthread_mutex_init(&c->lock, NULL);
        if (r != 0) {
                free(c);
                return -r;
        }
        r = pthread_mutex_init(&c->fetch_lock, NULL);
        if (r != 0) {
                (void) pthread_mutex_destroy(&c->lock);
                free(c);
                return -r;
        }
        *ret = c;
        return 0;
}

NotifyTokenCache *notify_token_cache_free(NotifyTokenCache *c)
{
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n; i++)
                secret_wipe_free(c->entries[i].token);
        (void) pthread_mutex_destroy(&c->fetch_lock);
        (void) pthread_mutex_destroy(&c->lock);
        free(c);
        return NULL;
}

/* Under c->lock: the entry for key, or NULL. */
static TokenEntry *cache_find(NotifyTokenCache *c, const char *key)
{
        for (size_t i = 0; i < c->n; i++)
                if (streq(c->entries[i].key, key))
                        return &c->entries[i];
        return NULL;
}

static void cache_drop(NotifyTokenCache *c, const char *key)
{
        TokenEntry *e;

        pthread_mutex_lock(&c->lock);
        e = cache_find(c, key);
        if (e) {
                secret_wipe_free(e->token);
                *e = c->entries[--c->n];
        }
        pthread_mutex_unlock(&c->lock);
}

/* A copy of a token for key valid at now, or NULL. */
static char *cache_get(NotifyTokenCache *c, const char *key, uint64_t now_usec)
{
        TokenEntry *e;
        char *t = NULL;

        pthread_mutex_lock(&c->lock);
        e = cache_find(c, key);
        if (e && e->until_usec > now_usec)
                t = strdup(e->token);
        pthread_mutex_unlock(&c->lock);
        return t;
}

static void cache_put(NotifyTokenCache *c, const char *key, const char *token, uint64_t until_usec)
{
        char *t = strdup(token);
        TokenEntry *e;

        if (!t)
                return; /* not cached: fetched again next time */
        pthread_mutex_lock(&c->lock);
        e = cache_find(c, key);
        if (!e) {
                /* full: the one that expires first makes room */
                if (c->n == TOKEN_CACHE_MAX) {
                        e = &c->entries[0];
                        for (size_t i = 1; i < c->n; i++)
                                if (c->entries[i].until_usec < e->until_usec)
                                        e = &c->entries[i];
                } else
                        e = &c->entries[c->n++];
                *e = (TokenEntry){};
                memcpy(e->key, key, sizeof(e->key));
        }
        secret_wipe_free(e->token);
        e->token = t;
        e->until_usec = until_usec;
        pthread_mutex_unlock(&c->lock);
}

NotifyOAuth *notify_oauth_free(NotifyOAuth *o)
{
        if (!o)
                return NULL;
        free(o->token_url);
        free(o->client_id);
        secret_wipe_free(o->secret);
        free(o->scope);
        secret_wipe_free(o->token);
        free(o->answer);
        free(o);
        return NULL;
}

int notify_oauth_new(const NotifierDef *n, NotifyOAuth **ret, char **ret_error)
{
        _cleanup_free_ char *material = NULL;
        NotifyOAuth *o;
        int r;

        o = calloc(1, sizeof(*o));
        if (!o)
                return -ENOMEM;
        /* On the loop: secret_read() registers the secret with the scrubber. */
        r = secret_read(&n->client_secret, &o->secret);
        if (r < 0) {
                *ret_error = strdup_printf("notifier '%s': cannot read the client secret (%s %s): %s",
                                           n->name, secret_ref_kind(&n->client_secret),
                                           secret_ref_name(&n->client_secret), strerror(-r));
                notify_oauth_free(o);
                return r;
        }
        o->token_url = strdup(strempty(n->token_url));
        o->client_id = strdup(strempty(n->client_id));
        o->scope = strdup(strempty(n->scope));
        material = strdup_printf("%s\n%s\n%s\n%s", strempty(n->token_url), strempty(n->client_id),
                                 strempty(n->scope), o->secret);
        if (!o->token_url || !o->client_id || !o->scope || !material) {
                notify_oauth_free(o);
                return -ENOMEM;
        }
        notify_sha256_hex(material, strlen(material), o->key);
        explicit_bzero(material, strlen(material));
        *ret = o;
        return 0;
}

static size_t on_answer(char *buf, size_t size, size_t nitems, void *userdata)
{
        NotifyOAuth *o = userdata;
        size_t n = size * nitems;
        char *p;

        if (o->answer_size + n > TOKEN_ANSWER_MAX)
                return 0; /* no token answer is that long: cut */
        p = realloc(o->answer, o->answer_size + n + 1);
        if (!p)
                return 0;
        memcpy(p + o->answer_size, buf, n);
        o->answer = p;
        o->answer_size += n;
        o->answer[o->answer_size] = 0;
        return n;
}

static void set_cause(NotifyOAuth *o, const char *cause, const char *fix)
{
        o->cause = cause;
        o->fix = fix;
}

/* Which setting a refusal of the token endpoint points at. Microsoft's codes (AADSTS…) are the
 * exact ones; RFC 6749's error codes the fallback. */
static void classify_refusal(NotifyOAuth *o, const char *error, const char *description)
{
        const char *d = strempty(description);

        if (o->status == 404 || strstr(d, "AADSTS90002") || strstr(d, "AADSTS900023") ||
            strstr(d, "AADSTS90013"))
                set_cause(
                        o, "oauth-tenant",
                        "the token endpoint does not know the tenant: check token_url "
                        "(https://login.microsoftonline.com/TENANT/oauth2/v2.0/token, TENANT the directory "
                        "(tenant) ID or a verified domain)");
        else if (strstr(d, "AADSTS7000215") || strstr(d, "AADSTS7000222") || strstr(d, "AADSTS7000216"))
                set_cause(
                        o, "oauth-secret",
                        "the token endpoint refused the client secret (wrong or expired): put the secret's "
                        "value (not its ID) in client_secret_file or client_secret_credential, or a new "
                        "one");
        else if (strstr(d, "AADSTS700016") || strstr(d, "AADSTS7000112") ||
                 streq(strempty(error), "unauthorized_client"))
                set_cause(o, "oauth-client",
                          "the token endpoint does not know the client or refuses it in this tenant: check "
                          "client_id (the application (client) ID of the app registration) and the tenant "
                          "in token_url");
        else if (streq(strempty(error), "invalid_client"))
                set_cause(o, "oauth-client",
                          "the token endpoint refused the client: check client_id and the client secret "
                          "(client_secret_file or client_secret_credential)");
        else if (strstr(d, "AADSTS70011") || streq(strempty(error), "invalid_scope"))
                set_cause(o, "oauth-scope",
                          "the token endpoint refused the scope: for Exchange Online it is "
                          "https://outlook.office365.com/.default (scope)");
        else if (o->status >= 400 && o->status < 500)
                set_cause(o, "oauth-request",
                          "the token endpoint refused the request: check token_url, client_id and scope");
}

/* The answer of a finished POST: the token and its lifetime, or o->error (and o->cause). */
static int parse_answer(NotifyOAuth *o, char **ret_token, uint64_t *ret_lifetime_usec)
{
        json_t *root = o->answer ? json_loads(o->answer, 0, NULL) : NULL;
        const char *token = NULL, *error = NULL, *description = NULL;
        json_t *exp;
        double lifetime = 0;
        int r = -EPROTO;

        if (json_is_object(root)) {
                token = json_string_value(json_object_get(root, "access_token"));
                error = json_string_value(json_object_get(root, "error"));
                description = json_string_value(json_object_get(root, "error_description"));
                exp = json_object_get(root, "expires_in");
                /* a number, or (some endpoints) a string of digits */
                lifetime = json_is_number(exp)   ? json_number_value(exp)
                           : json_is_string(exp) ? strtod(json_string_value(exp), NULL)
                                                 : 0;
        }
        if (o->status == 200 && token && *token && lifetime > 0) {
                *ret_token = strdup(token);
                *ret_lifetime_usec = (uint64_t) MIN(lifetime, 366.0 * 24 * 3600) * USEC_PER_SEC;
                r = *ret_token ? 0 : -ENOMEM;
        } else {
                classify_refusal(o, error, description);
                if (error)
                        snprintf(o->error, sizeof(o->error), "token endpoint answered %ld: %s%s%.300s",
                                 o->status, error, description ? ": " : "", strempty(description));
                else
                        snprintf(o->error, sizeof(o->error), "token endpoint answered %ld without a token",
                                 o->status);
        }
        json_decref(root);
        return r;
}

#define SETOPT(easy, opt, val)                                                                              \
        do {                                                                                                \
                if (curl_easy_setopt(easy, opt, val) != CURLE_OK)                                           \
                        goto fail;                                                                          \
        } while (0)

/* On the delivery's thread: POSTs the grant. Returns 0 with *ret_token, or -errno with o->error. */
static int fetch_token(NotifySend *s, NotifyOAuth *o, char **ret_token, uint64_t *ret_lifetime_usec)
{
        char errbuf[CURL_ERROR_SIZE] = "";
        char *id = NULL, *secret = NULL, *scope = NULL, *body = NULL;
        uint64_t timeout = s->timeout_usec;
        CURLcode c = CURLE_OUT_OF_MEMORY;
        CURL *easy;
        int r = -EIO;

        easy = curl_easy_init();
        if (!easy)
                goto fail;
        id = curl_easy_escape(easy, o->client_id, 0);
        secret = curl_easy_escape(easy, o->secret, 0);
        scope = curl_easy_escape(easy, o->scope, 0);
        if (!id || !secret || !scope)
                goto fail;
        body = strdup_printf("grant_type=client_credentials&client_id=%s&client_secret=%s&scope=%s", id,
                             secret, scope);
        if (!body)
                goto fail;
        SETOPT(easy, CURLOPT_URL, o->token_url);
        SETOPT(easy, CURLOPT_PROTOCOLS_STR, "https,http"); /* http: loopback only (config-schema.c) */
        SETOPT(easy, CURLOPT_ERRORBUFFER, errbuf);
        SETOPT(easy, CURLOPT_NOSIGNAL, 1L);
        SETOPT(easy, CURLOPT_TIMEOUT_MS, (long) MAX(timeout / USEC_PER_MSEC, UINT64_C(1)));
        SETOPT(easy, CURLOPT_CONNECTTIMEOUT_MS,
               (long) MAX(MIN(timeout, UINT64_C(30) * USEC_PER_SEC) / USEC_PER_MSEC, UINT64_C(1)));
        SETOPT(easy, CURLOPT_SSL_VERIFYPEER, 1L);
        SETOPT(easy, CURLOPT_SSL_VERIFYHOST, 2L);
        SETOPT(easy, CURLOPT_POSTFIELDS, body);
        SETOPT(easy, CURLOPT_WRITEFUNCTION, on_answer);
        SETOPT(easy, CURLOPT_WRITEDATA, o);
        if (notify_job_attach(s->job, easy) < 0)
                goto fail;
        c = curl_easy_perform(easy);
        (void) curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &o->status);
        if (c != CURLE_OK) {
                /* no answer (name, connection, timeout): may pass later, retried as usual */
                snprintf(o->error, sizeof(o->error), "cannot reach the token endpoint: %s",
                         errbuf[0] ? errbuf : curl_easy_strerror(c));
                r = -EIO;
        } else
                r = parse_answer(o, ret_token, ret_lifetime_usec);
        goto done;
fail:
        snprintf(o->error, sizeof(o->error), "cannot set up the token request: %s", curl_easy_strerror(c));
done:
        curl_easy_cleanup(easy); /* closes its sockets (the job's callbacks) */
        curl_free(id);
        if (secret)
                explicit_bzero(secret, strlen(secret));
        curl_free(secret);
        curl_free(scope);
        secret_wipe_free(body);
        return r;
}

int notify_oauth_prepare(NotifySend *s, NotifyTokenCache *cache)
{
        NotifyOAuth *o = s->oauth;
        uint64_t now_usec = now(CLOCK_MONOTONIC), lifetime = 0;
        char *token;
        int r = 0;

        token = cache_get(cache, o->key, now_usec);
        if (!token) {
                pthread_mutex_lock(&cache->fetch_lock);
                /* another delivery may have fetched it while this one waited */
                token = cache_get(cache, o->key, now(CLOCK_MONOTONIC));
                if (!token) {
                        now_usec = now(CLOCK_MONOTONIC);
                        r = fetch_token(s, o, &token, &lifetime);
                        if (r >= 0)
                                cache_put(cache, o->key, token,
                                          now_usec + lifetime - MIN(TOKEN_MARGIN_USEC, lifetime / 2));
                }
                pthread_mutex_unlock(&cache->fetch_lock);
                if (r < 0)
                        return r;
        }
        o->token = token;
        if (curl_easy_setopt(s->easy, CURLOPT_XOAUTH2_BEARER, token) != CURLE_OK) {
                snprintf(o->error, sizeof(o->error), "cannot hand the token to libcurl");
                return -EIO;
        }
        return 0;
}

bool notify_oauth_failed(const NotifySend *s, const char **ret_cause, const char **ret_fix,
                         const char **ret_error)
{
        const NotifyOAuth *o = s->oauth;

        if (!o || !o->error[0])
                return false;
        *ret_cause = o->cause;
        *ret_fix = o->fix;
        *ret_error = o->error;
        return true;
}

void notify_oauth_release(NotifySend *s, NotifyTokenCache *cache, bool refused)
{
        NotifyOAuth *o = s->oauth;

        if (!o || !o->token)
                return;
        /* Before anything of this delivery is logged. Should the ring be out of memory, the token
         * is dropped from the cache: the next delivery fetches (and registers) a new one. */
        if (scrub_register_ephemeral(o->token) < 0 || refused)
                /* refused: the roles are in the token; after a fix (consent, a permission) only a new
                 * one carries them */
                cache_drop(cache, o->key);
}
