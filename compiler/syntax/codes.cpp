// The syntax stage's error codes (E0001-E0099) with explanations for `weir explain`.
#include "diag/codes.hpp"

namespace weir {

namespace {

const CodeInfo kSyntaxCodes[] = {
    {"E0001", "invalid character",
     "The source contains a character that cannot start any token, outside of strings,\n"
     "characters and comments.\n\n"
     "    total = price × 2        -- `×` is not an operator\n\n"
     "Fix: use ASCII operators and names (`price * 2`). Curly quotes copied from a word\n"
     "processor are a common cause: write \"text\" with plain double quotes."},
    {"E0002", "unterminated string literal",
     "A string (or bytes) literal has no closing `\"` before the end of the line.\n\n"
     "    greeting = \"hello\n\n"
     "Fix: close the string on the same line: `greeting = \"hello\"`. Strings cannot span\n"
     "lines; write `\\n` for a line break or concatenate with `++`."},
    {"E0003", "unterminated block comment",
     "A `{-` block comment is never closed. Block comments nest, so every `{-` needs its\n"
     "own `-}`.\n\n"
     "    {- outer {- inner -}\n    main = pure ()\n\n"
     "Fix: add the missing `-}`:  `{- outer {- inner -} -}`."},
    {"E0004", "invalid escape sequence",
     "A backslash in a string or character literal starts an escape, and this one is\n"
     "not known or is malformed.\n\n"
     "    path = \"C:\\weir\"          -- `\\w` is not an escape\n\n"
     "Valid escapes: \\n \\t \\r \\0 \\\\ \\\" \\' \\$ \\xHH (one or two hex digits) and\n"
     "\\u{H...} (1 to 6 hex digits, a Unicode scalar value). Fix: `\"C:\\\\weir\"`."},
    {"E0005", "malformed number literal",
     "A number literal has digits that its base does not allow, no digits at all, or\n"
     "letters glued to it.\n\n"
     "    mask = 0b102     limit = 12abc     x = 0x\n\n"
     "Fix: binary digits are 0-1 (`0b101`), octal 0-7 (`0o52`), hex 0-9a-f (`0x2A`);\n"
     "put a space between a number and a name; floats look like `1.5`, `1e-3`."},
    {"E0006", "integer literal too large",
     "Int is 64 bits wide and this literal does not fit.\n\n"
     "    big = 99999999999999999999\n\n"
     "Fix: use a smaller number, or a Float literal (`1.0e20`) if you need the magnitude."},
    {"E0007", "invalid character literal",
     "A character literal must hold exactly one character (or one escape) between single\n"
     "quotes, and be closed on the same line.\n\n"
     "    c = ''        d = 'ab'        e = 'x\n\n"
     "Fix: `'a'`, `'\\n'`, `'\\u{1F600}'`; use double quotes for text: `\"ab\"`."},
    {"E0008", "unterminated string interpolation",
     "A `${` inside a string starts an interpolated expression, which must end with `}`\n"
     "on the same line.\n\n"
     "    msg = \"speed ${show t.speed km/h\"\n\n"
     "Fix: close the interpolation: `\"speed ${show t.speed} km/h\"`. To write a literal\n"
     "`${`, escape the dollar: `\"\\${\"`."},
    {"E0009", "tab character in indentation",
     "Weir uses indentation (layout) to find where blocks after `where`, `let`, `do` and\n"
     "`of` start and end. Tabs make columns ambiguous, so they are not allowed in\n"
     "indentation.\n\n"
     "Fix: configure your editor to insert spaces, and replace the tabs with spaces."},
    {"E0010", "unexpected token",
     "The parser found a token that cannot appear at this point of the program.\n\n"
     "    total = (price + tax))\n\n"
     "Fix: look at the marked token and the one before it; often a bracket is unbalanced\n"
     "or an operator is missing."},
    {"E0011", "expected an expression",
     "An expression was required here (after `=`, `->`, `then`, `in`, an operator...)\n"
     "but something else was found.\n\n"
     "    double x =\n    area = let r = 2 in\n\n"
     "Fix: write the missing expression: `double x = x * 2`."},
    {"E0012", "expected a pattern",
     "A pattern was required (a variable, `_`, a literal, a constructor, a tuple, a list,\n"
     "a record...) but something else was found.\n\n"
     "    \\ -> 1          case x of -> 0\n\n"
     "Fix: `\\x -> 1`, `case x of _ -> 0`."},
    {"E0013", "expected a type",
     "A type was required (after `::`, `->`, in a data constructor, a synonym...) but\n"
     "something else was found.\n\n"
     "    speed :: -> Float\n\n"
     "Fix: write the missing type: `speed :: Telemetry -> Float`."},
    {"E0014", "expected a specific token",
     "The construct being parsed requires a particular keyword or symbol here.\n\n"
     "    sign x = if x > 0 1 else -1           -- missing `then`\n    f (a, b = a                           -- missing `)`\n\n"
     "Fix: add the token the message names: `if x > 0 then 1 else -1`, `f (a, b) = a`."},
    {"E0015", "expected a declaration",
     "At the top level of a module (and inside `where`, `let`, `class` and `instance`\n"
     "blocks) only declarations may appear: type signatures, function clauses, `data`,\n"
     "`type`, `newtype`, `class`, `instance`, `foreign import`, fixity declarations.\n\n"
     "    main = pure ()\n    + 1\n\n"
     "Fix: remove the stray text, or indent it if it continues the previous line."},
    {"E0016", "unbalanced brackets",
     "A closing bracket does not match the bracket that is open, or a bracket is never\n"
     "closed.\n\n"
     "    xs = [1, 2, 3)\n\n"
     "Fix: close each `(`, `[` and `{` with its own `)`, `]` and `}`."},
    {"E0017", "bad indentation",
     "The layout rule decided that a line ends a block or starts a new item because of\n"
     "its indentation, and the code before it was not complete.\n\n"
     "    main = do\n      let x =\n      1\n\n"
     "Lines that continue an expression must be indented more than the start of the\n"
     "block item they belong to. Fix: indent the continuation: `    1` under `let x =`\n"
     "by more than `x`, or keep it on one line."},
    {"E0018", "invalid binary segment",
     "A segment of binary syntax `<<value:size/type-sign-endian>>` has an unknown or\n"
     "conflicting specifier.\n\n"
     "    <<x:16/bigendian>>\n\n"
     "Types: integer (default), float, bytes; signedness: signed, unsigned; endianness:\n"
     "big (default), little. Fix: `<<x:16/big>>`, `<<t:32/float-little>>`."},
    {"E0019", "invalid fixity declaration",
     "A fixity declaration needs a precedence from 0 to 9 and a list of operators.\n\n"
     "    infixl 12 |+|\n\n"
     "Fix: `infixl 6 |+|` (0 binds loosest, 9 tightest)."},
    {"E0020", "invalid foreign import",
     "A foreign import names a calling convention (`ccall` for the C ABI, `prim` for a\n"
     "runtime primitive), the external name as a string, and the Weir name with its type.\n\n"
     "    foreign import stdcall \"now\" now :: IO Int\n\n"
     "Fix: `foreign import ccall \"weir_rt_now_ms\" nowMs :: IO Int`."},
    {"E0021", "invalid class or instance head",
     "A class declaration must look like `class Ctx => Name a` (one type variable), an\n"
     "instance like `instance Ctx => Name Type`.\n\n"
     "    class Describe where ...        instance (Maybe a) where ...\n\n"
     "Fix: `class Describe a where ...`, `instance Describe (Maybe a) where ...`."},
    {"E0022", "invalid constraint",
     "Each constraint in a context must be a class applied to one type: `Eq a`,\n"
     "`Functor f`, `(Eq a, Show a)`.\n\n"
     "    f :: a => a -> a\n\n"
     "Fix: `f :: Show a => a -> String`."},
    {"E0023", "empty string interpolation",
     "`${}` in a string interpolates nothing.\n\n"
     "    msg = \"value: ${}\"\n\n"
     "Fix: write an expression of type String inside: `\"value: ${show v}\"`, or escape\n"
     "the dollar to get the literal text: `\"\\${}\"`."},
    {"E0024", "nested too deeply",
     "An expression, pattern or type is nested so deeply (hundreds of brackets, lambdas or\n"
     "`if`s inside each other) that the parser stops rather than run out of stack.\n\n"
     "    x = ((((((((((((...))))))))))))\n\n"
     "Fix: give parts of the expression names with `let` or `where`; generated code\n"
     "should build flatter expressions (lists, operator chains) instead of deep nesting."},
};

}  // namespace

std::span<const CodeInfo> syntaxCodes() { return kSyntaxCodes; }

}  // namespace weir
