// Core builders and the printer used by `--emit=core`.
#include "core/core.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace weir::core {

namespace {
ExprPtr make(Expr::Kind k) {
  auto e = std::make_shared<Expr>();
  e->kind = k;
  return e;
}
}  // namespace

ExprPtr mkVar(VarId v) { auto e = make(Expr::Var); e->var = v; return e; }
ExprPtr mkGlobal(std::string name) { auto e = make(Expr::Global); e->name = std::move(name); return e; }
ExprPtr mkInt(int64_t i) { auto e = make(Expr::LitInt); e->i = i; return e; }
ExprPtr mkFloat(double f) { auto e = make(Expr::LitFloat); e->f = f; return e; }
ExprPtr mkChar(uint32_t c) { auto e = make(Expr::LitChar); e->i = c; return e; }
ExprPtr mkString(std::string s) { auto e = make(Expr::LitString); e->s = std::move(s); return e; }
ExprPtr mkApp(ExprPtr f, std::vector<ExprPtr> args) {
  auto e = make(Expr::App);
  e->args.reserve(args.size() + 1);
  e->args.push_back(std::move(f));
  for (auto& a : args) e->args.push_back(std::move(a));
  return e;
}
ExprPtr mkLam(std::vector<VarId> params, ExprPtr body) {
  auto e = make(Expr::Lam); e->params = std::move(params); e->args = {std::move(body)}; return e;
}
ExprPtr mkLet(VarId v, ExprPtr rhs, ExprPtr body) {
  auto e = make(Expr::Let); e->var = v; e->args = {std::move(rhs), std::move(body)}; return e;
}
ExprPtr mkCon(int tag, std::string name, std::vector<ExprPtr> args) {
  auto e = make(Expr::Con); e->tag = tag; e->name = std::move(name); e->args = std::move(args); return e;
}
ExprPtr mkProj(ExprPtr obj, int index) {
  auto e = make(Expr::Proj); e->args = {std::move(obj)}; e->index = index; return e;
}
ExprPtr mkPrim(PrimOp op, std::vector<ExprPtr> args, std::string loc) {
  auto e = make(Expr::Prim); e->prim = op; e->args = std::move(args); e->loc = std::move(loc); return e;
}
ExprPtr mkCCall(std::string symbol, std::vector<ExprPtr> args, std::string loc) {
  auto e = mkPrim(PrimOp::CCall, std::move(args), std::move(loc)); e->name = std::move(symbol); return e;
}
ExprPtr mkError(std::string message, std::string loc) {
  auto e = make(Expr::Error); e->s = std::move(message); e->loc = std::move(loc); return e;
}
ExprPtr mkLetRec(std::vector<Binding> binds, ExprPtr body) {
  auto e = make(Expr::LetRec); e->binds = std::move(binds); e->args = {std::move(body)}; return e;
}
ExprPtr mkCase(VarId scrut, std::vector<Alt> alts, ExprPtr deflt) {
  auto e = make(Expr::Case); e->scrut = scrut; e->alts = std::move(alts); e->deflt = std::move(deflt); return e;
}
ExprPtr mkLitCase(VarId scrut, std::vector<LitAlt> alts, ExprPtr deflt) {
  auto e = make(Expr::LitCase); e->scrut = scrut; e->litAlts = std::move(alts); e->deflt = std::move(deflt); return e;
}
ExprPtr mkDup(VarId v, ExprPtr body) { auto e = make(Expr::Dup); e->var = v; e->args = {std::move(body)}; return e; }
ExprPtr mkDrop(VarId v, ExprPtr body) { auto e = make(Expr::Drop); e->var = v; e->args = {std::move(body)}; return e; }
ExprPtr mkFreeReuse(VarId token, ExprPtr body) { auto e = make(Expr::FreeReuse); e->var = token; e->args = {std::move(body)}; return e; }

