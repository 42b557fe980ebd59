/*
 * One fuzz target a file: each defines LLVMFuzzerTestOneInput. Built with libFuzzer by `make fuzz`
 * (clang, -fsanitize=fuzzer); built with standalone.c by the ordinary build, which runs every
 * input of the committed corpus (tests/fuzz/corpus/<target>/) once as a regression test.
 * A target must not leak, keep state between inputs, or print.
 */
#ifndef SLUICE_TESTS_FUZZ_H
#define SLUICE_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
