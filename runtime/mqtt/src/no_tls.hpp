// A client without TLS (`weir build --no-tls`, docs/deploy.md): client.cpp compiled with
// WEIR_NO_TLS includes this instead of Asio's OpenSSL layer, so the program links no OpenSSL
// (3.4 MB of a static rule binary). These stand-ins only let client.cpp compile: options_problem
// refuses TLS options first (the program says so at start-up), and should a context be made
// anyway, its constructor throws. Nothing here runs.
#pragma once
#include <asio.hpp>
#include <stdexcept>
#include <string>

namespace weir::mqtt {
inline constexpr const char* kNoTlsProblem =
    "TLS (mqtts://, --tls-ca, --tls-cert, --tls-key) is not in this program: it was built with "
    "`weir build --no-tls`; build it without --no-tls to connect with TLS";
}  // namespace weir::mqtt

namespace asio {
namespace error {
inline const asio::error_category& get_ssl_category() {
  struct NoTls : asio::error_category {
    const char* name() const noexcept override { return "tls (not built in)"; }
    std::string message(int) const override { return "TLS is not built in"; }
  };
  static const NoTls category;
  return category;
}
}  // namespace error
namespace ssl {
enum verify_mode { verify_none = 0, verify_peer = 1 };
struct verify_context {
  void* native_handle() { return nullptr; }
};
struct host_name_verification {
  explicit host_name_verification(const std::string&) {}
  bool operator()(bool, verify_context&) const { return false; }
};
struct stream_base {
  enum handshake_type { client };
};
class context {
 public:
  enum method { tls_client };
  enum file_format { pem };
  static constexpr long default_workarounds = 0, no_sslv2 = 0, no_sslv3 = 0, no_tlsv1 = 0, no_tlsv1_1 = 0;
  explicit context(method) { throw std::runtime_error(weir::mqtt::kNoTlsProblem); }
  void set_options(long) {}
  void set_verify_mode(int, asio::error_code& = ignored) {}
  void load_verify_file(const std::string&, asio::error_code&) {}
  void set_default_verify_paths(asio::error_code&) {}
  void use_certificate_chain_file(const std::string&, asio::error_code&) {}
  void use_private_key_file(const std::string&, file_format, asio::error_code&) {}

 private:
  static inline asio::error_code ignored;
};
// A plain socket under the TLS stream's name: never constructed (no context can be).
template <class Next>
class stream : public Next {
 public:
  stream(asio::io_context& io, context&) : Next(io) {}
  Next& next_layer() { return *this; }
  void* native_handle() { return nullptr; }
  template <class F>
  void set_verify_callback(F&&) {}
  template <class H>
  void async_handshake(stream_base::handshake_type, H&&) {}
};
}  // namespace ssl
}  // namespace asio

// The OpenSSL calls client.cpp makes on a live TLS connection.
using X509_STORE_CTX = void;
inline int SSL_set_tlsext_host_name(void*, const char*) { return 0; }
inline int X509_STORE_CTX_get_error_depth(X509_STORE_CTX*) { return 0; }
inline int X509_STORE_CTX_get_error(X509_STORE_CTX*) { return 0; }
inline const char* X509_verify_cert_error_string(long) { return ""; }