const char* primName(PrimOp op) {
  switch (op) {
#define P(x) case PrimOp::x: return #x;
    P(IntAdd) P(IntSub) P(IntMul) P(IntNeg) P(IntQuot) P(IntRem) P(IntDiv) P(IntMod)
    P(IntEq) P(IntNe) P(IntLt) P(IntLe) P(IntGt) P(IntGe) P(IntCompare)
    P(IntAnd) P(IntOr) P(IntXor) P(IntShl) P(IntShr) P(IntNot)
    P(FloatAdd) P(FloatSub) P(FloatMul) P(FloatDiv) P(FloatNeg)
    P(FloatEq) P(FloatNe) P(FloatLt) P(FloatLe) P(FloatGt) P(FloatGe) P(FloatCompare)
    P(IntToFloat) P(FloatRound) P(FloatTruncate) P(FloatFloor) P(FloatCeiling)
    P(FloatSqrt) P(FloatExp) P(FloatLog) P(FloatSin) P(FloatCos) P(FloatPow)
    P(CharOrd) P(CharChr) P(CharEq) P(CharLt) P(CharLe) P(CharCompare)
    P(StringAppend) P(StringEq) P(StringCompare) P(StringLength)
    P(ShowInt) P(ShowFloat) P(ShowChar) P(ShowString) P(StringFromChar)
    P(PutStrLn) P(PutStr) P(Error) P(CCall)
    P(TrmcHole) P(TrmcField) P(TrmcFill) P(UniqueOrStatic)
#undef P
  }
  return "?";
}

int primArity(PrimOp op) {
  switch (op) {
    case PrimOp::IntNeg: case PrimOp::IntNot: case PrimOp::FloatNeg: case PrimOp::IntToFloat:
    case PrimOp::FloatRound: case PrimOp::FloatTruncate: case PrimOp::FloatFloor: case PrimOp::FloatCeiling:
    case PrimOp::FloatSqrt: case PrimOp::FloatExp: case PrimOp::FloatLog: case PrimOp::FloatSin:
    case PrimOp::FloatCos: case PrimOp::CharOrd: case PrimOp::CharChr: case PrimOp::StringLength:
    case PrimOp::ShowInt: case PrimOp::ShowFloat: case PrimOp::ShowChar: case PrimOp::ShowString:
    case PrimOp::StringFromChar: case PrimOp::PutStrLn: case PrimOp::PutStr: case PrimOp::Error:
      return 1;
    case PrimOp::CCall:
      return -1;
    case PrimOp::TrmcHole:
      return 0;
    case PrimOp::TrmcField: case PrimOp::UniqueOrStatic:
      return 1;
    default:
      return 2;
  }
}

const char* repName(Rep r) {
  switch (r) {
    case Rep::Boxed: return "Boxed";
    case Rep::Int: return "Int";
    case Rep::Float: return "Float";
    case Rep::Char: return "Char";
    case Rep::Bool: return "Bool";
  }
  return "?";
}

bool ConLayout::switchedOff() {
  const char* e = std::getenv("WEIR_RAW_FIELDS");
  return e && std::string(e) == "0";
}

ConLayout ConLayout::of(std::vector<Rep> reps) {
  ConLayout l;
  for (Rep& r : reps) {
    if (r == Rep::Boxed) l.boxed++;
    else if (l.raw < MAX_RAW) l.raw++;
    else r = Rep::Boxed, l.boxed++;
  }
  int nextBoxed = 0, nextRaw = l.boxed;
  for (Rep r : reps) l.slots.push_back(r == Rep::Boxed ? nextBoxed++ : nextRaw++);
  l.reps = std::move(reps);
  return l;
}

bool primBorrows(PrimOp op) {
  switch (op) {
    case PrimOp::StringAppend: case PrimOp::StringEq: case PrimOp::StringCompare: case PrimOp::StringLength:
    case PrimOp::ShowInt: case PrimOp::ShowFloat: case PrimOp::ShowChar: case PrimOp::ShowString:
    case PrimOp::StringFromChar: case PrimOp::PutStrLn: case PrimOp::PutStr: case PrimOp::Error:
    case PrimOp::CCall: case PrimOp::TrmcFill:
      return false;
    default:
      return true;
  }
}

namespace {

std::string escape(const std::string& s) {
  std::string r = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') { r += '\\'; r += static_cast<char>(c); }
    else if (c == '\n') r += "\\n";
    else if (c == '\t') r += "\\t";
    else if (c < 32) { char b[8]; std::snprintf(b, sizeof b, "\\x%02x", c); r += b; }
    else r += static_cast<char>(c);
  }
  return r + "\"";
}

std::string var(VarId v) { return "v" + std::to_string(v); }

