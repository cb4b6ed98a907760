#include "diag/codes.hpp"

namespace weir {

namespace {
const CodeInfo kCodes[] = {
  {"E0100", "cannot find a value",
   "A name is used that is not defined in this scope: not a local variable, not a\n"
   "top-level definition of this module, and not imported.\n\n"
   "    total = sum xs + countt xs     -- `countt` is a typo\n\n"
   "Fix the spelling, define the value, or import the module that exports it."},
  {"E0101", "reserved", "Reserved."},
  {"E0102", "cannot find a constructor",
   "A constructor (an upper-case name in an expression or pattern) is not defined or imported.\n\n"
   "    case m of Jsut x -> x      -- `Jsut` should be `Just`\n"},
  {"E0103", "a variable is bound twice in one pattern",
   "Each variable may appear only once in a pattern. To require two parts to be equal, bind\n"
   "them to different names and compare them in a guard:\n\n"
   "    same (x, y) | x == y = True\n"},
  {"E0104", "cannot find a type",
   "A type name in a signature or declaration is not defined or imported.\n\n"
   "    f :: Strng -> Int    -- `Strng` should be `String`\n"},
  {"E0105", "cannot find a type class",
   "A class name in a context or instance is not defined or imported.\n"},
  {"E0106", "cannot find a module",
   "An imported module was not found. Module `A.B` lives in `A/B.weir`, next to the program\n"
   "or in the standard library.\n"},
  {"E0107", "import cycle",
   "Modules import each other in a cycle. Weir compiles modules in order, so the graph of\n"
   "imports must have no cycles. Move what both modules need into a third module.\n"},
  {"E0108", "ambiguous name",
   "A name is imported from two modules that define different things with it. Qualify the\n"
   "name (`Map.lookup`), or import one module qualified or with a `hiding` list.\n"},
  {"E0109", "defined more than once",
   "A name is defined twice in the same scope, or the clauses of one function are\n"
   "separated by other declarations. Keep all clauses of a function together.\n"},
  {"E0110", "bad export",
   "An export list names something that is not defined in the module and not imported.\n"},
  {"E0111", "import of a name that is not exported",
   "An import list names something the imported module does not export.\n"},
  {"E0112", "module name does not match its file",
   "Module `A.B` must be declared as `module A.B where` in the file `A/B.weir`.\n"},
  {"E0113", "negation after a high-precedence operator",
   "Unary minus has the precedence of binary minus (6). `x * -y` is not allowed; write `x * (-y)`.\n"},
  {"E0114", "operators of the same precedence cannot be mixed",
   "Two operators of the same precedence but different associativity (or non-associative\n"
   "ones) are next to each other, so the grouping is unclear:\n\n"
   "    a == b == c      -- `==` is infix 4, non-associative\n\n"
   "Add parentheses to say which comes first.\n"},
  {"E0115", "type signature without a definition",
   "A type signature names a value that is not defined in the same group of bindings.\n"},
  {"E0116", "declaration not allowed here",
   "Only value definitions, type signatures and fixity declarations may appear in `let` and\n"
   "`where` blocks; instance bodies contain only method definitions.\n"},
  {"E0117", "fixity declaration for an unknown operator",
   "A fixity declaration (`infixl 6 |+|`) must be in the module that defines the operator.\n"},
  {"E0119", "cannot derive this class",
   "`deriving` supports Eq, Ord and Show so far. Write other instances by hand.\n"},
  {"E0120", "cannot derive Enum or Bounded for this type",
   "`deriving (Enum)` needs an enumeration: a type whose constructors all have no fields.\n"
   "`deriving (Bounded)` needs an enumeration or a type with a single constructor.\n\n"
   "    data Shape = Circle Float | Square deriving (Enum)   -- `Circle` has a field\n\n"
   "Fix: derive only for an enumeration, or write the instance by hand:\n\n"
   "    data Shape = Circle | Square deriving (Enum)\n"},
  {"E0118", "not a method of the class",
   "An instance or class body defines a name that the class does not declare as a method.\n"},
};
}  // namespace

std::span<const CodeInfo> namesCodes() { return kCodes; }

}  // namespace weir
