/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Secrets (API tokens, SMTP logins, webhook keys) are never written in the configuration: either a
 * file path (`token_file:`) or a systemd credential name (`token_credential:`, read from
 * $CREDENTIALS_DIRECTORY/NAME, as LoadCredential=/LoadCredentialEncrypted= provide them). */

#include <stdbool.h>

typedef struct SecretRef {
        char *file;
        char *credential;
} SecretRef;

#define SECRET_FILE_MAX (64U * 1024U)

/* Reads a secret (file or credential), stripping one trailing newline. Only a regular file is
 * read; a FIFO or device is refused without blocking (-ESPIPE). Returns 0, -ENOENT when the
 * reference is empty, -ENXIO when a credential is named but $CREDENTIALS_DIRECTORY is unset,
 * -EINVAL for a credential name that is a path, -EBADMSG for a NUL byte in it, or -errno (see
 * read_regular_file()). The caller owns *ret and should wipe it after use (secret_wipe_free).
 * Error messages must never include the secret itself. */
int secret_read(const SecretRef *ref, char **ret);

/* Overwrites and frees a secret read by secret_read(). Accepts NULL; returns NULL. */
char *secret_wipe_free(char *s);

/* A credential name is a file name inside $CREDENTIALS_DIRECTORY, never a path. */
bool credential_name_is_valid(const char *s);

/* Where the secret is, for messages: "file /etc/x" or "credential NAME". Never the secret. */
const char *secret_ref_kind(const SecretRef *ref);
const char *secret_ref_name(const SecretRef *ref);