std::string floatText(double f) {
  char b[40];
  std::snprintf(b, sizeof b, "%.17g", f);
  std::string s = b;
  if (s.find_first_of(".eni") == std::string::npos) s += ".0";
  return s;
}

struct Printer {
  std::ostringstream out;

  void nl(int ind) { out << '\n' << std::string(static_cast<size_t>(ind) * 2, ' '); }

  void list(const std::vector<ExprPtr>& xs, size_t from, int ind) {
    for (size_t k = from; k < xs.size(); k++) {
      if (k > from) out << ", ";
      expr(*xs[k], ind);
    }
  }

  void expr(const Expr& e, int ind) {
    switch (e.kind) {
      case Expr::Var: out << var(e.var); break;
      case Expr::Global: out << '@' << e.name; break;
      case Expr::LitInt: out << e.i; break;
      case Expr::LitFloat: out << floatText(e.f); break;
      case Expr::LitChar: out << "'\\u{" << std::hex << e.i << std::dec << "}'"; break;
      case Expr::LitString: out << escape(e.s); break;
      case Expr::App:
        out << "(";
        expr(*e.args[0], ind);
        out << ")(";
        list(e.args, 1, ind);
        out << ")";
        break;
      case Expr::Lam:
        out << "\\(";
        for (size_t k = 0; k < e.params.size(); k++) out << (k ? ", " : "") << var(e.params[k]);
        out << ") ->";
        nl(ind + 1);
        expr(*e.args[0], ind + 1);
        break;
      case Expr::Let:
        out << "let " << var(e.var) << " = ";
        expr(*e.args[0], ind + 1);
        nl(ind);
        out << "in ";
        expr(*e.args[1], ind);
        break;
      case Expr::LetRec:
        out << "letrec";
        for (auto& b : e.binds) {
          nl(ind + 1);
          out << var(b.var) << " = ";
          expr(*b.lam, ind + 2);
        }
        nl(ind);
        out << "in ";
        expr(*e.args[0], ind);
        break;
      case Expr::Con:
        out << (e.name.empty() ? "Con" : e.name) << "#" << e.tag;
        if (e.token >= 0) out << "@" << var(e.token);  // built in the cell of reuse token e.token
        if (!e.args.empty()) { out << "("; list(e.args, 0, ind); out << ")"; }
        break;
      case Expr::Proj:
        out << "(";
        expr(*e.args[0], ind);
        out << ")." << e.index;
        // A closed record's read names its shape, whose layout says whether the field is raw.
        if (!e.name.empty()) out << " of " << e.name;
        break;
      case Expr::Case:
        out << "case " << var(e.scrut) << " of";
        for (auto& a : e.alts) {
          nl(ind + 1);
          out << "#" << a.tag;
          if (!a.fields.empty()) {
            out << "(";
            for (size_t k = 0; k < a.fields.size(); k++) out << (k ? ", " : "") << var(a.fields[k]);
            out << ")";
          }
          out << " ->";
          nl(ind + 2);
          expr(*a.body, ind + 2);
        }
        if (e.deflt) { nl(ind + 1); out << "_ ->"; nl(ind + 2); expr(*e.deflt, ind + 2); }
        break;
      case Expr::LitCase:
        out << "case " << var(e.scrut) << " of";
        for (auto& a : e.litAlts) {
          nl(ind + 1);
          if (a.kind == LitAlt::Int) out << a.i;
          else if (a.kind == LitAlt::Char) out << "'\\u{" << std::hex << a.i << std::dec << "}'";
          else out << escape(a.s);
          out << " ->";
          nl(ind + 2);
          expr(*a.body, ind + 2);
        }
        if (e.deflt) { nl(ind + 1); out << "_ ->"; nl(ind + 2); expr(*e.deflt, ind + 2); }
        break;
      case Expr::Prim:
        out << "%" << primName(e.prim);
        if (e.prim == PrimOp::CCall) out << " " << e.name;
        if (e.prim == PrimOp::TrmcField) out << "." << e.index;
        out << "(";
        list(e.args, 0, ind);
        out << ")";
        if (!e.loc.empty()) out << " @" << e.loc;
        break;
      case Expr::Error:
        out << "error " << escape(e.s);
        if (!e.loc.empty()) out << " @" << e.loc;
        break;
      case Expr::Dup:
      case Expr::Drop:
      case Expr::FreeReuse:
        out << (e.kind == Expr::Dup ? "dup " : e.kind == Expr::Drop ? "drop " : "free-reuse ") << var(e.var);
        if (e.kind == Expr::Drop && e.token >= 0) out << " reuse " << var(e.token);
        out << ";";
        nl(ind);
        expr(*e.args[0], ind);
        break;
    }
  }
};

}  // namespace

