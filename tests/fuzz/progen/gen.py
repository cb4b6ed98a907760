#!/usr/bin/env python3
"""Random well-typed Weir programs (Python 3, standard library only).

    gen.py SEED            prints one program to stdout
    gen.py SEED -o F.weir  writes it to F.weir
    gen.py --small SEED    a smaller program (2-4 functions, shallower; what CI runs)

The program is a deterministic function of the seed. It is well typed by construction (types
first, then expressions of a wanted type from a typed environment), terminates (a function calls
only functions defined before it, and itself only on a structurally smaller list, a smaller tree
or a decreasing bounded counter), never divides by zero and never takes `head []`, and its `main`
prints the results of every generated function so that two builds can be compared.

What it covers: user `data` types with positional, nullary and record-field constructors, a
recursive tree type, record type synonyms with record literals, access, update and patterns,
Maybe/Either/tuples/lists/String/Bytes/Float/Int/Bool, multi-clause functions with nested
patterns and as-patterns, guards, pattern guards `| Just v <- e`, `let` in guards, `where`
bindings (used in some guards only), nested `case` with guarded alternatives that fall through,
lambdas capturing variables (used, unused, used in one branch), partial application, sections,
map/filter/foldr/foldl, list recursion with accumulators, sliding windows (`take k (x : w)`),
string `++`/`show`/interpolation, and the binary syntax (build and match).
"""

import random
import sys

INT = ("Int",)
FLOAT = ("Float",)
BOOL = ("Bool",)
STR = ("String",)
BYTES = ("Bytes",)


def List(t):
    return ("List", t)


def Tup(*ts):
    return ("Tup",) + tuple(ts)


def Maybe(t):
    return ("Maybe", t)


def Either(a, b):
    return ("Either", a, b)


def Fun(a, b):
    return ("Fun", a, b)


def Data(n):
    return ("Data", n)


def Rec(n):
    return ("Rec", n)


TREE = ("Tree",)   # the one recursive data type, `data Tree = Leaf | Node Tree Int Tree`

KEYWORDS = {"of", "in", "if", "then", "else", "let", "case", "where", "do", "data", "type",
            "as", "module", "import", "class", "instance", "deriving", "newtype", "foreign"}


