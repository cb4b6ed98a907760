// Token kind names and human-readable descriptions for diagnostics.
#include "syntax/internal.hpp"
#include "syntax/token.hpp"

namespace weir::syntax {

const char* tokSpelling(Tok t) {
  switch (t) {
    case Tok::End: return "End";
    case Tok::VarId: return "VarId";
    case Tok::ConId: return "ConId";
    case Tok::QVarId: return "QVarId";
    case Tok::QConId: return "QConId";
    case Tok::VarSym: return "VarSym";
    case Tok::ConSym: return "ConSym";
    case Tok::QVarSym: return "QVarSym";
    case Tok::Integer: return "Integer";
    case Tok::Float: return "Float";
    case Tok::Char: return "Char";
    case Tok::String: return "String";
    case Tok::InterpString: return "InterpString";
    case Tok::Bytes: return "Bytes";
    case Tok::Hole: return "Hole";
    case Tok::KwModule: return "module";
    case Tok::KwWhere: return "where";
    case Tok::KwImport: return "import";
    case Tok::KwQualified: return "qualified";
    case Tok::KwAs: return "as";
    case Tok::KwHiding: return "hiding";
    case Tok::KwData: return "data";
    case Tok::KwType: return "type";
    case Tok::KwNewtype: return "newtype";
    case Tok::KwClass: return "class";
    case Tok::KwInstance: return "instance";
    case Tok::KwDeriving: return "deriving";
    case Tok::KwForeign: return "foreign";
    case Tok::KwLet: return "let";
    case Tok::KwIn: return "in";
    case Tok::KwCase: return "case";
    case Tok::KwOf: return "of";
    case Tok::KwIf: return "if";
    case Tok::KwThen: return "then";
    case Tok::KwElse: return "else";
    case Tok::KwDo: return "do";
    case Tok::KwInfix: return "infix";
    case Tok::KwInfixl: return "infixl";
    case Tok::KwInfixr: return "infixr";
    case Tok::KwForall: return "forall";
    case Tok::DotDot: return "..";
    case Tok::Colon: return ":";
    case Tok::DColon: return "::";
    case Tok::Equals: return "=";
    case Tok::Backslash: return "\\";
    case Tok::Bar: return "|";
    case Tok::LArrow: return "<-";
    case Tok::RArrow: return "->";
    case Tok::At: return "@";
    case Tok::Tilde: return "~";
    case Tok::DArrow: return "=>";
    case Tok::Minus: return "-";
    case Tok::Dot: return ".";
    case Tok::LParen: return "(";
    case Tok::RParen: return ")";
    case Tok::LBracket: return "[";
    case Tok::RBracket: return "]";
    case Tok::Comma: return ",";
    case Tok::Semi: return ";";
    case Tok::LBrace: return "{";
    case Tok::RBrace: return "}";
    case Tok::Backquote: return "`";
    case Tok::LBinary: return "<<";
    case Tok::RBinary: return ">>";
    case Tok::VLBrace: return "VLBrace";
    case Tok::VRBrace: return "VRBrace";
    case Tok::VSemi: return "VSemi";
    case Tok::Error: return "Error";
  }
  return "?";
}

const char* tokName(Tok t) {
  switch (t) {
    case Tok::End: return "End";
    case Tok::VarId: return "VarId";
    case Tok::ConId: return "ConId";
    case Tok::QVarId: return "QVarId";
    case Tok::QConId: return "QConId";
    case Tok::VarSym: return "VarSym";
    case Tok::ConSym: return "ConSym";
    case Tok::QVarSym: return "QVarSym";
    case Tok::Integer: return "Integer";
    case Tok::Float: return "Float";
    case Tok::Char: return "Char";
    case Tok::String: return "String";
    case Tok::InterpString: return "InterpString";
    case Tok::Bytes: return "Bytes";
    case Tok::Hole: return "Hole";
    case Tok::KwModule: return "KwModule";
    case Tok::KwWhere: return "KwWhere";
    case Tok::KwImport: return "KwImport";
    case Tok::KwQualified: return "KwQualified";
    case Tok::KwAs: return "KwAs";
    case Tok::KwHiding: return "KwHiding";
    case Tok::KwData: return "KwData";
    case Tok::KwType: return "KwType";
    case Tok::KwNewtype: return "KwNewtype";
    case Tok::KwClass: return "KwClass";
    case Tok::KwInstance: return "KwInstance";
    case Tok::KwDeriving: return "KwDeriving";
    case Tok::KwForeign: return "KwForeign";
    case Tok::KwLet: return "KwLet";
    case Tok::KwIn: return "KwIn";
    case Tok::KwCase: return "KwCase";
    case Tok::KwOf: return "KwOf";
    case Tok::KwIf: return "KwIf";
    case Tok::KwThen: return "KwThen";
    case Tok::KwElse: return "KwElse";
    case Tok::KwDo: return "KwDo";
    case Tok::KwInfix: return "KwInfix";
    case Tok::KwInfixl: return "KwInfixl";
    case Tok::KwInfixr: return "KwInfixr";
    case Tok::KwForall: return "KwForall";
    case Tok::DotDot: return "DotDot";
    case Tok::Colon: return "Colon";
    case Tok::DColon: return "DColon";
    case Tok::Equals: return "Equals";
    case Tok::Backslash: return "Backslash";
    case Tok::Bar: return "Bar";
    case Tok::LArrow: return "LArrow";
    case Tok::RArrow: return "RArrow";
    case Tok::At: return "At";
    case Tok::Tilde: return "Tilde";
    case Tok::DArrow: return "DArrow";
    case Tok::Minus: return "Minus";
    case Tok::Dot: return "Dot";
    case Tok::LParen: return "LParen";
    case Tok::RParen: return "RParen";
    case Tok::LBracket: return "LBracket";
    case Tok::RBracket: return "RBracket";
    case Tok::Comma: return "Comma";
    case Tok::Semi: return "Semi";
    case Tok::LBrace: return "LBrace";
    case Tok::RBrace: return "RBrace";
    case Tok::Backquote: return "Backquote";
    case Tok::LBinary: return "LBinary";
    case Tok::RBinary: return "RBinary";
    case Tok::VLBrace: return "VLBrace";
    case Tok::VRBrace: return "VRBrace";
    case Tok::VSemi: return "VSemi";
    case Tok::Error: return "Error";
  }
  return "?";
}

const char* Token::name() const { return tokName(kind); }

std::string describeToken(const Token& t) {
  switch (t.kind) {
    case Tok::End: return "the end of the file";
    case Tok::VarId: case Tok::ConId: case Tok::QVarId: case Tok::QConId:
    case Tok::VarSym: case Tok::ConSym: case Tok::QVarSym: return "`" + t.text + "`";
    case Tok::Integer: return "the number `" + (t.text.empty() ? std::to_string(t.intValue) : t.text) + "`";
    case Tok::Float: return "a float literal";
    case Tok::Char: return "a character literal";
    case Tok::String: case Tok::InterpString: return "a string literal";
    case Tok::Bytes: return "a bytes literal";
    case Tok::Hole: return "the hole `?" + t.text + "`";
    case Tok::Dot: return "`.`";
    case Tok::Backquote: return "a backquote";
    case Tok::VLBrace: return "the start of an indented block";
    case Tok::VRBrace: return "the end of the indented block";
    case Tok::VSemi: return "a new line";
    case Tok::Error: return "an invalid token";
    default: return std::string("`") + tokSpelling(t.kind) + "`";
  }
}

}  // namespace weir::syntax
