/*
 * Semantic models, metrics and saved queries (semantic.c): read from properties files, given
 * their config, and linked to their parents once every file is read.
 */
#ifndef SLUICE_PROJECT_SEMANTIC_H
#define SLUICE_PROJECT_SEMANTIC_H

#include "project/load_internal.h"

/* Reads the semantic_models:, metrics: and saved_queries: of one properties file */
int proj_load_semantic(struct project *p, struct nodes_builder *nb, value doc, const struct package *pkg,
		       const char *yml_path, uint32_t file, struct diag_list *dl);
/* Its config: dbt_project.yml's metrics: / semantic-models: / saved-queries:, then its own */
void proj_semantic_config(struct project *p, struct node *n, struct arena *keep);
/* Duplicate names, a metric's measures and metrics, a saved query's metrics: parents and errors */
int proj_resolve_semantic(struct project *p, struct diag_list *dl);

#endif
