# Thin driver over CMake/CTest. `make demo` and `make test` work on a fresh machine: both run
# scripts/bootstrap.sh first, which installs whatever is missing.
PREFIX ?= /usr/local
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
SANITIZE ?= 0
CMAKE_FLAGS ?=

ifeq ($(SANITIZE),1)
BUILD := build-asan
CMAKE_FLAGS += -DSLUICE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
endif

.PHONY: all build bootstrap test test-sanitize demo install bench clean

all: build

bootstrap:
	@scripts/bootstrap.sh

$(BUILD)/CMakeCache.txt: | bootstrap
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS)

build: bootstrap $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The same suite under AddressSanitizer and UndefinedBehaviorSanitizer
test-sanitize:
	$(MAKE) test SANITIZE=1

# Builds only the sluice binary, quietly (the log is kept in $(BUILD)/demo-build.log), then runs
# the example project
demo: bootstrap
	@scripts/demo.sh $(BUILD) $(JOBS) $(CMAKE_FLAGS)

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

bench: build
	@scripts/bench.sh $(BUILD)

clean:
	rm -rf build build-asan
