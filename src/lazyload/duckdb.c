/* DuckDB, for the duckdb adapter. Loaded on first use: see lazylib.h. */
#include "lazyload/lazylib.h"

#include <duckdb.h>

/* every function sluice calls: F(return type, name, (parameters), (arguments)), V(...) for void */
#define DUCKDB_FUNCTIONS(F, V, N) \
	F(idx_t, duckdb_array_type_array_size, (duckdb_logical_type a0), (a0)) \
	F(duckdb_logical_type, duckdb_array_type_child_type, (duckdb_logical_type a0), (a0)) \
	F(duckdb_vector, duckdb_array_vector_get_child, (duckdb_vector a0), (a0)) \
	F(duckdb_state, duckdb_bind_varchar, \
		(duckdb_prepared_statement a0, idx_t a1, const char *a2), \
		(a0, a1, a2)) \
	V(duckdb_close, (duckdb_database *a0), (a0)) \
	F(idx_t, duckdb_column_count, (duckdb_result *a0), (a0)) \
	F(duckdb_logical_type, duckdb_column_logical_type, \
		(duckdb_result *a0, idx_t a1), \
		(a0, a1)) \
	F(const char *, duckdb_column_name, (duckdb_result *a0, idx_t a1), (a0, a1)) \
	F(duckdb_state, duckdb_connect, (duckdb_database a0, duckdb_connection *a1), (a0, a1)) \
	F(duckdb_state, duckdb_create_config, (duckdb_config *a0), (a0)) \
	F(idx_t, duckdb_data_chunk_get_size, (duckdb_data_chunk a0), (a0)) \
	F(duckdb_vector, duckdb_data_chunk_get_vector, (duckdb_data_chunk a0, idx_t a1), (a0, a1)) \
	F(duckdb_type, duckdb_decimal_internal_type, (duckdb_logical_type a0), (a0)) \
	F(uint8_t, duckdb_decimal_scale, (duckdb_logical_type a0), (a0)) \
	F(uint8_t, duckdb_decimal_width, (duckdb_logical_type a0), (a0)) \
	V(duckdb_destroy_config, (duckdb_config *a0), (a0)) \
	V(duckdb_destroy_data_chunk, (duckdb_data_chunk *a0), (a0)) \
	V(duckdb_destroy_extracted, (duckdb_extracted_statements *a0), (a0)) \
	V(duckdb_destroy_logical_type, (duckdb_logical_type *a0), (a0)) \
	V(duckdb_destroy_pending, (duckdb_pending_result *a0), (a0)) \
	V(duckdb_destroy_prepare, (duckdb_prepared_statement *a0), (a0)) \
	V(duckdb_destroy_result, (duckdb_result *a0), (a0)) \
	V(duckdb_disconnect, (duckdb_connection *a0), (a0)) \
	F(uint32_t, duckdb_enum_dictionary_size, (duckdb_logical_type a0), (a0)) \
	F(char *, duckdb_enum_dictionary_value, (duckdb_logical_type a0, idx_t a1), (a0, a1)) \
	F(duckdb_type, duckdb_enum_internal_type, (duckdb_logical_type a0), (a0)) \
	F(duckdb_state, duckdb_execute_pending, \
		(duckdb_pending_result a0, duckdb_result *a1), \
		(a0, a1)) \
	F(duckdb_state, duckdb_execute_prepared, \
		(duckdb_prepared_statement a0, duckdb_result *a1), \
		(a0, a1)) \
	F(idx_t, duckdb_extract_statements, \
		(duckdb_connection a0, const char *a1, duckdb_extracted_statements *a2), \
		(a0, a1, a2)) \
	F(const char *, duckdb_extract_statements_error, (duckdb_extracted_statements a0), (a0)) \
	F(duckdb_data_chunk, duckdb_fetch_chunk, (duckdb_result a0), (a0)) \
	V(duckdb_free, (void *a0), (a0)) \
	F(duckdb_date_struct, duckdb_from_date, (duckdb_date a0), (a0)) \
	F(duckdb_time_tz_struct, duckdb_from_time_tz, (duckdb_time_tz a0), (a0)) \
	F(duckdb_type, duckdb_get_type_id, (duckdb_logical_type a0), (a0)) \
	V(duckdb_interrupt, (duckdb_connection a0), (a0)) \
	F(duckdb_logical_type, duckdb_list_type_child_type, (duckdb_logical_type a0), (a0)) \
	F(duckdb_vector, duckdb_list_vector_get_child, (duckdb_vector a0), (a0)) \
	F(char *, duckdb_logical_type_get_alias, (duckdb_logical_type a0), (a0)) \
	F(duckdb_logical_type, duckdb_map_type_key_type, (duckdb_logical_type a0), (a0)) \
	F(duckdb_logical_type, duckdb_map_type_value_type, (duckdb_logical_type a0), (a0)) \
	F(duckdb_state, duckdb_open_ext, \
		(const char *a0, duckdb_database *a1, duckdb_config a2, char **a3), \
		(a0, a1, a2, a3)) \
	F(const char *, duckdb_pending_error, (duckdb_pending_result a0), (a0)) \
	F(duckdb_state, duckdb_pending_prepared, \
		(duckdb_prepared_statement a0, duckdb_pending_result *a1), \
		(a0, a1)) \
	F(duckdb_state, duckdb_prepare, \
		(duckdb_connection a0, const char *a1, duckdb_prepared_statement *a2), \
		(a0, a1, a2)) \
	F(const char *, duckdb_prepare_error, (duckdb_prepared_statement a0), (a0)) \
	F(duckdb_state, duckdb_prepare_extracted_statement, \
		(duckdb_connection a0, duckdb_extracted_statements a1, idx_t a2, duckdb_prepared_statement *a3), \
		(a0, a1, a2, a3)) \
	F(idx_t, duckdb_prepared_statement_column_count, (duckdb_prepared_statement a0), (a0)) \
	F(duckdb_logical_type, duckdb_prepared_statement_column_logical_type, \
		(duckdb_prepared_statement a0, idx_t a1), \
		(a0, a1)) \
	F(const char *, duckdb_prepared_statement_column_name, \
		(duckdb_prepared_statement a0, idx_t a1), \
		(a0, a1)) \
	F(duckdb_type, duckdb_prepared_statement_column_type, \
		(duckdb_prepared_statement a0, idx_t a1), \
		(a0, a1)) \
	F(duckdb_statement_type, duckdb_prepared_statement_type, \
		(duckdb_prepared_statement a0), \
		(a0)) \
	F(duckdb_state, duckdb_query, \
		(duckdb_connection a0, const char *a1, duckdb_result *a2), \
		(a0, a1, a2)) \
	F(const char *, duckdb_result_error, (duckdb_result *a0), (a0)) \
	F(duckdb_state, duckdb_set_config, \
		(duckdb_config a0, const char *a1, const char *a2), \
		(a0, a1, a2)) \
	F(const char *, duckdb_string_t_data, (duckdb_string_t *a0), (a0)) \
	F(uint32_t, duckdb_string_t_length, (duckdb_string_t a0), (a0)) \
	F(idx_t, duckdb_struct_type_child_count, (duckdb_logical_type a0), (a0)) \
	F(char *, duckdb_struct_type_child_name, (duckdb_logical_type a0, idx_t a1), (a0, a1)) \
	F(duckdb_logical_type, duckdb_struct_type_child_type, \
		(duckdb_logical_type a0, idx_t a1), \
		(a0, a1)) \
	F(duckdb_vector, duckdb_struct_vector_get_child, (duckdb_vector a0, idx_t a1), (a0, a1)) \
	F(idx_t, duckdb_union_type_member_count, (duckdb_logical_type a0), (a0)) \
	F(char *, duckdb_union_type_member_name, (duckdb_logical_type a0, idx_t a1), (a0, a1)) \
	F(duckdb_logical_type, duckdb_union_type_member_type, \
		(duckdb_logical_type a0, idx_t a1), \
		(a0, a1)) \
	F(void *, duckdb_vector_get_data, (duckdb_vector a0), (a0)) \
	F(uint64_t *, duckdb_vector_get_validity, (duckdb_vector a0), (a0))

LAZYLIB_DEFINE(DUCKDB_FUNCTIONS, "libduckdb.so", "DuckDB")
