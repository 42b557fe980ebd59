/*
 * Checking YAML documents loaded with val_from_yaml(): typed getters that report a wrong type with
 * the location of the offending value ("expected a list of strings for 'tags', got int").
 * Every getter returns the default when the key is absent.
 *
 * Module direction: project -> jinja, value, core. The dbt context (dbt/) is above it: the loader
 * renders through struct proj_hooks (project.h), which the caller of proj_load() passes in.
 */
#ifndef SLUICE_PROJECT_YML_H
#define SLUICE_PROJECT_YML_H

#include <stdbool.h>

#include "core/diag.h"
#include "value/value.h"

/* Location of a key's value (or of the key itself) in a YAML dict; the dict's own location when absent */
struct loc yml_val_loc(value dict, const char *key);
struct loc yml_key_loc(value dict, const char *key);
struct loc yml_item_loc(value list, size_t i);

/* Each returns 0, or -1 after adding an error for a wrong type */
int yml_str(value dict, const char *key, const char *dflt, const char **pout, struct diag_list *dl);
int yml_bool(value dict, const char *key, bool dflt, bool *pout, struct diag_list *dl);
int yml_int(value dict, const char *key, long dflt, long *pout, struct diag_list *dl);
/* a dict, or V_NONE when absent */
int yml_dict(value dict, const char *key, value *pout, struct diag_list *dl);
/* a list, or V_NONE when absent; with strings_only every item must be a string */
int yml_list(value dict, const char *key, bool strings_only, value *pout, struct diag_list *dl);
/* a string or a list of strings (dbt accepts both for tags, paths) -> always a list */
int yml_str_or_list(struct arena *a, value dict, const char *key, value *pout, struct diag_list *dl);

#endif
