/*
 * Stand-alone driver for `sluice jinja` while the rest of the CLI is being written: links only
 * cmd_jinja.c and the library. Not built by CMake (no test_ prefix); see tests/unit/jinja/tool.sh.
 */
#include <string.h>

int cmd_jinja(int argc, char **argv);

int main(int argc, char **argv)
{
	return cmd_jinja(argc, argv);
}
