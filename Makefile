# Thin wrapper over scripts/setup, CMake and CTest. See README.md.
BUILD ?= build
JOBS  ?= $(shell nproc)
PREFIX ?= /usr/local

.PHONY: all setup configure build test demo bench install package clean

all: build

setup:
	@scripts/setup

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

configure: setup $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

demo: build
	@scripts/demo $(BUILD)

# Lays out PREFIX/bin/weir, PREFIX/lib/weir and PREFIX/share/weir (see cmake/install.cmake).
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

# A Debian package: $(BUILD)/weir_VERSION_ARCH.deb.
package: build
	cd $(BUILD) && cpack -G DEB

bench: build
	@bench/run $(BUILD)

clean:
	rm -rf $(BUILD)
