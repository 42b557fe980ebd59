/*
 * sluice deps, inside: packages.yml entries (specs), their resolution into pinned packages (dbt's
 * rules: hub versions by range across every package, one git revision per repository), and the
 * fetching of hub indexes, tarballs and git checkouts. Everything a run allocates lives in the
 * project's arena; the fetchers write only under the staging folder they are given.
 */
#ifndef SLUICE_PROJECT_DEPS_INTERNAL_H
#define SLUICE_PROJECT_DEPS_INTERNAL_H

#include <stdbool.h>

#include "core/diag.h"
#include "project/project.h"
#include "project/semver.h"
#include "value/value.h"

struct sb;

enum dep_kind { DEP_LOCAL, DEP_HUB, DEP_GIT, DEP_TARBALL };

/* One entry of a packages.yml, dependencies.yml or package-lock.yml, rendered */
struct dep_spec {
	enum dep_kind kind;
	value entry;        /* rendered */
	value raw;          /* as written */
	struct loc loc;     /* of the entry's main key, for errors */
	const char *from;   /* folder that local paths are relative to */
};

/* A package as resolution merges it (all the specs that name it), then pins it */
struct dep {
	enum dep_kind kind;
	const char *key, *alt_key;  /* name in the listing (git: the URL also with/without .git) */
	struct loc loc;
	value raw_entry;            /* the first spec as written */
	/* hub */
	const char *package;
	struct semver *versions;
	const char **version_strs;
	size_t nversions, capversions;
	bool prerelease;
	/* git */
	const char *git, *git_raw, *subdir;
	const char **revisions;
	size_t nrevisions, caprevisions;
	bool warn_unpinned;
	/* local */
	const char *local, *local_abs;
	/* tarball */
	const char *tarball, *tarball_name;
	/* pinned */
	const char *version, *latest;   /* hub */
	const char *revision;           /* git: as asked, then the commit */
	const char *checkout;           /* git: the clone's folder (with the subdirectory); tarball: unpacked */
	const char *checkout_rev;       /* the revision that clone was made for */
	const char *tarball_url;        /* hub */
	const char *project_name;
	bool have_meta;
	struct dep_spec *children;
	size_t nchildren;
};

struct deps_clone {
	const char *key, *commit, *path;
};

struct deps_run {
	struct project *p;
	struct diag_list *dl;
	const char *hub_url;       /* ends with '/' */
	const char *downloads;     /* scratch folder for tarballs and clones */
	bool version_check;
	value index;               /* hub index (list of names), V_UNDEF until fetched */
	struct map *hub_cache;     /* package name -> value of its versions (dict) */
	struct deps_clone *clones; /* git clones made this run */
	size_t nclones, capclones;
};

/* --- specs (deps.c) --- */
/* The package list of ROOT's packages.yml or dependencies.yml (rendered, with the raw entries);
 * *pn = 0 and *pfile = 0 when there is neither; *ppath the file's path */
int deps_read_specs(struct deps_run *r, const char *root, struct dep_spec **pspecs, size_t *pn, uint32_t *pfile,
		    const char **ppath) __attribute__((warn_unused_result));
int deps_specs_from_list(struct deps_run *r, value list, value raw_list, uint32_t file, const char *from,
			 struct dep_spec **pspecs, size_t *pn) __attribute__((warn_unused_result));

/* --- resolution (deps_resolve.c) --- */
/* Resolves the root specs and, round by round, the packages they need; *pdeps in dbt's order */
int deps_resolve(struct deps_run *r, struct dep_spec *specs, size_t n, bool transitive, struct dep ***pdeps,
		 size_t *pn) __attribute__((warn_unused_result));
/* Installs a pinned package as STAGE/<project name> */
int deps_install_one(struct deps_run *r, struct dep *d, const char *stage) __attribute__((warn_unused_result));
/* "version 1.1.1", "revision <sha>", "<local @ ../x>" */
const char *deps_nice_version(struct deps_run *r, const struct dep *d);

/* --- fetching (deps_fetch.c) --- */
/* GET URL into *pbody (arena, NUL-terminated); on failure a message in *perr */
int deps_http_get(struct arena *a, const char *url, char **pbody, size_t *plen, char **perr);
/* GET URL into the file PATH */
int deps_http_download(struct arena *a, const char *url, const char *path, char **perr);
/* Unpacks the .tar.gz ARCHIVE into the new folder DEST: the archive's single top folder (as
 * GitHub's tarballs have) becomes DEST itself */
int deps_untar(struct arena *a, const char *archive, const char *dest, char **perr);
/* Runs git with ARGV (NULL-terminated, without "git") in CWD; stdout in *pout, stderr in *perr */
int deps_git(struct arena *a, const char *cwd, const char *const *argv, char **pout, char **perr);

#endif
