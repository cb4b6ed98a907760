/* A static executable (weir build --static) is linked with --wrap=__cxa_demangle
 * (compiler/codegen/link.cpp), so its calls to the C++ demangler come here. The only caller in
 * a Weir program is libstdc++'s default terminate handler, which prints the type of an
 * exception that nothing caught: with this answer ("not a valid name") it prints the mangled
 * name (`St12length_error` for `std::length_error`) and the what() text as before, and the
 * 44 KB demangler stays out of the executable (docs/performance.md, "Executable sizes").
 * Dynamic executables are linked without --wrap and keep libstdc++'s demangler. */
#include <stddef.h>

char* __wrap___cxa_demangle(const char* mangled, char* buf, size_t* len, int* status);

char* __wrap___cxa_demangle(const char* mangled, char* buf, size_t* len, int* status) {
  (void)mangled;
  (void)buf;
  (void)len;
  if (status) *status = -2;   /* the Itanium ABI's "mangled_name is not a valid name" */
  return NULL;
}
