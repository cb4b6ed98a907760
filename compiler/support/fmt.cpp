// fmt's compiled part, built into `weir` instead of linking Debian's libfmt.so: that library
// needs the shared libstdc++, and `weir` links libstdc++ statically (compiler/CMakeLists.txt,
// "The start"); two C++ runtimes in one process would each have their own exceptions and
// locales. format-inl.h holds the definitions; the two templates below are the ones fmt
// declares `extern` and instantiates only in its library.
#include <fmt/format-inl.h>

FMT_BEGIN_NAMESPACE
namespace detail {
template auto decimal_point_impl(locale_ref) -> char;
template auto thousands_sep_impl(locale_ref) -> thousands_sep_result<char>;
}  // namespace detail
FMT_END_NAMESPACE
