#include "diag/codes.hpp"

namespace weir {

namespace {
const CodeInfo kCodes[] = {
  {"E0201", "mismatched types",
   "An expression has a different type from the one its context needs.\n\n"
   "    total :: Int\n    total = 1 + \"2\"     -- `\"2\"` is a String, `+` on Int needs an Int\n\n"
   "The message says what was expected and what was found. Convert the value (`show`,\n"
   "`toFloat`, `round`) or fix the expression."},
  {"E0203", "infinite type",
   "Solving the types would need a type that contains itself, such as `a = [a]`. This\n"
   "usually means a function is applied to itself, or arguments are in the wrong order."},
  {"E0204", "not a function",
   "A value that is not a function is applied to an argument:\n\n    x = 5 3\n"},
  {"E0205", "too many arguments",
   "A function is given more arguments than its type allows."},
  {"E0206", "wrong number of constructor fields in a pattern",
   "A pattern must give every field of a constructor: `Just x`, not `Just`. Use `_` for fields\n"
   "you do not need."},
  {"E0207", "more clause arguments than the signature allows",
   "A function clause has more arguments than its type signature has arrows."},
  {"E0210", "no instance",
   "An overloaded operation is used at a type that has no instance of its class, e.g.\n"
   "`show` on a function or `==` on a type without `deriving (Eq)`."},
  {"E0211", "ambiguous type",
   "A class constraint is needed on a type that nothing in the program fixes, e.g. `show []`\n"
   "(a list of what?). Add a type annotation: `show ([] :: [Int])`."},
  {"E0212", "duplicate instance", "A class has two instances for the same type."},
  {"E0213", "missing constraint in a signature",
   "A function with a type signature uses an overloaded operation on one of its type variables\n"
   "without saying so in the signature:\n\n"
   "    member :: a -> [a] -> Bool      -- needs `Eq a =>`\n"
   "    member x ys = any (== x) ys\n"},
  {"E0220", "record types do not match", "Two record types have different fields."},
  {"E0221", "record has no such field",
   "A field is read that the record does not have. Check the spelling; the hint lists the\n"
   "closest field name."},
  {"E0222", "field access on a value that is not a record",
   "`x.field` works on records only."},
  {"E0230", "type variable not in scope",
   "A type declaration mentions a type variable that is not one of its parameters:\n\n"
   "    data Box = Box a       -- write `data Box a = Box a`\n"},
  {"E0231", "type synonym not fully applied", "A type synonym must be given all its arguments."},
  {"E0232", "too many type arguments", "A type constructor is applied to more arguments than it has parameters."},
  {"E0233", "tuple too large", "Tuples have at most 8 components; use a record for more."},
  {"E0234", "duplicate record field", "A record type, literal or pattern names the same field twice."},
  {"E0235", "constraint without a type variable", "Constraints in signatures are about type variables."},
  {"E0236", "duplicate type parameter", "A type declaration lists the same parameter twice."},
  {"E0237", "bad newtype", "A newtype has exactly one constructor with exactly one field."},
  {"E0238", "bad superclass", "Superclass constraints are on the class variable: `class Eq a => Ord a`."},
  {"E0239", "method does not mention the class variable",
   "Every method's type must mention the class's type variable, otherwise no instance could be chosen."},
  {"E0214", "orphan instance",
   "An instance must be defined in the module of its class or in the module of its type, so that\n"
   "a program can never see two different instances for the same class and type. Built-in types\n"
   "(`Int`, `Float`, `String`, lists, tuples) and the standard classes belong to the Prelude:\n\n"
   "    instance Semigroup Int where a <> b = a + b     -- error: both are the Prelude's\n\n"
   "Wrap the type in a newtype of your own and give that the instance:\n\n"
   "    newtype Total = Total Int\n    instance Semigroup Total where Total a <> Total b = Total (a + b)"},
  {"E0240", "instance for a type variable", "Instances are for type constructors: `instance Show (Maybe a)`."},
  {"E0241", "instance arguments must be distinct variables",
   "Write `instance Show (Maybe a)`, not `instance Show (Maybe Int)`."},
  {"E0242", "constraints on a foreign import", "Foreign imports have plain monomorphic types."},
  {"E0243", "missing method", "An instance does not define a method that has no default."},
  {"E0244", "missing superclass instance",
   "`instance Ord T` needs `instance Eq T` too, because `Eq` is a superclass of `Ord`."},
  {"E0245", "duplicate type signature", "A name has two type signatures."},
  {"E0246", "clauses with different numbers of arguments",
   "All clauses of a function take the same number of arguments."},
  {"E0247", "signature for a pattern-bound variable", "Annotate the right-hand side instead."},
  {"E0248", "invalid foreign import",
   "`foreign import ccall \"symbol\" name :: T` calls the C function `symbol`, which must be a C\n"
   "identifier (letters, digits, `_`, not starting with a digit). The C function receives every\n"
   "argument as an owned `weir_obj*` and returns an owned `weir_obj*` (see runtime/include/weir/rt.h).\n"
   "`foreign import prim` names one of the compiler's primitives and is meant for the standard library."},
  {"E0249", "wrong number of type arguments",
   "A type constructor is used with fewer type arguments than it needs, where a complete type is\n"
   "required, or an instance head does not fit the class:\n\n"
   "    count :: Maybe -> Int          -- `Maybe` of what? write `Maybe a` or `Maybe Int`\n"
   "    instance Functor Int where     -- Functor is for type constructors like `Maybe`\n\n"
   "A class such as `Functor` or `Monad` is for a type constructor that still takes one type\n"
   "argument (kind `Type -> Type`): `instance Functor Tree`. `Show`, `Eq` and `Ord` are for\n"
   "complete types: `instance Show (Tree a)`."},
  {"E0250", "typed hole",
   "`?name` marks a place still to be written; the compiler reports the type it must have and stops."},
  {"E0251", "value defined in terms of itself",
   "Weir is strict: a value (not a function) is computed once, before it is used, so it cannot\n"
   "need its own value, directly or through other values:\n\n"
   "    ones = 1 : ones                      -- wrong: `ones` is needed to compute `ones`\n\n"
   "Write a function instead, e.g. `replicate n 1`. A reference inside a lambda is fine: the\n"
   "lambda runs later, so values may refer to each other that way (parser combinators):\n\n"
   "    expr = orElse term expr              -- wrong: `expr` is an argument, needed now\n"
   "    expr = orElse term (Parser (\\s -> runParser expr s))   -- right\n\n"
   "Such values are initialised in the order of their other references. The note names the\n"
   "cycle of values that need each other."},
  {"E0252", "do block ends with a binding", "The last statement of a `do` block is an expression: its result."},
  {"E0253", "infinite range", "`[a ..]` would be infinite; give an upper bound."},
  {"E0254", "Float literal pattern", "Floats cannot be matched exactly; compare in a guard."},
  {"E0260", "main has the wrong type", "`main` must have type `IO ()`."},
  {"E0261", "no main in module Main",
   "The module `Main` is a program, so it must define `main :: IO ()`. A library module gets\n"
   "another name: `module Fleet.Alerts where`."},
  {"E0270", "non-exhaustive patterns",
   "A function, `case` or lambda does not handle every possible value; the message lists\n"
   "examples of values it misses:\n\n"
   "    describe :: Maybe Int -> String\n    describe (Just n) = show n       -- missing `Nothing`\n\n"
   "Add the missing clauses, or a final catch-all clause with `_`. Clauses with guards count\n"
   "only when their last guard is `otherwise`."},
  {"E0271", "unreachable clause (warning)",
   "Every value this clause matches is already matched by an earlier clause, so it never runs."},
  {"E0272", "guards may all fail",
   "A definition without arguments has guards none of which is sure to hold. End with\n"
   "`| otherwise = ...`."},
  {"E0273", "this pattern can fail",
   "A pattern binding (`let`, `where`, top level) and a `<-` in a `do` block must match every\n"
   "value: Weir has no lazy pattern bindings and no `MonadFail`, so a value the pattern does not\n"
   "match could only stop the program at run time:\n\n"
   "    let Just x = lookup k table        -- what if the key is missing?\n\n"
   "Use `case` and handle the other values:\n\n"
   "    case lookup k table of\n      Just x -> ...\n      Nothing -> ...\n\n"
   "Variables, `_`, tuples, records and constructors of single-constructor types always match."},
  // ---- binary syntax `<<...>>` (types/binary.cpp)
  {"E0280", "invalid binary segment options",
   "A segment of `<<value:size/type-sign-endian>>` combines options that do not fit its type:\n\n"
   "    <<x:8/bytes-signed>>       -- signedness is for integer segments\n"
   "    <<t:32/float-signed>>      -- floats are always signed\n"
   "    <<\"OK\":16>>               -- a string literal stands for its UTF-8 bytes: no size\n\n"
   "Integer segments take `signed`/`unsigned` and `big`/`little`; float segments `big`/`little`;\n"
   "bytes segments neither."},
  {"E0281", "float segment size",
   "A float segment has 32 bits (IEEE single precision) or 64 bits (double, the default):\n\n"
   "    <<t:32/float>>    <<t/float>>  -- 64 bits\n"},
  {"E0282", "unsized bytes segment that is not the last",
   "In a binary pattern, a bytes segment without a size takes all the remaining bytes, so it\n"
   "must be the last segment. Give the earlier ones a size in bytes, possibly from a variable\n"
   "bound by an earlier segment:\n\n"
   "    parse <<n:8, body:n/bytes, rest/bytes>> = ...\n"},
  {"E0283", "wrong value type for a binary segment",
   "Integer segments hold an `Int`, float segments a `Float`, bytes segments `Bytes`:\n\n"
   "    <<name:8>>          -- name :: String: not an Int\n\n"
   "Only string literals stand for their UTF-8 bytes (`<<\"OK\">>`); convert a String value with\n"
   "`Data.Bytes.fromString s` and write it as a bytes segment: `<<(B.fromString s)/bytes>>`."},
  {"E0284", "integer segment size",
   "An integer segment has 0 to 64 bits (default 8); a little-endian one a whole number of\n"
   "bytes (8, 16, 24, ... 64). Sizes computed at run time are checked when the code runs."},
  {"E0285", "binary is not a whole number of bytes",
   "`Bytes` hold whole bytes, so the sizes of the segments must add up to a multiple of 8 bits:\n\n"
   "    <<a:4, b:4>>     -- 8 bits: fine\n    <<a:4, b:8>>     -- 12 bits: error\n"},
  {"E0286", "segment size uses a variable that is not bound yet",
   "In a binary pattern, a segment's size may use variables bound by earlier segments (or\n"
   "outside the pattern), not by itself or by later segments:\n\n"
   "    parse <<n:8, body:n/bytes, rest/bytes>> = ...    -- fine: n comes first\n"
   "    parse <<n:n>> = ...                               -- error\n"},
  {"E0299", "not supported yet", "The construct parses but the compiler does not handle it yet."},
};
}  // namespace

std::span<const CodeInfo> typesCodes() { return kCodes; }

}  // namespace weir
