/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Replays a fuzz corpus under gcc: every file in the directories (or files) given on the command
 * line is passed once to LLVMFuzzerTestOneInput. A crash, sanitizer report or leak fails the test. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "labourwatch/macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int main(int argc, char **argv);

static int run_file(const char *path)
{
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        int r = read_full_file(path, 64u << 20, &buf, &size);

        if (r < 0) {
                fprintf(stderr, "%s: %s\n", path, strerror(-r));
                return 1;
        }
        (void) LLVMFuzzerTestOneInput((const uint8_t *) buf, size);
        return 0;
}

int main(int argc, char **argv)
{
        unsigned n = 0;
        int failed = 0;

        for (int i = 1; i < argc; i++) {
                struct stat st;
                if (stat(argv[i], &st) < 0) {
                        fprintf(stderr, "%s: %m\n", argv[i]);
                        return 1;
                }
                if (!S_ISDIR(st.st_mode)) {
                        failed |= run_file(argv[i]);
                        n++;
                        continue;
                }
                struct dirent **list = NULL;
                int k = scandir(argv[i], &list, NULL, alphasort);
                if (k < 0) {
                        fprintf(stderr, "%s: %m\n", argv[i]);
                        return 1;
                }
                for (int j = 0; j < k; j++) {
                        if (list[j]->d_name[0] != '.') {
                                _cleanup_free_ char *p = strdup_printf("%s/%s", argv[i], list[j]->d_name);
                                if (!p)
                                        return 1;
                                failed |= run_file(p);
                                n++;
                        }
                        free(list[j]);
                }
                free(list);
        }
        if (n == 0) {
                fprintf(stderr, "no corpus files found\n");
                return 1;
        }
        printf("replayed %u inputs\n", n);
        return failed;
}
