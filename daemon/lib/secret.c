/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "labourwatch/fileio.h"
#include "labourwatch/macro.h"
#include "labourwatch/scrub.h"
#include "labourwatch/secret.h"

bool credential_name_is_valid(const char *s)
{
        return s && *s && !strchr(s, '/') && !streq(s, ".") && !streq(s, "..");
}

const char *secret_ref_kind(const SecretRef *ref)
{
        return ref && ref->file && *ref->file ? "file" : "credential";
}

const char *secret_ref_name(const SecretRef *ref)
{
        if (!ref)
                return "";
        return ref->file && *ref->file ? ref->file : strempty(ref->credential);
}

char *secret_wipe_free(char *s)
{
        if (s) {
                explicit_bzero(s, strlen(s));
                free(s);
        }
        return NULL;
}

int secret_read(const SecretRef *ref, char **ret)
{
        _cleanup_free_ char *path = NULL;
        char *buf = NULL;
        size_t size = 0;
        const char *p;
        int r;

        assert(ret);
        if (!ref)
                return -ENOENT;
        if (ref->file && *ref->file)
                p = ref->file;
        else if (ref->credential && *ref->credential) {
                const char *dir;

                if (!credential_name_is_valid(ref->credential))
                        return -EINVAL;
                dir = getenv("CREDENTIALS_DIRECTORY");
                if (!dir || !*dir)
                        return -ENXIO;
                path = strdup_printf("%s/%s", dir, ref->credential);
                if (!path)
                        return -ENOMEM;
                p = path;
        } else
                return -ENOENT;

        r = read_regular_file(p, SECRET_FILE_MAX, &buf, &size);
        if (r < 0)
                return r;
        if (memchr(buf, 0, size)) {
                explicit_bzero(buf, size);
                free(buf);
                return -EBADMSG;
        }
        if (size > 0 && buf[size - 1] == '\n')
                buf[--size] = 0;
        /* From now on no log line, stored text or printed message shows it (scrub.h). */
        r = scrub_register(buf);
        if (r < 0) {
                explicit_bzero(buf, size);
                free(buf);
                return r;
        }
        *ret = buf;
        return 0;
}