class Gen:
    def __init__(self, seed, size="normal"):
        self.seed = seed
        self.small = size == "small"
        self.r = random.Random(seed)
        self.datas = {}      # name -> [(con, kind, fields)]  kind: pos | rec | nullary
        self.recs = {}       # name -> [(field, type)]
        self.funcs = []      # (name, [param types], result type)
        self.counter = 0
        self.decls = []      # lines of top-level declarations
        self.uses_tree = False
        self.puns = set()   # field puns bound in the current clause head / alternative
        self.in_main = False   # main's arguments: longer lists
        self.in_class = False   # generating instance bodies: no class methods

    # ------------------------------------------------------------------ helpers
    def fresh(self, base="v"):
        self.counter += 1
        return f"{base}{self.counter}"

    def chance(self, p):
        return self.r.random() < p

    def pick(self, xs):
        return self.r.choice(xs)

    def tystr(self, t, top=True):
        k = t[0]
        if k in ("Int", "Float", "Bool", "String", "Bytes"):
            return k
        if k == "Tree":
            return "Tree"
        if k == "List":
            return "[" + self.tystr(t[1]) + "]"
        if k == "Tup":
            return "(" + ", ".join(self.tystr(x) for x in t[1:]) + ")"
        if k == "Maybe":
            s = "Maybe " + self.tystr(t[1], False)
        elif k == "Either":
            s = "Either " + self.tystr(t[1], False) + " " + self.tystr(t[2], False)
        elif k == "Fun":
            s = self.tystr(t[1], False) + " -> " + self.tystr(t[2])
        elif k in ("Data", "Rec"):
            return t[1]
        else:
            raise ValueError(t)
        return s if top else "(" + s + ")"

    def showable(self, t):
        k = t[0]
        if k == "Fun":
            return False
        if k in ("List", "Maybe"):
            return self.showable(t[1])
        if k in ("Tup", "Either"):
            return all(self.showable(x) for x in t[1:])
        return True

    def size(self, t):
        k = t[0]
        if k in ("List", "Maybe"):
            return 1 + self.size(t[1])
        if k in ("Tup", "Either", "Fun"):
            return 1 + sum(self.size(x) for x in t[1:])
        return 1

    # ------------------------------------------------------------------ types
    def base_type(self):
        return self.pick([INT, INT, INT, FLOAT, BOOL, STR, STR])

    def rand_type(self, d=2, allow_fun=False):
        opts = ["base"] * 5
        if d > 0:
            opts += ["list"] * 4 + ["tup"] * 2 + ["maybe"] * 2 + ["either"]
            if self.datas:
                opts += ["data"] * 3
            if self.recs:
                opts += ["rec"] * 2
            if self.uses_tree:
                opts += ["tree"]
            if allow_fun:
                opts += ["fun"]
        o = self.pick(opts)
        if o == "base":
            return self.pick([INT, INT, INT, FLOAT, BOOL, STR, STR, BYTES])
        if o == "list":
            return List(self.rand_type(d - 1, allow_fun and self.chance(0.3)))
        if o == "tup":
            return Tup(*[self.rand_type(d - 1, allow_fun and self.chance(0.3)) for _ in range(self.r.randint(2, 3))])
        if o == "maybe":
            return Maybe(self.rand_type(d - 1, allow_fun and self.chance(0.3)))
        if o == "either":
            return Either(self.rand_type(d - 1), self.rand_type(d - 1))
        if o == "data":
            return Data(self.pick(sorted(self.datas)))
        if o == "rec":
            return Rec(self.pick(sorted(self.recs)))
        if o == "tree":
            return TREE
        return Fun(self.rand_type(0), self.rand_type(1))

    def gen_decls(self):
        # records first (data may use them), then data types
        for i in range(self.r.randint(1, 2)):
            name = f"R{i + 1}"
            fields = []
            used = set()
            for _ in range(self.r.randint(2, 3)):
                f = self.pick(["a", "b", "c", "d", "e", "n", "xs", "tag", "ws"])
                if f in used:
                    continue
                used.add(f)
                fields.append((f, self.pick([INT, INT, STR, FLOAT, BOOL, List(INT), List(STR), Maybe(INT)])))
            self.recs[name] = fields
            self.decls.append(f"type {name} = {{ " + ", ".join(f"{f} :: {self.tystr(t)}" for f, t in fields) + " }")
        if self.chance(0.5):
            self.uses_tree = True
            self.decls.append("data Tree = Leaf | Node Tree Int Tree deriving (Eq, Ord, Show)")
        for i in range(self.r.randint(1, 3)):
            name = f"D{i + 1}"
            cons = []
            ncons = self.r.randint(2, 4)
            for j in range(ncons):
                cname = f"{'ABCDEFG'[j]}{i + 1}"
                kind = self.pick(["pos", "pos", "rec", "nullary"]) if j > 0 else self.pick(["pos", "rec"])
                if kind == "pos":
                    fields = [self.field_type() for _ in range(self.r.randint(1, 3))]
                elif kind == "rec":
                    fields = []
                    used = set()
                    for _ in range(self.r.randint(1, 3)):
                        f = self.pick(["p", "q", "s", "tag", "xs", "sz"])
                        if f in used:
                            continue
                        used.add(f)
                        fields.append((f, self.field_type()))
                else:
                    fields = []
                cons.append((cname, kind, fields))
            self.datas[name] = cons
            alts = []
            for cname, kind, fields in cons:
                if kind == "pos":
                    alts.append(cname + " " + " ".join(self.tystr(t, False) if t[0] not in ("List", "Tup") else self.tystr(t) for t in fields))
                elif kind == "rec":
                    alts.append(cname + " { " + ", ".join(f"{f} :: {self.tystr(t)}" for f, t in fields) + " }")
                else:
                    alts.append(cname)
            self.decls.append(f"data {name}\n  = " + "\n  | ".join(alts) + "\n  deriving (Eq, Ord, Show)")

    def field_type(self):
        opts = [INT, INT, STR, FLOAT, BOOL, List(INT), Maybe(INT), List(STR), Tup(INT, STR)]
        if self.datas:
            opts.append(Data(self.pick(sorted(self.datas))))
        if self.recs and self.chance(0.3):
            opts.append(Rec(self.pick(sorted(self.recs))))
        return self.pick(opts)

    # ------------------------------------------------------------------ literals / leaves
    def int_lit(self, lo=-5, hi=20):
        n = self.r.randint(lo, hi)
        if self.chance(0.04):
            n = self.pick([9223372036854775807, -9223372036854775808, 4294967296, 255, 256, 65535, -65536, 1 << 62])
        return f"({n})" if n < 0 else str(n)

    def float_lit(self):
        v = self.pick([0.0, 0.5, 1.0, 1.5, 2.25, 3.0, 10.0, 100.5, 0.125, 7.75])
        return f"(-{v})" if self.chance(0.2) else str(v)

    def str_lit(self):
        return '"' + self.pick(["", "a", "ab", "xyz", "hello", "Q", "k1", "w w", "-"]) + '"'

    def leaf(self, t, env, d=1):
        """A small closed-ish value of type t (may use env variables of type t)."""
        vs = [n for n, vt in env if vt == t]
        if vs and self.chance(0.6):
            return self.pick(vs)
        return self.literal(t, d, env)

    def literal(self, t, d=1, env=()):
        k = t[0]
        if k == "Int":
            return self.int_lit()
        if k == "Float":
            return self.float_lit()
        if k == "Bool":
            return self.pick(["True", "False"])
        if k == "String":
            return self.str_lit()
        if k == "Bytes":
            return self.pick(['b"\\x01\\x02"', "B.empty", "<<7, 8, 9>>", 'b"ok"', "<<1:16, 2:8>>", "<<255, 0, 3, 4, 5>>"])
        if k == "List":
            n = self.r.randint(2, 6) if self.in_main else self.r.randint(0, 5 if d > 0 else 2)
            return "[" + ", ".join(self.leaf(t[1], env, d - 1) for _ in range(n)) + "]"
        if k == "Tup":
            return "(" + ", ".join(self.leaf(x, env, d - 1) for x in t[1:]) + ")"
        if k == "Maybe":
            return "Nothing" if self.chance(0.3) else f"(Just {self.leaf(t[1], env, d - 1)})"
        if k == "Either":
            if self.chance(0.5):
                return f"(Left {self.leaf(t[1], env, d - 1)})"
            return f"(Right {self.leaf(t[2], env, d - 1)})"
        if k == "Data":
            return self.construct(t, env, d - 1, leafy=True)
        if k == "Rec":
            return "{ " + ", ".join(f"{f} = {self.leaf(ft, env, d - 1)}" for f, ft in self.recs[t[1]]) + " }"
        if k == "Tree":
            return self.tree_lit(self.r.randint(0, 3 if d > 0 else 1))
        if k == "Fun":
            v = self.fresh("u")
            return f"(\\{v} -> {self.leaf(t[2], env + [(v, t[1])], d - 1)})"
        raise ValueError(t)

    def tree_lit(self, d):
        if d <= 0 or self.chance(0.2):
            return "Leaf"
        return f"(Node {self.tree_lit(d - 1)} {self.int_lit()} {self.tree_lit(d - 1)})"

    def construct(self, t, env, d, leafy=False):
        cons = self.datas[t[1]]
        cname, kind, fields = self.pick(cons)
        sub = (lambda ft: self.leaf(ft, env, d)) if leafy else (lambda ft: self.expr(ft, env, d))
        if kind == "nullary":
            return cname
        if kind == "pos":
            return "(" + cname + " " + " ".join(self.paren(sub(ft)) for ft in fields) + ")"
        return "(" + cname + " { " + ", ".join(f"{f} = {sub(ft)}" for f, ft in fields) + " })"

    def ann(self, e, t):
        return f"({e} :: {self.tystr(t)})"

    def ordable(self, t):
        k = t[0]
        if k in ("Fun", "Either"):
            return False
        if k in ("List", "Maybe"):
            return self.ordable(t[1])
        if k == "Tup":
            return all(self.ordable(x) for x in t[1:])
        if k == "Data":
            return all(self.ordable(ft if c[1] == "pos" else ft[1]) for c in self.datas[t[1]] for ft in c[2])
        if k == "Rec":
            return all(self.ordable(ft) for _, ft in self.recs[t[1]])
        return True

    def paren(self, s):
        s = s.strip()
        if s.startswith("(") and self.balanced_outer(s):
            return s
        if all(c.isalnum() or c in "_'." for c in s) and not s.startswith("-"):
            return s
        if s.startswith("[") and self.balanced_outer(s, "[", "]"):
            return s
        return "(" + s + ")"

    @staticmethod
    def balanced_outer(s, o="(", c=")"):
        if not (s.startswith(o) and s.endswith(c)):
            return False
        depth = 0
        instr = False
        for i, ch in enumerate(s):
            if ch == '"' and (i == 0 or s[i - 1] != "\\"):
                instr = not instr
            if instr:
                continue
            if ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth -= 1
                if depth == 0 and i != len(s) - 1:
                    return False
        return True

    # ------------------------------------------------------------------ expressions
    def vars_of(self, env, t):
        return [n for n, vt in env if vt == t]

    def callables(self, t):
        return [f for f in self.funcs if f[2] == t]

    def expr(self, t, env, d):
        """An expression of type t."""
        if d <= 0:
            return self.leaf(t, env, 0)
        k = t[0]
        opts = [("leaf", 2)]
        vs = self.vars_of(env, t)
        if vs:
            opts.append(("var", 4))
        if self.callables(t):
            opts.append(("call", 4))
        funvars = [(n, vt) for n, vt in env if vt[0] == "Fun" and vt[2] == t]
        if funvars:
            opts.append(("apply", 3))
        opts += [("if", 1), ("let", 1), ("case", 1.5)]
        tups = [(n, vt) for n, vt in env if vt[0] == "Tup" and t in vt[1:]]
        if tups:
            opts.append(("proj", 2))
        recs = [(n, vt, f) for n, vt in env if vt[0] == "Rec" for f, ft in self.recs[vt[1]] if ft == t]
        if recs:
            opts.append(("field", 3))
        opts += [("typed", 8), ("poly", 1.2)]
        if self.weighable(t) and t[0] == "Data" and not self.in_class:
            opts.append(("heavier", 0.8))
        choice = self.r.choices([o for o, _ in opts], [w for _, w in opts])[0]
        if choice == "poly":
            o = self.r.randint(0, 3)
            if o == 0:
                return f"(twice {self.lam(t, lambda env2: self.expr(t, env2, d - 1), env, d)} {self.paren(self.expr(t, env, d - 1))})"
            if o == 1:
                return f"(choose {self.paren(self.expr(BOOL, env, d - 1))} {self.paren(self.expr(t, env, d - 1))} {self.paren(self.expr(t, env, d - 1))})"
            if o == 2:
                fs = [self.expr(Fun(t, t), env, d - 1) for _ in range(self.r.randint(0, 3))]
                return f"(applyAll [{', '.join(fs)}] {self.paren(self.expr(t, env, d - 1))})"
            if t[0] == "Maybe":
                return f"(firstJust [{', '.join(self.expr(t, env, d - 1) for _ in range(self.r.randint(0, 3)))}])"
            choice = "typed"
        if choice == "heavier":
            return f"(heavier {self.paren(self.expr(t, env, d - 1))} {self.paren(self.expr(t, env, d - 1))})"
        if choice == "leaf":
            return self.leaf(t, env, 1)
        if choice == "var":
            return self.pick(vs)
        if choice == "call":
            name, ps, _ = self.pick(self.callables(t))
            return "(" + name + " " + " ".join(self.paren(self.expr(p, env, d - 1)) for p in ps) + ")"
        if choice == "apply":
            n, vt = self.pick(funvars)
            return f"({n} {self.paren(self.expr(vt[1], env, d - 1))})"
        if choice == "if":
            return f"(if {self.expr(BOOL, env, d - 1)} then {self.expr(t, env, d - 1)} else {self.expr(t, env, d - 1)})"
        if choice == "let":
            lt = self.rand_type(1, allow_fun=self.chance(0.35))
            v = self.fresh()
            if self.chance(0.3) and lt[0] == "Tup":
                names = [self.fresh() for _ in lt[1:]]
                return (f"(let ({', '.join(names)}) = {self.ann(self.expr(lt, env, d - 1), lt)} in "
                        f"{self.expr(t, env + list(zip(names, lt[1:])), d - 1)})")
            return f"(let {v} = {self.ann(self.expr(lt, env, d - 1), lt)} in {self.expr(t, env + [(v, lt)], d - 1)})"
        if choice == "case":
            return self.case_expr(t, env, d)
        if choice == "proj":
            n, vt = self.pick(tups)
            i = vt.index(t) - 1
            if len(vt) == 3:
                return f"({'fst' if i == 0 else 'snd'} {n})"
            names = ["_"] * (len(vt) - 1)
            names[i] = self.fresh()
            return f"(case {n} of {{ ({', '.join(names)}) -> {names[i]} }})"
        if choice == "field":
            n, vt, f = self.pick(recs)
            return f"{n}.{f}"
        return self.typed(t, env, d)

    def list_source(self, env, d, elem=None):
        """A list expression and its element type (prefer lists in scope)."""
        lists = [(n, vt[1]) for n, vt in env if vt[0] == "List" and (elem is None or vt[1] == elem)]
        if lists and self.chance(0.7):
            return self.pick(lists)
        et = elem or self.rand_type(1)
        return self.ann(self.expr(List(et), env, d - 1), List(et)), et

    def lam(self, argt, rest, env, d, capture_drop=False):
        """A lambda; sometimes with a tuple pattern; it may capture anything in env."""
        if argt[0] == "Tup" and self.chance(0.4):
            names = [self.fresh("p") if self.chance(0.8) else "_" for _ in argt[1:]]
            newenv = env + [(n, tt) for n, tt in zip(names, argt[1:]) if n != "_"]
            return f"(\\({', '.join(names)}) -> {rest(newenv)})"
        v = self.fresh("x")
        return f"(\\{v} -> {rest(env + [(v, argt)])})"

    def typed(self, t, env, d):
        k = t[0]
        e = lambda tt, dd=d - 1: self.expr(tt, env, dd)
        if k == "Int":
            o = self.pick(["arith", "arith", "arith", "length", "sum", "div", "minmax", "abs", "round",
                           "foldr", "foldl", "blen", "slen", "tree", "bits", "bits"])
            if o in ("tree", "blen") and self.chance(0.5) and not self.in_class:
                # class methods, at a type that has an instance
                wt = self.pick([INT, List(INT)] + [Data(n) for n in sorted(self.datas)] + [List(Data(n)) for n in sorted(self.datas)])
                if self.chance(0.5):
                    return f"(weigh {self.paren(self.ann(e(wt), wt))})"
                return f"(weighAll {self.paren(self.ann(e(List(wt)), List(wt)))})"
            if o == "slen" and self.chance(0.5):
                kv = self.rand_type(1)
                return f"(Map.size (Map.fromList {self.paren(self.ann(e(List(Tup(INT, kv))), List(Tup(INT, kv))))}))"
            if o == "bits":
                k = self.pick(["(-1)", "0", "1", "7", "63", "64", "65", "200", self.paren(e(INT))])
                op = self.r.randint(0, 3)
                if op == 0:
                    return f"({self.pick(['shiftL', 'shiftR', 'rotateL', 'rotateR', 'shift'])} {self.paren(e(INT))} {k})"
                if op == 1:
                    return f"({e(INT)} {self.pick(['.&.', '.|.', '`xor`'])} {e(INT)})"
                if op == 2:
                    return f"({self.pick(['popCount', 'complement', 'countLeadingZeros', 'countTrailingZeros'])} {self.paren(e(INT))})"
                return f"(if testBit {self.paren(e(INT))} {k} then {e(INT)} else {e(INT)})"
            if o == "arith":
                return f"({e(INT)} {self.pick(['+', '-', '*', '+'])} {e(INT)})"
            if o == "length":
                src, _ = self.list_source(env, d)
                return f"(length {self.paren(src)})"
            if o == "sum":
                src, _ = self.list_source(env, d, INT)
                return f"(sum {self.paren(src)})"
            if o == "div":
                return f"({e(INT)} `{self.pick(['div', 'mod', 'quot', 'rem'])}` {self.r.randint(1, 7)})"
            if o == "minmax":
                return f"({self.pick(['max', 'min'])} {self.paren(e(INT))} {self.paren(e(INT))})"
            if o == "abs":
                return f"(abs {self.paren(e(INT))})"
            if o == "round":
                return f"({self.pick(['round', 'truncate', 'floor', 'ceiling'])} {self.paren(e(FLOAT))})"
            if o in ("foldr", "foldl"):
                return self.fold(INT, env, d, o)
            if o == "blen":
                return f"(B.length {self.paren(e(BYTES))})"
            if o == "slen":
                return f"(S.length {self.paren(e(STR))})"
            if o == "tree" and self.uses_tree:
                return f"(treeSum {self.paren(e(TREE))})"
            return f"({e(INT)} + 1)"
        if k == "Float":
            o = self.pick(["arith", "arith", "tofloat", "abs", "half", "foldl"])
            if o == "arith":
                return f"({e(FLOAT)} {self.pick(['+', '-', '*'])} {e(FLOAT)})"
            if o == "tofloat":
                return f"(toFloat {self.paren(e(INT))})"
            if o == "abs":
                return f"(abs {self.paren(e(FLOAT))})"
            if o == "half":
                return f"({e(FLOAT)} / {self.pick(['2.0', '4.0', '0.5'])})"
            return self.fold(FLOAT, env, d, "foldl")
        if k == "Bool":
            o = self.pick(["cmp", "cmp", "eq", "and", "not", "null", "elem", "any"])
            if o == "cmp":
                ct = self.pick([INT, INT, FLOAT, STR])
                return f"({e(ct)} {self.pick(['<', '<=', '>', '>=', '==', '/='])} {e(ct)})"
            if o == "eq":
                vars_ = [(n, vt) for n, vt in env if self.showable(vt)]
                if vars_:
                    n, vt = self.pick(vars_)
                    ops = ['==', '/=', '<', '>='] if self.ordable(vt) else ['==', '/=']
                    return f"({n} {self.pick(ops)} {e(vt)})"
                return f"({e(INT)} == {e(INT)})"
            if o == "and":
                return f"({e(BOOL)} {self.pick(['&&', '||'])} {e(BOOL)})"
            if o == "not":
                return f"(not {self.paren(e(BOOL))})"
            if o == "null":
                src, _ = self.list_source(env, d)
                return f"(null {self.paren(src)})"
            if o == "elem":
                src, et = self.list_source(env, d, INT)
                return f"(elem {self.paren(e(INT))} {self.paren(src)})"
            src, et = self.list_source(env, d)
            body = self.lam(et, lambda env2: self.expr(BOOL, env2, d - 1), env, d)
            return f"({self.pick(['any', 'all'])} {body} {self.paren(src)})"
        if k == "String":
            o = self.pick(["cat", "cat", "show", "show", "interp", "upper", "concat"])
            if o == "cat":
                return f"({e(STR)} ++ {e(STR)})"
            if o == "show":
                vars_ = [(n, vt) for n, vt in env if self.showable(vt)]
                if vars_ and self.chance(0.6):
                    return f"(show {self.pick(vars_)[0]})"
                st = self.rand_type(1)
                return f"(show ({e(st)} :: {self.tystr(st)}))"
            if o == "interp":
                return f'"<${{{e(STR)}}}|${{show {self.paren(e(INT))}}}>"'
            if o == "upper":
                return f"({self.pick(['S.toUpper', 'S.reverse'])} {self.paren(e(STR))})"
            src, et = self.list_source(env, d)
            if self.showable(et):
                return f"(S.concat (map show {self.paren(src)}))"
            return f"({e(STR)} ++ {self.str_lit()})"
        if k == "Bytes":
            o = self.pick(["build", "build", "cat", "take"])
            if o == "build":
                segs = []
                for _ in range(self.r.randint(1, 3)):
                    s = self.pick([8, 8, 16, 32])
                    opt = self.pick(["", "", "/little", "/big", "/signed"]) if s > 8 else ""
                    segs.append(f"{self.paren(e(INT))}:{s}{opt}")
                if self.chance(0.5):
                    segs.append(f"{self.paren(e(BYTES))}/bytes")
                self.r.shuffle(segs)
                return "<<" + ", ".join(segs) + ">>"
            if o == "cat":
                return f"({e(BYTES)} ++ {e(BYTES)})"
            return f"(B.{self.pick(['take', 'drop'])} {self.r.randint(0, 4)} {self.paren(e(BYTES))})"
        if k == "List":
            et = t[1]
            o = self.pick(["lit", "cons", "app", "map", "map", "filter", "take", "rev", "comp", "range", "zip"])
            if o == "lit":
                return "[" + ", ".join(e(et) for _ in range(self.r.randint(0, 3))) + "]"
            if o == "cons":
                return f"({e(et)} : {e(t)})"
            if o == "app":
                return f"({e(t)} ++ {e(t)})"
            if o == "map":
                src, st = self.list_source(env, d)
                body = self.lam(st, lambda env2: self.expr(et, env2, d - 1), env, d)
                return f"(map {body} {self.paren(src)})"
            if o == "filter":
                src, st = self.list_source(env, d, et)
                body = self.lam(st, lambda env2: self.expr(BOOL, env2, d - 1), env, d)
                return f"(filter {body} {self.paren(src)})"
            if o == "take":
                return f"({self.pick(['take', 'drop'])} {self.r.randint(0, 4)} {self.paren(e(t))})"
            if o == "rev":
                return f"(reverse {self.paren(e(t))})"
            if o == "comp":
                src, st = self.list_source(env, d)
                v = self.fresh("c")
                env2 = env + [(v, st)]
                cond = f", {self.expr(BOOL, env2, d - 1)}" if self.chance(0.6) else ""
                return f"[{self.expr(et, env2, d - 1)} | {v} <- {src}{cond}]"
            if o == "range" and et == INT:
                a = self.r.randint(-3, 5)
                return f"[{a} .. {self.paren(e(INT))} `mod` 9]" if self.chance(0.4) else f"[{a} .. {a + self.r.randint(0, 6)}]"
            if o == "zip" and et[0] == "Tup" and len(et) == 3 and et[1] == INT and self.chance(0.5):
                m = self.ann(e(List(et)), List(et))
                return self.pick([f"(Map.toList (Map.fromList {m}))",
                                  f"(Map.toList (Map.filter {self.lam(et[2], lambda env2: self.expr(BOOL, env2, d - 1), env, d)} (Map.fromList {m})))",
                                  f"(Map.toList (Map.delete {self.paren(e(INT))} (Map.fromList {m})))"])
            if o == "zip" and et[0] == "Tup" and len(et) == 3:
                return f"(zip {self.paren(e(List(et[1])))} {self.paren(e(List(et[2])))})"
            return f"({e(et)} : {self.literal(t, 1, env)})"
        if k == "Tup":
            return "(" + ", ".join(e(x) for x in t[1:]) + ")"
        if k == "Maybe":
            o = self.pick(["just", "just", "nothing", "lookup", "fmap"])
            if o == "just":
                return f"(Just {self.paren(e(t[1]))})"
            if o == "lookup":
                kt = self.pick([INT, STR])
                return f"(lookup {self.paren(e(kt))} {self.paren(e(List(Tup(kt, t[1]))))})"
            if o == "lookup" and self.chance(0.5):
                return (f"(Map.lookup {self.paren(e(INT))} (Map.insertWith (\\_ old -> old) {self.paren(e(INT))} "
                        f"{self.paren(e(t[1]))} (Map.fromList {self.paren(self.ann(e(List(Tup(INT, t[1]))), List(Tup(INT, t[1]))))})))")
            if o == "just" and self.chance(0.3):
                # do-notation in the Maybe monad
                at, bt = self.rand_type(1), self.rand_type(1)
                x, y = self.fresh("dx"), self.fresh("dy")
                return (f"(do {{ {x} <- {self.paren(self.ann(e(Maybe(at)), Maybe(at)))}; "
                        f"{y} <- {self.paren(self.ann(self.expr(Maybe(bt), env + [(x, at)], d - 1), Maybe(bt)))}; "
                        f"pure {self.paren(self.expr(t[1], env + [(x, at), (y, bt)], d - 1))} }})")
            if o == "fmap":
                src = self.vars_of(env, Maybe(INT))
                if src:
                    body = self.lam(INT, lambda env2: self.expr(t[1], env2, d - 1), env, d)
                    return f"(fmap {body} {self.pick(src)})"
            return "Nothing"
        if k == "Either":
            if self.chance(0.5):
                return f"(Left {self.paren(e(t[1]))})"
            return f"(Right {self.paren(e(t[2]))})"
        if k == "Data":
            # sometimes update the record inside a record-field constructor
            vs = self.vars_of(env, t)
            reccons = [c for c in self.datas[t[1]] if c[1] == "rec"]
            if vs and reccons and self.chance(0.3):
                cname, _, fields = self.pick(reccons)
                r = self.fresh("r")
                f, ft = self.pick(fields)
                return (f"(case {self.pick(vs)} of {{ {cname} {r} -> {cname} ({r} {{ {f} = {self.expr(ft, env, d - 1)} }}); "
                        f"{self.fresh('o')} -> {self.expr(t, env, d - 1)} }})")
            return self.construct(t, env, d - 1)
        if k == "Rec":
            vs = self.vars_of(env, t)
            fields = self.recs[t[1]]
            if vs and self.chance(0.5):
                f, ft = self.pick(fields)
                return f"({self.pick(vs)} {{ {f} = {e(ft)} }})"
            return "{ " + ", ".join(f"{f} = {e(ft)}" for f, ft in fields) + " }"
        if k == "Tree":
            if self.chance(0.5):
                return f"(Node {self.paren(e(TREE))} {self.paren(e(INT))} {self.paren(e(TREE))})"
            if self.chance(0.5):
                return f"(insertT {self.paren(e(INT))} {self.paren(e(TREE))})"
            return self.tree_lit(2)
        if k == "Fun":
            o = self.pick(["lam", "lam", "partial", "section", "compose"])
            if o == "partial":
                cands = [f for f in self.funcs if len(f[1]) >= 2 and f[1][-1] == t[1] and f[2] == t[2]]
                if cands:
                    name, ps, _ = self.pick(cands)
                    return "(" + name + " " + " ".join(self.paren(e(p)) for p in ps[:-1]) + ")"
                cands = [f for f in self.funcs if len(f[1]) == 1 and f[1][0] == t[1] and f[2] == t[2]]
                if cands:
                    return self.pick(cands)[0]
            if o == "section" and t[1] == INT and t[2] == INT:
                o2 = self.r.randint(0, 2)
                if o2 == 0:
                    return f"({self.pick(['+', '*'])} {self.paren(e(INT))})"
                if o2 == 1:
                    return f"(subtract {self.paren(e(INT))})"
                return f"({self.paren(e(INT))} {self.pick(['+', '-', '*'])})"
            if o == "compose" and t[1] == t[2]:
                return f"({self.paren(e(t))} . {self.paren(e(t))})"
            # a lambda capturing some variables; one branch may ignore them
            return self.lam(t[1], lambda env2: self.expr(t[2], env2, d - 1), env, d)
        raise ValueError(t)

    def fold(self, t, env, d, which):
        src, st = self.list_source(env, d)
        a, x = self.fresh("acc"), self.fresh("y")
        env2 = env + [(x, st)]
        step = self.grow(t, a, env2, d - 1)
        z = self.expr(t, env, d - 1)
        if which == "foldr":
            return f"(foldr (\\{x} {a} -> {step}) {self.paren(z)} {self.paren(src)})"
        return f"(foldl (\\{a} {x} -> {step}) {self.paren(z)} {self.paren(src)})"

    def grow(self, t, acc, env, d):
        """An expression of type t that uses `acc` at most once (accumulators never double)."""
        k = t[0]
        e = lambda tt: self.expr(tt, env, d)
        if k == "Int" and self.chance(0.8):
            return self.pick([f"{acc} + {self.paren(e(INT))}", f"max {acc} {self.paren(e(INT))}",
                              f"{acc} * 3 + {self.paren(e(INT))}", f"({acc} + 1) `mod` 1000"])
        if k == "Float" and self.chance(0.8):
            return self.pick([f"{acc} + {self.paren(e(FLOAT))}", f"{acc} * 0.5"])
        if k == "Bool" and self.chance(0.8):
            return self.pick([f"{acc} && {self.paren(e(BOOL))}", f"{acc} || {self.paren(e(BOOL))}", f"not {acc}"])
        if k == "String" and self.chance(0.8):
            return self.pick([f"{acc} ++ {self.paren(e(STR))}", f"{self.paren(e(STR))} ++ {acc}"])
        if k == "List" and self.chance(0.8):
            return self.pick([f"{self.paren(e(t[1]))} : {acc}", f"take 6 ({self.paren(e(t[1]))} : {acc})",
                              f"{acc} ++ [{e(t[1])}]", f"drop 1 {acc}"])
        if k == "Maybe" and self.chance(0.5):
            v = self.fresh()
            return f"case {acc} of {{ Nothing -> {self.expr(t, env, d)}; Just {v} -> {self.expr(t, env + [(v, t[1])], d)} }}"
        return f"if {self.paren(e(BOOL))} then {acc} else {self.paren(e(t))}"

    # ------------------------------------------------------------------ case / patterns
    def scrutinee(self, env, d):
        """Something to match on: a variable in scope (most often) or an expression."""
        cands = [(n, vt) for n, vt in env if vt is not None and vt[0] in ("List", "Maybe", "Either", "Data", "Tup", "Rec", "Tree", "Int", "String", "Bytes")]
        if cands and self.chance(0.75):
            return self.pick(cands)
        st = self.rand_type(2)
        return self.ann(self.expr(st, env, d - 1), st), st

    def case_expr(self, t, env, d):
        scr, st = self.scrutinee(env, d)
        alts = []
        for _ in range(self.r.randint(1, 3)):
            self.puns = set()
            p, binds = self.pattern(st, 2)
            env2 = env + self.fix_env(binds)
            if self.chance(0.35):
                alts.append(f"{p} | {self.expr(BOOL, env2, d - 1)} -> {self.expr(t, env2, d - 1)}")
            else:
                alts.append(f"{p} -> {self.expr(t, env2, d - 1)}")
        w = self.fresh("w") if self.chance(0.5) else "_"
        env3 = env + ([(w, st)] if w != "_" else [])
        alts.append(f"{w} -> {self.expr(t, env3, d - 1)}")
        return f"(case {self.paren(scr)} of {{ " + "; ".join(alts) + " })"

    def pattern(self, t, d, top=True):
        """A (possibly refutable) pattern for type t and the variables it binds."""
        k = t[0]
        refutable_type = k in ("List", "Maybe", "Either", "Data", "Tree", "Bytes", "Int", "String", "Bool")
        if d <= 0 or (self.chance(0.15) and not (top and refutable_type and self.chance(0.9))):
            if self.chance(0.3):
                return "_", []
            v = self.fresh("m")
            return v, [(v, t)]
        if self.chance(0.12) and k in ("List", "Maybe", "Data", "Tup", "Either", "Tree"):
            v = self.fresh("all")
            p, b = self.pattern(t, d, False)
            if p == "_" or (b and p == b[0][0]):
                return v, [(v, t)]
            return f"{v}@{self.paren(p) if not p.startswith('(') else p}", [(v, t)] + b
        if k == "Int":
            return self.pick(["0", "1", "2", "7"]), []
        if k == "Bool":
            return self.pick(["True", "False"]), []
        if k == "String":
            return self.str_lit(), []
        if k == "Float":
            v = self.fresh("m")
            return v, [(v, t)]
        if k == "List":
            o = self.pick(["nil", "cons", "cons", "cons2", "one", "two"])
            if o == "nil":
                return "[]", []
            if o == "cons":
                p1, b1 = self.pattern(t[1], d - 1, False)
                p2, b2 = self.pattern(t, d - 1, False)
                return f"({p1} : {p2})", b1 + b2
            if o == "cons2":
                p1, b1 = self.pattern(t[1], d - 1, False)
                p2, b2 = self.pattern(t[1], d - 1, False)
                r = self.fresh("rest")
                return f"({p1} : {p2} : {r})", b1 + b2 + [(r, t)]
            if o == "one":
                p1, b1 = self.pattern(t[1], d - 1, False)
                return f"[{p1}]", b1
            p1, b1 = self.pattern(t[1], d - 1, False)
            p2, b2 = self.pattern(t[1], d - 1, False)
            return f"[{p1}, {p2}]", b1 + b2
        if k == "Tup":
            ps, bs = [], []
            for x in t[1:]:
                p, b = self.pattern(x, d - 1, False)
                ps.append(p)
                bs += b
            return "(" + ", ".join(ps) + ")", bs
        if k == "Maybe":
            if self.chance(0.3):
                return "Nothing", []
            p, b = self.pattern(t[1], d - 1, False)
            return f"(Just {self.paren(p)})", b
        if k == "Either":
            i = self.r.randint(1, 2)
            p, b = self.pattern(t[i], d - 1, False)
            return f"({'Left' if i == 1 else 'Right'} {self.paren(p)})", b
        if k == "Data":
            cname, kind, fields = self.pick(self.datas[t[1]])
            if kind == "nullary":
                return cname, []
            if kind == "pos":
                ps, bs = [], []
                for ft in fields:
                    p, b = self.pattern(ft, d - 1, False)
                    ps.append(self.paren(p))
                    bs += b
                return f"({cname} {' '.join(ps)})", bs
            if self.chance(0.4):
                r = self.fresh("r")
                return f"({cname} {r})", [(r, ("RecOf", t[1], cname))]
            sub = self.r.sample(fields, self.r.randint(1, len(fields)))
            ps, bs = [], []
            for f, ft in sub:
                if self.chance(0.3) and f not in self.puns:
                    self.puns.add(f)
                    ps.append(f)   # pun
                    bs.append((f, ft))
                else:
                    p, b = self.pattern(ft, d - 1, False)
                    ps.append(f"{f} = {p}")
                    bs += b
            return f"({cname} {{ {', '.join(ps)} }})", bs
        if k == "Rec":
            fields = self.recs[t[1]]
            sub = self.r.sample(fields, self.r.randint(1, len(fields)))
            ps, bs = [], []
            for f, ft in sub:
                p, b = self.pattern(ft, d - 1, False)
                ps.append(f"{f} = {p}")
                bs += b
            return f"({{ {', '.join(ps)} }})", bs
        if k == "Tree":
            if self.chance(0.3):
                return "Leaf", []
            p1, b1 = self.pattern(TREE, d - 1, False)
            p2, b2 = self.pattern(INT, d - 1, False)
            p3, b3 = self.pattern(TREE, d - 1, False)
            return f"(Node {self.paren(p1)} {self.paren(p2)} {self.paren(p3)})", b1 + b2 + b3
        if k == "Bytes":
            segs, bs = [], []
            for _ in range(self.r.randint(1, 3)):
                s = self.pick([8, 8, 16])
                if self.chance(0.2):
                    segs.append(f"{self.r.randint(0, 9)}:{s}")
                else:
                    v = self.fresh("bv")
                    segs.append(f"{v}:{s}{self.pick(['', '/signed', '/little'] if s == 16 else [''])}")
                    bs.append((v, INT))
            if self.chance(0.7):
                v = self.fresh("bs")
                segs.append(f"{v}/bytes")
                bs.append((v, BYTES))
            return "<<" + ", ".join(segs) + ">>", bs
        v = self.fresh("m")
        return v, [(v, t)]

    # ------------------------------------------------------------------ functions
    def fix_env(self, binds):
        """Record-field-constructor variables (`C r`) become records with known fields: we model
        them by adding one pseudo-variable per field access `r.f`."""
        out = []
        for n, t in binds:
            if t is not None and t[0] == "RecOf":
                for cname, kind, fields in self.datas[t[1]]:
                    if cname == t[2]:
                        for f, ft in fields:
                            out.append((f"{n}.{f}", ft))
            elif t is not None:
                out.append((n, t))
        return out

    def guard_quals(self, env, d):
        """One guard alternative's qualifiers (booleans, pattern guards, lets): (text, env)."""
        quals = []
        env2 = list(env)
        for _ in range(self.r.randint(1, 3)):
            o = self.pick(["bool", "bool", "patguard", "let", "lettup"])
            if o == "bool":
                quals.append(self.expr(BOOL, env2, d - 1))
            elif o == "patguard":
                scr, st = self.scrutinee(env2, d)
                p, b = self.pattern(st, 2)
                if p == "_" or (b and p == b[0][0]):
                    p, b = self.refutable(st)
                quals.append(f"{p} <- {scr}")
                env2 += self.fix_env(b)
            elif o == "let":
                v = self.fresh("g")
                lt = self.rand_type(1)
                quals.append(f"let {v} = {self.ann(self.expr(lt, env2, d - 1), lt)}")
                env2.append((v, lt))
            else:
                a, b = self.fresh("g"), self.fresh("g")
                ta, tb = self.rand_type(1), self.pick([INT, FLOAT, BOOL])
                quals.append(f"let ({a}, {b}) = {self.ann(self.expr(Tup(ta, tb), env2, d - 1), Tup(ta, tb))}")
                env2 += [(a, ta), (b, tb)]
                quals.append(self.expr(BOOL, env2, d - 1))
        if quals[-1].startswith("let "):
            quals.append(self.expr(BOOL, env2, d - 1))
        return ", ".join(quals), env2

    def guards(self, res, env, d, last_otherwise, rhs=None):
        """Guard alternatives; returns lines `| ... = e`. rhs(env) makes the right-hand sides."""
        lines = []
        for _ in range(self.r.randint(1, 3)):
            q, env2 = self.guard_quals(env, d)
            lines.append(f"  | {q} = {rhs(env2) if rhs else self.expr(res, env2, d)}")
        if last_otherwise:
            lines.append(f"  | otherwise = {rhs(env) if rhs else self.expr(res, env, d)}")
        return lines

    def refutable(self, t):
        k = t[0]
        if k == "List":
            v, r = self.fresh("h"), self.fresh("t")
            return f"({v} : {r})", [(v, t[1]), (r, t)]
        if k == "Maybe":
            v = self.fresh("j")
            return f"Just {v}", [(v, t[1])]
        if k == "Either":
            v = self.fresh("j")
            return f"Right {v}", [(v, t[2])]
        if k == "Int":
            return "0", []
        if k == "Bytes":
            v, r = self.fresh("bv"), self.fresh("bs")
            return f"<<{v}:8, {r}/bytes>>", [(v, INT), (r, BYTES)]
        v = self.fresh("m")
        return v, [(v, t)]

    def where_block(self, env, d):
        """`where` bindings: values and a local function; some are never used."""
        binds = []
        lines = []
        for _ in range(self.r.randint(1, 2)):
            wt = self.rand_type(1)
            v = self.fresh("wv")
            if self.chance(0.25):
                go, y, ys = self.fresh("go"), self.fresh("y"), self.fresh("ys")
                et = self.rand_type(1)
                benv = env + binds
                lines.append(f"    {go} :: {self.tystr(List(et))} -> {self.tystr(wt)}")
                lines.append(f"    {go} [] = {self.expr(wt, benv, d - 1)}")
                rec = f"{go} {ys}"
                lines.append(f"    {go} ({y} : {ys})")
                ienv = benv + [(y, et), (ys, List(et))]
                lines.append(f"      | {self.expr(BOOL, ienv, 1)} = {self.combine(wt, rec, ienv, d)}")
                lines.append(f"      | otherwise = {self.pick([rec, self.combine(wt, rec, ienv, d)])}")
                binds.append((go, Fun(List(et), wt)))
            elif self.chance(0.3):
                a = self.fresh("wa")
                at = self.pick([INT, STR])
                lines.append(f"    {v} {a} = {self.expr(wt, env + binds + [(a, at)], d - 1)}")
                binds.append((v, Fun(at, wt)))
            else:
                lines.append(f"    {v} = {self.ann(self.expr(wt, env + binds, d - 1), wt)}")
                binds.append((v, wt))
        return ["  where"] + lines, binds

    def signature(self, name, ps, res):
        return f"{name} :: " + " -> ".join(["(" + self.tystr(p) + ")" if p[0] == "Fun" else self.tystr(p) for p in ps] + [self.tystr(res)])

    def gen_function(self, idx):
        name = f"f{idx}"
        kind = self.pick(["plain", "guarded", "clauses", "clauses", "listrec", "listrec", "window",
                          "countdown", "hof", "bytes"] + (["tree"] if self.uses_tree else []))
        res = self.rand_type(2)
        while not self.showable(res):
            res = self.rand_type(2)
        if kind in ("plain", "guarded", "clauses") and self.chance(0.15):
            res = Fun(self.pick([INT, STR, List(INT)]), res)
        d = self.r.randint(1, 2) if self.small else self.r.randint(2, 3)
        lines = []
        if kind in ("plain", "guarded", "clauses", "hof"):
            nps = self.r.randint(1, 3)
            ps = [self.rand_type(2, allow_fun=(kind == "hof" or self.chance(0.2))) for _ in range(nps)]
            if kind == "hof":
                ps[0] = Fun(self.pick([INT, STR, BOOL]), self.pick([INT, BOOL, STR]))
                ps.append(List(ps[0][1]))
            lines.append(self.signature(name, ps, res))
            if kind == "clauses":
                for ci in range(self.r.randint(1, 3)):
                    pats, binds = [], []
                    self.puns = set()
                    for p in ps:
                        pt, b = self.pattern(p, 2 if self.small else 3) if p[0] != "Fun" else (self.fresh("k"), None)
                        if b is None:
                            b = [(pt, p)]
                        pats.append(self.paren(pt) if pt != "_" else pt)
                        binds += b
                    env = self.fix_env(binds)
                    lines += self.clause(name, pats, env, res, d, False)
            names = [self.fresh("a") if self.chance(0.85) else "_" for _ in ps]
            env = [(n, p) for n, p in zip(names, ps) if n != "_"]
            lines += self.clause(name, names, env, res, d, kind != "plain")
        elif kind in ("listrec", "window"):
            et = self.rand_type(1)
            acct = self.rand_type(1)
            extra = self.rand_type(1) if self.chance(0.5) else None
            ps = [acct] + ([extra] if extra else []) + [List(et)]
            lines.append(self.signature(name, ps, res))
            a = self.fresh("acc")
            e = self.fresh("e") if extra else None
            x, rest = self.fresh("x"), self.fresh("rest")
            benv = [(a, acct)] + ([(e, extra)] if extra else [])
            # base clause
            lines.append(f"{name} {a} {e + ' ' if e else ''}[] = {self.expr(res, benv, d)}")
            if kind == "window":
                # the bug report's shape: guards with length w == k, a let pattern, fall-through
                w = self.fresh("win")
                ps[0] = List(et)
                acct = List(et)
                lines[0] = self.signature(name, ps, res)
                lines[1] = f"{name} {w} {e + ' ' if e else ''}[] = {self.expr(res, [(w, acct)] + ([(e, extra)] if extra else []), d)}"
                env = [(w, acct), (x, et), (rest, List(et))] + ([(e, extra)] if extra else [])
                k = self.r.randint(1, 4)
                nxt = f"{name} (take {k} ({x} : {w})) {e + ' ' if e else ''}{rest}"
                m, s = self.fresh("g"), self.fresh("g")
                cond_env = env + [(m, INT), (s, INT)]
                lines.append(f"{name} {w} {e + ' ' if e else ''}({x} : {rest})")
                lines.append(f"  | length {w} == {k}, let ({m}, {s}) = ({self.expr(INT, env, 1)}, length {w}), "
                             f"{self.expr(BOOL, cond_env, 1)} = {self.combine(res, nxt, cond_env, d)}")
                if self.chance(0.5):
                    lines.append(f"  | Just {m} <- {self.ann(self.expr(Maybe(INT), env, 1), Maybe(INT))}, {self.expr(BOOL, env + [(m, INT)], 1)} = {self.combine(res, nxt, env + [(m, INT)], d)}")
                lines.append(f"  | otherwise = {nxt if self.chance(0.6) else self.combine(res, nxt, env, d)}")
            else:
                xp, xb = (x, [(x, et)])
                if self.chance(0.5):
                    xp, xb = self.pattern(et, 2)
                    xb = self.fix_env(xb)
                    if xp == "_" or not xb or xp == xb[0][0]:
                        xp, xb = x, [(x, et)]
                    else:
                        # the element pattern may fail: add a clause for any element after it
                        pass
                allx = self.fresh("all") if self.chance(0.3) else None
                lst = f"({xp} : {rest})"
                if allx:
                    lst = f"{allx}@{lst}"
                env = benv + xb + [(rest, List(et))] + ([(allx, List(et))] if allx else [])
                upd = self.grow(acct, a, [p for p in env if p[0] != a], d - 1)
                nxt = f"{name} ({upd}) {e + ' ' if e else ''}{rest}"
                nxt_same = f"{name} {a} {e + ' ' if e else ''}{rest}"
                lines.append(f"{name} {a} {e + ' ' if e else ''}{lst}")
                lines += self.guards(res, env, 1, False,
                                     lambda env2: self.pick([nxt, nxt_same, self.combine(res, nxt, env2, d)]))
                wl, wb = (self.where_block(env, 2) if self.chance(0.4) else ([], []))
                lines.append(f"  | otherwise = {self.pick([nxt, self.combine(res, nxt_same, env + wb, d)])}")
                lines += wl
                if xp != x:
                    # fallback clause for elements the pattern did not match
                    lines.append(f"{name} {a} {e + ' ' if e else ''}(_ : {rest}) = {nxt_same}")
        elif kind == "countdown":
            st = self.rand_type(1)
            ps = [INT, st]
            lines.append(self.signature(name, ps, res))
            n, s = self.fresh("n"), self.fresh("s")
            env = [(n, INT), (s, st)]
            lines.append(f"{name} {n} {s}")
            lines.append(f"  | {n} <= 0 || {n} > 12 = {self.expr(res, env, d)}")
            upd = self.grow(st, s, [(n, INT)], d - 1)
            nxt = f"{name} ({n} - {self.r.randint(1, 3)}) ({upd})"
            lines += self.guards(res, env, 1, False, lambda env2: self.pick([nxt, self.combine(res, nxt, env2, d)]))
            lines.append(f"  | otherwise = {nxt}")
        elif kind == "bytes":
            ps = [BYTES] + ([self.rand_type(1)] if self.chance(0.5) else [])
            lines.append(self.signature(name, ps, res))
            others = [self.fresh("o") for _ in ps[1:]]
            oenv = list(zip(others, ps[1:]))
            for _ in range(self.r.randint(1, 3)):
                p, b = self.pattern(BYTES, 2)
                if p in ("_",) or not p.startswith("<<"):
                    p, b = self.refutable(BYTES)
                lines.append(f"{name} {p} {' '.join(others)} = {self.expr(res, oenv + b, d)}".replace("  ", " "))
            if self.chance(0.5):
                h, r = self.fresh("h"), self.fresh("r")
                lines.append(f"{name} <<{h}:8, {r}/bytes>> {' '.join(others)} = {self.combine(res, name + ' ' + r + ' ' + ' '.join(others), oenv + [(h, INT), (r, BYTES)], d)}".replace("  ", " "))
            b = self.fresh("b")
            lines.append(f"{name} {b} {' '.join(others)} = {self.expr(res, oenv + [(b, BYTES)], d)}".replace("  ", " "))
        elif kind == "tree":
            ps = [TREE] + ([self.rand_type(1)] if self.chance(0.5) else [])
            lines.append(self.signature(name, ps, res))
            others = [self.fresh("o") for _ in ps[1:]]
            oenv = list(zip(others, ps[1:]))
            ot = " ".join(others)
            lines.append(f"{name} Leaf {ot} = {self.expr(res, oenv, d)}".replace("  ", " "))
            l, v, r = self.fresh("l"), self.fresh("v"), self.fresh("r")
            env = oenv + [(l, TREE), (v, INT), (r, TREE)]
            sub = self.pick([l, r])
            lines.append(f"{name} t@(Node {l} {v} {r}) {ot}".replace("  ", " "))
            env.append(("t", TREE))
            lines.append(f"  | {self.expr(BOOL, env, 1)} = {self.combine(res, f'{name} {sub} {ot}'.strip(), env, d)}")
            lines.append(f"  | otherwise = {self.combine(res, f'{name} {self.pick([l, r])} {ot}'.strip(), env, d)}")
        self.funcs.append((name, ps, res))
        return lines

    def combine(self, res, call, env, d):
        """An expression of type res that uses the (recursive) call's result once."""
        v = self.fresh("rec")
        return f"(let {v} = {call} in {self.grow(res, v, env, d - 1)})"

    def clause(self, name, pats, env, res, d, guarded):
        env = [(n, t) for n, t in env if t is not None]
        head = f"{name} {' '.join(pats)}"
        wl, wb = (self.where_block(env, d) if self.chance(0.35) else ([], []))
        if guarded:
            out = [head] + self.guards(res, env + wb, d, True)
        else:
            out = [f"{head} = {self.expr(res, env + wb, d)}"]
        return out + wl

    def poly_helpers(self):
        return ["twice :: (a -> a) -> a -> a",
                "twice f x = f (f x)",
                "",
                "choose :: Bool -> a -> a -> a",
                "choose c x y = if c then x else y",
                "",
                "applyAll :: [a -> a] -> a -> a",
                "applyAll fs x = foldr (\\f acc -> f acc) x fs",
                "",
                "firstJust :: [Maybe a] -> Maybe a",
                "firstJust [] = Nothing",
                "firstJust (Just v : _) = Just v",
                "firstJust (_ : rest) = firstJust rest",
                ""]

    def class_decls(self):
        """class Weigh with a default method, instances for Int, lists and every data type."""
        out = ["class Weigh a where",
               "  weigh :: a -> Int",
               "  weighAll :: [a] -> Int",
               "  weighAll xs = foldr (\\x acc -> weigh x + acc) 0 xs",
               "",
               "instance Weigh Int where",
               "  weigh n = n `mod` 100",
               "",
               "instance Weigh a => Weigh [a] where",
               "  weigh xs = length xs + weighAll xs",
               ""]
        for dn in sorted(self.datas):
            out.append(f"instance Weigh {dn} where")
            for cname, kind, fields in self.datas[dn]:
                self.puns = set()
                p, b = self.pattern(Data(dn), 1)
                # one clause per constructor, by its own pattern
                if kind == "nullary":
                    out.append(f"  weigh {cname} = {self.r.randint(0, 9)}")
                elif kind == "pos":
                    vs = [self.fresh("w") for _ in fields]
                    env = list(zip(vs, fields))
                    out.append(f"  weigh ({cname} {' '.join(vs)}) = {self.expr(INT, env, 1)}")
                else:
                    r = self.fresh("w")
                    env = self.fix_env([(r, ("RecOf", dn, cname))])
                    out.append(f"  weigh ({cname} {r}) = {self.expr(INT, env, 1)}")
            out.append("")
        out += ["heavier :: Weigh a => a -> a -> a",
                "heavier x y = if weigh x >= weigh y then x else y",
                ""]
        return out

    def weighable(self, t):
        return t == INT or t[0] == "Data" or (t[0] == "List" and self.weighable(t[1]))

    def tree_helpers(self):
        return ["treeSum :: Tree -> Int",
                "treeSum Leaf = 0",
                "treeSum (Node l v r) = treeSum l + v + treeSum r",
                "",
                "insertT :: Int -> Tree -> Tree",
                "insertT x Leaf = Node Leaf x Leaf",
                "insertT x t@(Node l v r)",
                "  | x < v = Node (insertT x l) v r",
                "  | x > v = Node l v (insertT x r)",
                "  | otherwise = t"]

    def program(self):
        self.gen_decls()
        out = [f"-- generated by tests/fuzz/progen/gen.py, seed {self.seed}", "module Main where", "",
               "import Data.Bits", "import qualified Data.Bytes as B", "import qualified Data.String as S",
               "import qualified Data.Map as Map", ""]
        out += [l for dcl in self.decls for l in (dcl, "")]
        if self.uses_tree:
            out += self.tree_helpers() + [""]
        out += self.poly_helpers()
        self.in_class = True
        out += self.class_decls()
        self.in_class = False
        nf = self.r.randint(2, 4) if self.small else self.r.randint(3, 7)
        for i in range(1, nf + 1):
            out += self.gen_function(i) + [""]
        out.append("main :: IO ()")
        out.append("main = do")
        menv = []   # values bound in main, shared between calls
        self.in_main = True
        marg = lambda p: self.literal(p, 2, menv) if self.chance(0.5) else self.expr(p, menv, 2)
        for name, ps, res in self.funcs:
            if res[0] == "Fun":
                # a function returning a closure: apply it, once to a fresh and once to a
                # shared argument
                for _ in range(1 if self.small else self.r.randint(1, 2)):
                    args = " ".join(self.paren(marg(p)) for p in ps + [res[1]])
                    out.append(f"  print ({name} {args})")
                continue
            for _ in range(1 if self.small else self.r.randint(1, 2)):
                if self.chance(0.5):
                    args = " ".join(self.paren(marg(p)) for p in ps)
                    out.append(f"  print ({name} {args})")
                    continue
                # self-check: the arguments are bound, shown, used twice; calling f must not
                # change them (in-place reuse of a shared value) and must give the same result
                names = []
                for p in ps:
                    vs = [n for n, t in menv if t == p]
                    if vs and self.chance(0.4):
                        names.append(self.pick(vs))
                        continue
                    v = self.fresh("arg")
                    out.append(f"  let {v} = {self.ann(marg(p), p)}")
                    menv.append((v, p))
                    names.append(v)
                shows = [n for n, p in zip(names, ps) if self.showable(p)]
                snames = []
                for n in dict.fromkeys(shows):
                    sv = self.fresh("shown")
                    out.append(f"  let {sv} = show {n}")
                    snames.append((n, sv))
                r = self.fresh("res")
                call = f"{name} {' '.join(names)}"
                out.append(f"  let {r} = {call}")
                out.append(f"  print {r}")
                checks = [f"{r} == {call}"] + [f"show {n} == {sv}" for n, sv in snames]
                out.append(f'  putStrLn (if {" && ".join(checks)} then "ok" else "SELF-CHECK FAILED: {name}")')
                if self.chance(0.3):
                    menv.append((r, res))
        return "\n".join(out) + "\n"


def generate(seed, size="normal"):
    return Gen(seed, size).program()


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    args = sys.argv[1:]
    size = "normal"
    if "--small" in args:
        args.remove("--small")
        size = "small"
    prog = generate(int(args[0]), size)
    if len(args) >= 3 and args[1] == "-o":
        with open(args[2], "w") as f:
            f.write(prog)
    else:
        sys.stdout.write(prog)
    return 0


if __name__ == "__main__":
    sys.exit(main())
