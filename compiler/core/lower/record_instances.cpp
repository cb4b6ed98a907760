// Eq, Ord, Show, ToJson and FromJson for structural records (LANGUAGE.md section 3: "Records
// ... have these instances structurally whenever their components do").
//
// The type checker solves `C { l1 :: t1, ..., ln :: tn }` to a Dict::Record holding one
// dictionary per label (labels sorted). Here each (class, label set) gets a dictionary
// function `$frec$C${l1,...,ln}` of the n field dictionaries, built like an instance with
// a context: generated methods compare or show field by field (a record object keeps its
// fields in label order, so field i is a projection at index i), and the other methods are
// the class defaults applied to the rebuilt dictionary. Specialisation (core/specialise)
// turns the calls through field dictionaries into direct calls where the types are known.
#include <fmt/format.h>

#include "core/lower/lowerer.hpp"

namespace weir::lower {

namespace {

int methodIndex(const types::ClassInfo& cls, const std::string& display) {
  for (size_t i = 0; i < cls.methods.size(); ++i)
    if (names::displayName(cls.methods[i]) == display) return static_cast<int>(cls.supers.size() + i);
  return -1;
}

}  // namespace

std::string Lowerer::recordDictFunction(const std::string& clsName, const std::vector<std::string>& labels) {
  std::string joined;
  for (auto& l : labels) joined += (joined.empty() ? "" : ",") + l;
  std::string name = "$frec$" + clsName + "${" + joined + "}";
  if (!emitted.insert(name).second) return name;
  const types::ClassInfo& cls = checked.classes.at(clsName);
  const size_t n = labels.size();

  // Parameters: the field dictionaries, then the method's own arguments.
  auto newFunction = [&](const std::string& fname, int extra,
                         const std::function<ExprPtr(const std::vector<VarId>&, const std::vector<VarId>&)>& body) {
    core::Function f;
    f.name = fname;
    std::vector<VarId> ds, as;
    for (size_t i = 0; i < n; ++i) ds.push_back(fresh());
    for (int i = 0; i < extra; ++i) as.push_back(fresh());
    f.params = ds;
    f.params.insert(f.params.end(), as.begin(), as.end());
    f.body = body(ds, as);
    arity[fname] = static_cast<int>(f.params.size());
    prog.functions.push_back(f);
  };
  auto dictsOf = [&](const std::vector<VarId>& ds) {
    std::vector<ExprPtr> v;
    for (auto d : ds) v.push_back(core::mkVar(d));
    return v;
  };
  auto self = [&](const std::vector<VarId>& ds) -> ExprPtr {
    if (n == 0) return core::mkGlobal(name);
    return core::mkApp(core::mkGlobal(name), dictsOf(ds));
  };
  auto field = [&](VarId rec, size_t i) {
    auto p = core::mkProj(core::mkVar(rec), static_cast<int>(i));
    p->name = recordCon(shapeOf(labels));
    return p;
  };
  auto method = [&](VarId dict, int idx, std::vector<ExprPtr> args) {
    return core::mkApp(core::mkProj(core::mkVar(dict), idx), std::move(args));
  };
  auto con = [&](const std::string& c) {
    auto it = checked.cons.find(c);
    return core::mkCon(it == checked.cons.end() ? 0 : it->second.tag, c, {});
  };

  std::map<std::string, std::string> impls;  // method (display name) -> generated function
  const std::string d = names::displayName(clsName);
  if (d == "Show") {
    int showIdx = methodIndex(cls, "show");
    impls["show"] = name + "$show";
    newFunction(name + "$show", 1, [&](auto& ds, auto& as) {
      // {l1 = v1, l2 = v2}: Weir's record syntax, fields in label order.
      ExprPtr acc = core::mkString("{");
      for (size_t i = 0; i < n; ++i) {
        std::string prefix = (i ? ", " : "") + labels[i] + " = ";
        acc = core::mkPrim(core::PrimOp::StringAppend, {acc, core::mkString(prefix)});
        acc = core::mkPrim(core::PrimOp::StringAppend, {acc, method(ds[i], showIdx, {field(as[0], i)})});
      }
      return core::mkPrim(core::PrimOp::StringAppend, {acc, core::mkString("}")});
    });
  } else if (d == "Eq") {
    int eqIdx = methodIndex(cls, "==");
    impls["=="] = name + "$eq";
    newFunction(name + "$eq", 2, [&](auto& ds, auto& as) {
      ExprPtr r = con("Prelude.True");
      for (size_t i = n; i-- > 0;)
        r = boolCase(method(ds[i], eqIdx, {field(as[0], i), field(as[1], i)}), r, con("Prelude.False"));
      return r;
    });
  } else if (d == "Ord") {
    int cmpIdx = methodIndex(cls, "compare");
    int eqTag = checked.cons.count("Prelude.EQ") ? checked.cons.at("Prelude.EQ").tag : 1;
    impls["compare"] = name + "$compare";
    newFunction(name + "$compare", 2, [&](auto& ds, auto& as) {
      // The first field that differs decides.
      ExprPtr r = con("Prelude.EQ");
      for (size_t i = n; i-- > 0;) {
        VarId c = fresh();
        auto sw = std::make_shared<core::Expr>();
        sw->kind = core::Expr::Case;
        sw->scrut = c;
        sw->alts.push_back(core::Alt{eqTag, {}, r});
        sw->deflt = core::mkVar(c);
        r = core::mkLet(c, method(ds[i], cmpIdx, {field(as[0], i), field(as[1], i)}), sw);
      }
      return r;
    });
  } else if (d == "ToJson") {
    // {"l1":v1,"l2":v2}: the writer (runtime/json/writer.c) puts the commas.
    int writeIdx = methodIndex(cls, "writeJson");
    impls["writeJson"] = name + "$writeJson";
    newFunction(name + "$writeJson", 2, [&](auto& ds, auto& as) {
      ExprPtr w = core::mkCCall("weir_json_w_raw", {core::mkVar(as[1]), core::mkString("{")});
      for (size_t i = 0; i < n; ++i)
        w = method(ds[i], writeIdx, {field(as[0], i), core::mkCCall("weir_json_w_key", {w, core::mkString(labels[i])})});
      return core::mkCCall("weir_json_w_raw", {w, core::mkString("}")});
    });
  } else if (d == "FromJson") {
    // case expectObject doc i of Left e -> Left e; Right _ ->
    //   case readJson_1 doc (field doc i "l1") of Left e -> Left (inField "l1" e); Right v1 -> ... Right {v1..vn}
    int readIdx = methodIndex(cls, "readJson");
    int shape = shapeOf(labels);
    impls["readJson"] = name + "$readJson";
    newFunction(name + "$readJson", 2, [&](auto& ds, auto& as) {
      VarId doc = as[0], at = as[1];
      std::vector<VarId> vs;
      for (size_t i = 0; i < n; ++i) vs.push_back(fresh());
      std::vector<ExprPtr> fs;
      for (auto v : vs) fs.push_back(core::mkVar(v));
      ExprPtr body = core::mkCon(1, "Prelude.Right", {core::mkCon(shape, recordCon(shape), fs)});
      for (size_t i = n; i-- > 0;) {
        VarId r = fresh(), e = fresh();
        ExprPtr read = method(ds[i], readIdx,
                              {core::mkVar(doc), core::mkCCall("weir_json_field", {core::mkVar(doc), core::mkVar(at),
                                                                                   core::mkString(labels[i])})});
        ExprPtr wrapped = core::mkCon(0, "Prelude.Left", {core::mkApp(core::mkGlobal("Json.inField"),
                                                                      {core::mkString(labels[i]), core::mkVar(e)})});
        body = core::mkLet(r, read, core::mkCase(r, {core::Alt{0, {e}, wrapped}, core::Alt{1, {vs[i]}, body}}));
      }
      VarId chk = fresh(), e = fresh(), unit = fresh();
      return core::mkLet(chk, core::mkApp(core::mkGlobal("Json.expectObject"), {core::mkVar(doc), core::mkVar(at)}),
                         core::mkCase(chk, {core::Alt{0, {e}, core::mkCon(0, "Prelude.Left", {core::mkVar(e)})},
                                            core::Alt{1, {unit}, body}}));
    });
  }

  // Methods without a generated implementation: the class default, given this dictionary.
  std::vector<ExprPtr> methods;
  for (auto& m : cls.methods) {
    std::string display = names::displayName(m);
    auto it = impls.find(display);
    if (it != impls.end()) { methods.push_back(core::mkGlobal(it->second)); continue; }
    auto dm = cls.defaults.find(m);
    if (dm == cls.defaults.end()) { fail("record instance: no default for " + m); return name; }
    std::string wrapper = name + "$dflt$" + display;
    int k = methodArity(m);
    impls[display] = wrapper;
    newFunction(wrapper, k, [&](auto& ds, auto& as) {
      std::vector<ExprPtr> args{self(ds)};
      for (auto a : as) args.push_back(core::mkVar(a));
      return core::mkApp(core::mkGlobal(dm->second), args);
    });
    methods.push_back(core::mkGlobal(wrapper));
  }

  // The dictionary: superclasses (Ord's Eq), then the methods partially applied to the
  // field dictionaries.
  auto build = [&](const std::vector<VarId>& ds) {
    std::vector<ExprPtr> fields;
    for (auto& sup : cls.supers) {
      std::string supFn = recordDictFunction(sup, labels);
      if (n == 0) { fields.push_back(core::mkGlobal(supFn)); continue; }
      std::vector<ExprPtr> subs;
      for (auto dv : ds) subs.push_back(core::mkProj(core::mkVar(dv), 0));  // the field's superclass dictionary
      fields.push_back(core::mkApp(core::mkGlobal(supFn), subs));
    }
    for (auto& m : methods) fields.push_back(n == 0 ? m : core::mkApp(m, dictsOf(ds)));
    return core::mkCon(0, "dict:" + d, fields);
  };
  if (n == 0) {
    prog.globals.push_back(core::Global{name, build({})});
  } else {
    newFunction(name, 0, [&](auto& ds, auto&) { return build(ds); });
  }
  return name;
}

}  // namespace weir::lower
