/*
 * The vars a package declares in its own dbt_project.yml. dbt looks a var up in --vars, then in the
 * root project's vars (scoped to the package, then global), and last in the vars of the package
 * whose node or macro is being rendered, so a package ships defaults its users can override.
 */
#include <string.h>

#include "dbt/internal.h"

value dbt_package_var(struct project *p, const char *pkg, const char *name)
{
	for (size_t i = 0; pkg && i < p->npackages; i++) {
		const struct package *pk = &p->packages[i];
		if (pk->is_root || strcmp(pk->name, pkg) || pk->project_yml.type != V_DICT)
			continue;
		value vars = val_dict_gets(pk->project_yml, "vars");
		if (vars.type != V_DICT)
			return val_undef();
		/* scoped (vars: {pkg: {x: 1}}) first, then flat */
		value scoped = val_dict_gets(vars, pkg);
		if (scoped.type == V_DICT) {
			value v = val_dict_gets(scoped, name);
			if (v.type != V_UNDEF)
				return v;
		}
		return val_dict_gets(vars, name);
	}
	return val_undef();
}
