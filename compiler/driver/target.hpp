// Which runtime library an executable for a target links, and what is missing when there is
// none: the driver's lookup by target triple (see docs/deploy.md).
#pragma once
#include <string>

namespace weir::driver {

struct RuntimeLookup {
  std::string lib;      // the runtime library (libweir_rt.a) when found
  std::string code;     // otherwise an error code (E0904: host runtime, E0905: target) ...
  std::string message;  // ... and the cause and remedy
};

// `target` is the --target triple (empty: this machine); staticLink: --static; noTls: --no-tls
// (libweir_rt_notls.a, beside libweir_rt.a; no OpenSSL needed).
RuntimeLookup findRuntime(const std::string& target, bool staticLink, bool noTls = false);

// The runtime folder's name for a triple: aarch64-linux-gnu for aarch64-unknown-linux-gnu,
// arm64-linux-gnu, ...; empty for a triple weir cannot link for.
std::string targetName(const std::string& triple);

}  // namespace weir::driver
