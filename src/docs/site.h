/*
 * The documentation site: one page (site/index.html, installed with the binary) that reads
 * manifest.json and catalog.json beside it, or, written with --static, one file with both inlined.
 *
 * Module direction: docs -> core.
 */
#ifndef SLUICE_DOCS_SITE_H
#define SLUICE_DOCS_SITE_H

#include <stdbool.h>

#include "core/diag.h"

/* Writes target_path/index.html, and target_path/static_index.html when `static_site`, from the
 * manifest.json and catalog.json already written there. 0, or -1 after a diagnostic. */
int docs_write_site(const char *target_path, bool static_site, struct diag_list *dl);

#endif