std::string print(const Expr& e, int indent) {
  Printer p;
  p.expr(e, indent);
  return p.out.str();
}

std::string print(const Program& prog) {
  Printer p;
  for (auto& g : prog.globals) {
    p.out << "global " << g.name << " =";
    p.nl(1);
    p.expr(*g.body, 1);
    p.out << "\n\n";
  }
  for (auto& f : prog.functions) {
    p.out << "fun " << f.name << "(";
    for (size_t k = 0; k < f.params.size(); k++) {
      p.out << (k ? ", " : "") << (f.isBorrowed(k) ? "^" : "")
            << (f.trmcWorker && k + 1 == f.params.size() ? "!" : "")
            << (f.world != Function::World::None && k + 1 == f.params.size() ? "~" : "") << var(f.params[k]);
      if (f.paramRep(k) != Rep::Boxed) p.out << ": " << repName(f.paramRep(k));
    }
    p.out << ")";
    if (f.resultRep != Rep::Boxed) p.out << ": " << repName(f.resultRep);
    p.out << " =";
    p.nl(1);
    p.expr(*f.body, 1);
    p.out << "\n\n";
  }
  p.out << "entry " << prog.entry << "\n";
  for (auto& [con, l] : prog.layouts) {
    p.out << "layout " << con << "(";
    for (size_t k = 0; k < l.reps.size(); k++) p.out << (k ? ", " : "") << repName(l.reps[k]);
    p.out << ")\n";
  }
  return p.out.str();
}

// ---- Expression predicates shared by the passes (core.hpp) ----

bool isLit(const Expr& e) {
  return e.kind == Expr::LitInt || e.kind == Expr::LitFloat || e.kind == Expr::LitChar || e.kind == Expr::LitString;
}

bool isAtom(const Expr& e) {
  return e.kind == Expr::Var || e.kind == Expr::Global || isLit(e) || (e.kind == Expr::Con && e.args.empty());
}

bool primPure(PrimOp op) {
  switch (op) {
    case PrimOp::IntQuot: case PrimOp::IntRem: case PrimOp::IntDiv: case PrimOp::IntMod:
    case PrimOp::FloatRound: case PrimOp::FloatTruncate: case PrimOp::FloatFloor: case PrimOp::FloatCeiling:
    case PrimOp::CharChr: case PrimOp::PutStrLn: case PrimOp::PutStr: case PrimOp::Error: case PrimOp::CCall:
    case PrimOp::TrmcHole: case PrimOp::TrmcField: case PrimOp::TrmcFill:  // memory writes (core/trmc.hpp)
      return false;
    default:
      return true;
  }
}

bool isPure(const Expr& e) {
  switch (e.kind) {
    case Expr::Var: case Expr::Global: case Expr::LitInt: case Expr::LitFloat: case Expr::LitChar:
    case Expr::LitString: case Expr::Lam:
      return true;
    case Expr::Prim:
      if (!primPure(e.prim)) return false;
      [[fallthrough]];
    case Expr::Con: case Expr::Proj: case Expr::Let:
      for (auto& a : e.args) if (!isPure(*a)) return false;
      return true;
    case Expr::Case: case Expr::LitCase:
      for (auto& a : e.alts) if (!isPure(*a.body)) return false;
      for (auto& a : e.litAlts) if (!isPure(*a.body)) return false;
      return !e.deflt || isPure(*e.deflt);
    default:  // App (may loop or act), LetRec, Error, Dup, Drop, FreeReuse
      return false;
  }
}

Expr* scrutineeDrop(const Alt& a, VarId scrut) {
  Expr* e = a.body.get();
  std::vector<VarId> duped;
  while (e->kind == Expr::Dup && std::find(a.fields.begin(), a.fields.end(), e->var) != a.fields.end() &&
         std::find(duped.begin(), duped.end(), e->var) == duped.end()) {
    duped.push_back(e->var);
    e = e->args[0].get();
  }
  return e->kind == Expr::Drop && e->var == scrut ? e : nullptr;
}

}  // namespace weir::core
