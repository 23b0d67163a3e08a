/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Delivery of the durable outbox on the sd-event loop (contract D). Items are read from the store
 * when due, rendered (notify_render) and sent through their notifier's channel, at most a few at a
 * time (and fewer through one notifier), never blocking the loop. A delivered item is marked sent;
 * a failed one is retried with a capped exponential backoff (first retry within about a minute,
 * cap: the notifier's retry_max, default 1 h; a server's Retry-After is honoured), across restarts,
 * since the schedule is in the store. After give_up_after (default 3 days), or at once on a
 * permanent refusal, the item is given up: a NOTIFICATION_EXPIRED journal entry, and a
 * data_problems notice (kind notification_expired) queued for the routes with data_problems: true.
 *
 * Guarantee: nothing enqueued is lost. An item the server accepted is not sent again, except when
 * the process dies between the server's acceptance and the commit of "sent"; then it is sent once
 * more after the restart, as the same message (same Message-ID, same idempotency key). */

#include <stdbool.h>

#include <systemd/sd-event.h>

#include "labourwatch/config.h"
#include "labourwatch/store.h"

typedef struct Outbox Outbox;

/* Creates the outbox runner; it attempts what is due at once (from the loop) and then whenever items
 * become due. e, st and c must outlive it (c until outbox_set_config replaces it). Returns 0 or
 * negative errno. */
int outbox_new(sd_event *e, Store *st, const Config *c, Outbox **ret);
/* The same on the process's curl glue g (its loop is the outbox's; the outbox takes a reference). */
typedef struct CurlGlue CurlGlue;
int outbox_new_with_glue(CurlGlue *g, Store *st, const Config *c, Outbox **ret);
/* Cancels transfers in flight (they stay due in the store) and frees. Accepts NULL. */
Outbox *outbox_free(Outbox *o);
/* A reloaded configuration (notifiers, recipients, templates). Deliveries in flight keep what they
 * started with (they hold copies), so the old Config may be freed right after this call. */
void outbox_set_config(Outbox *o, const Config *c);
/* After an enqueue: attempt what is due now (from the loop, not from within this call). */
void outbox_kick(Outbox *o);
/* Nothing in flight and nothing due now (for --once). */
bool outbox_idle(Outbox *o);
/* Calls cb once, from the loop, when nothing is in flight and nothing is due (after the current
 * attempts). Replaces an earlier callback; cb NULL removes it. */
typedef void (*outbox_idle_t)(Outbox *o, void *userdata);
void outbox_on_idle(Outbox *o, outbox_idle_t cb, void *userdata);
/* Stopping: starts no more deliveries, and calls cb once, from the loop, when none is in flight
 * any more (at once, from the loop, when none is). The caller bounds the wait; outbox_free cancels
 * what is still in flight then. */
void outbox_drain(Outbox *o, outbox_idle_t cb, void *userdata);
/* Deliveries in flight. */
unsigned outbox_in_flight(const Outbox *o);
/* Has any delivery failed (or been given up) since outbox_new? For --once's exit status. */
bool outbox_had_failures(const Outbox *o);
/* Items delivered since outbox_new. */
unsigned outbox_sent(const Outbox *o);

/* Queues a data_problems notice with one problem of kind notification_expired for every route with
 * data_problems: true (each of its notifiers, for each of its recipients; a webhook or directory
 * notifier without route recipients gets one recipient-less notice). In one transaction. Returns the
 * number of notices queued, or negative errno with *ret_error. */
int outbox_enqueue_expired(Store *st, const Config *c, const OutboxItem *expired, const char *reason,
                           int64_t now_usec, char **ret_error);
