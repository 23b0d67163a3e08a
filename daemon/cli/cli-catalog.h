/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* What a configured source offers (issue 19 §1, §2), for `labourwatch tables` and `labourwatch
 * describe`: the provider's own metadata endpoints asked through fetch.c on a private loop, and
 * their answers turned into one shape per question:
 *
 *   listing:  [{"id", "title", "type", "unit", "first_period", "last_period", "updated"}]
 *             ("type" "table", "level" (a PxWeb folder) or "file" (CSV, JSON-stat); a field the
 *             provider does not give is null)
 *   table:    {"id", "title", "unit", "updated", "frequency", "periods": [codes],
 *              "variables": [{"id", "text", "time", "area", "elimination",
 *                             "values": [{"id", "text"}]}],
 *              "measures": [{"id", "text"}]}          (measures: Jobindsats and PxWeb only)
 *
 * Every failure is one line in *ret_error naming the URL and what was wrong; the caller prints it.
 * Returns 0, or -ENOTSUP (a kind without a listing, *ret_error says why), -EIO (the provider
 * failed), -ENOMEM. */

#include <jansson.h>
#include <stdbool.h>

#include "labourwatch/config.h"

/* The listing of src, from the state directory's cache when it is younger than a day and refresh
 * is false. *ret_fetched: when the listing was fetched (seconds since the epoch); *ret_cached
 * whether it came from the cache. The caller owns *ret. A cache that cannot be written is named
 * in *ret_warning (caller frees) and otherwise ignored. */
int catalog_tables(const Config *c, const SourceDef *src, bool refresh, json_t **ret, long long *ret_fetched,
                   bool *ret_cached, char **ret_warning, char **ret_error);

/* The tables of the kept listing, whatever its age, NULL when none is kept; no request. The
 * caller owns the result. */
json_t *catalog_cached(const Config *c, const SourceDef *src);

/* A body fetched with status 200 (catalog_http); body is NUL-terminated, the caller frees it. */
typedef struct CatalogBody {
        char *body;
        size_t size;
} CatalogBody;
int catalog_http(const SourceDef *src, const char *url, const char *post, const char *auth, CatalogBody *ret,
                 char **ret_error);

/* CSV and JSON-stat sources (cli-catalog-files.c): one entry per file their series read, in the
 * listing's shape plus "columns" (CSV header) or "dimensions" ([{id, label, size}], JSON-stat),
 * with the period range of what the series read. */
int catalog_files(const Config *c, const SourceDef *src, json_t **ret, char **ret_error);

/* One table's variables and periods, from the provider's table metadata. The caller owns *ret. */
int catalog_describe(const SourceDef *src, const char *table, json_t **ret, char **ret_error);

/* Whether every word matches the id or the title, folded as suggest.h folds (case, æ/ø/å,
 * separators). */
bool catalog_match(const char *id, const char *title, char **words, int n_words);
