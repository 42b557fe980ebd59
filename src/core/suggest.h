/*
 * "Did you mean ...?" for names a user mistyped: a capped edit distance and the closest of a set of
 * candidates. Runs only on error paths, so it favours simplicity over speed. No allocation.
 *
 * Module direction: core -> nothing. The bottom layer: every other module may use it.
 */
#ifndef SLUICE_CORE_SUGGEST_H
#define SLUICE_CORE_SUGGEST_H

#include <stddef.h>

/* Levenshtein distance between a and b; names longer than 128 bytes count as far apart (1000) */
size_t suggest_distance(const char *a, const char *b);

/* The largest distance at which a candidate for `name` is still a plausible typo */
size_t suggest_max_distance(const char *name);

/*
 * The candidate closest to `name` within suggest_max_distance(name), or NULL. NULL entries of
 * `cands` are skipped; ties go to the earlier candidate.
 */
const char *suggest_closest(const char *name, const char *const *cands, size_t n);

#endif
