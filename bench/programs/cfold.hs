-- | cfold: constant folding (the Lean 4 / Koka benchmark shape). Builds an expression tree of
-- depth 20 (2^20 leaves), reassociates it into right-leaning chains, folds the constants and
-- evaluates it before and after; both values are printed. Same program: cfold.weir, cfold.erl.
module Main where

size :: Int
size = 20

data Expr = Var !Int | Val !Int | Add !Expr !Expr | Mul !Expr !Expr

mkExpr :: Int -> Int -> Expr
mkExpr 0 v = if v == 0 then Var 1 else Val v
mkExpr n v = Add (mkExpr (n - 1) (v + 1)) (mkExpr (n - 1) (max (v - 1) 0))

appendAdd :: Expr -> Expr -> Expr
appendAdd (Add e1 e2) e3 = Add e1 (appendAdd e2 e3)
appendAdd e1 e2 = Add e1 e2

appendMul :: Expr -> Expr -> Expr
appendMul (Mul e1 e2) e3 = Mul e1 (appendMul e2 e3)
appendMul e1 e2 = Mul e1 e2

reassoc :: Expr -> Expr
reassoc (Add e1 e2) = appendAdd (reassoc e1) (reassoc e2)
reassoc (Mul e1 e2) = appendMul (reassoc e1) (reassoc e2)
reassoc e = e

constFolding :: Expr -> Expr
constFolding (Add e1 e2) = case (constFolding e1, constFolding e2) of
  (Val a, Val b) -> Val (a + b)
  (Val a, Add e (Val b)) -> Add (Val (a + b)) e
  (Val a, Add (Val b) e) -> Add (Val (a + b)) e
  (e1', e2') -> Add e1' e2'
constFolding (Mul e1 e2) = case (constFolding e1, constFolding e2) of
  (Val a, Val b) -> Val (a * b)
  (Val a, Mul e (Val b)) -> Mul (Val (a * b)) e
  (Val a, Mul (Val b) e) -> Mul (Val (a * b)) e
  (e1', e2') -> Mul e1' e2'
constFolding e = e

eval :: Expr -> Int
eval (Var _) = 0
eval (Val v) = v
eval (Add l r) = eval l + eval r
eval (Mul l r) = eval l * eval r

main :: IO ()
main = do
  let e = mkExpr size 1
  print (eval e)
  print (eval (constFolding (reassoc e)))
