// Tokens produced by the lexer and consumed (after the layout pass) by the parser.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "diag/source.hpp"

namespace weir::syntax {

enum class Tok : uint8_t {
  End,          // end of input
  VarId,        // x, foldr, x'     (text = name)
  ConId,        // Just, Int
  QVarId,       // Data.Map.insert  (text = full dotted name)
  QConId,       // Data.Map.Map
  VarSym,       // + <> >>=   (operator not starting with ':')
  ConSym,       // :| (operator starting with ':', other than ':')
  QVarSym,      // Map.!
  Integer,      // 42 1_000 0x2A  (intValue)
  Float,        // 1.5 1e-3       (floatValue)
  Char,         // 'a'            (charValue = code point)
  String,       // "text"         (text = decoded UTF-8)
  InterpString, // "a ${e} b": text holds the raw source inside the quotes; parts re-lexed by the parser
  Bytes,        // b"\x01"        (text = raw bytes)
  Hole,         // ?name          (text = name)
  // keywords
  KwModule, KwWhere, KwImport, KwQualified, KwAs, KwHiding, KwData, KwType, KwNewtype,
  KwClass, KwInstance, KwDeriving, KwForeign, KwLet, KwIn, KwCase, KwOf, KwIf, KwThen,
  KwElse, KwDo, KwInfix, KwInfixl, KwInfixr, KwForall,
  // reserved operators
  DotDot, Colon, DColon, Equals, Backslash, Bar, LArrow, RArrow, At, Tilde, DArrow,
  Minus,        // '-' is a VarSym but kept distinct for negation handling
  Dot,          // '.' when used for record access (x.field, no spaces around)
  // special
  LParen, RParen, LBracket, RBracket, Comma, Semi, LBrace, RBrace, Backquote,
  LBinary, RBinary,   // << >> in binary syntax (only where the parser asks for them)
  VLBrace, VRBrace, VSemi,  // virtual layout tokens inserted by the layout pass
  Error,        // a lexical error (already reported); text says what
};

struct Token {
  Tok kind = Tok::End;
  Span span;
  uint32_t line = 0, col = 0;  // 1-based, of the first character (layout needs columns)
  std::string text;
  int64_t intValue = 0;
  double floatValue = 0;
  uint32_t charValue = 0;
  bool spaceBefore = false;  // whitespace/comment right before this token (for `.` access and sections)
  std::string doc;           // text of `-- |` doc comment lines right before this token (added by syntax)
  const char* name() const;  // human-readable kind, for "expected X, found Y"
};

const char* tokName(Tok t);

}  // namespace weir::syntax
