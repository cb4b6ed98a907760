-- | rbtree: Okasaki's red-black tree (the Lean 4 / Koka benchmark shape, strict fields),
-- polymorphic in key and value: 4,200,000 inserts, then a fold that counts the keys divisible
-- by 10. Same program: rbtree.weir, rbtree.erl.
module Main where

size :: Int
size = 4200000

data Color = Red | Black

data Tree k v = Leaf | Node !Color !(Tree k v) !k !v !(Tree k v)

fold :: (k -> v -> s -> s) -> Tree k v -> s -> s
fold _ Leaf acc = acc
fold f (Node _ l k v r) acc = fold f r (f k v (fold f l acc))

balance1 :: Tree k v -> Tree k v -> Tree k v
balance1 (Node _ _ kv vv t) (Node _ (Node Red l kx vx r1) ky vy r2) = Node Red (Node Black l kx vx r1) ky vy (Node Black r2 kv vv t)
balance1 (Node _ _ kv vv t) (Node _ l1 ky vy (Node Red l2 kx vx r)) = Node Red (Node Black l1 ky vy l2) kx vx (Node Black r kv vv t)
balance1 (Node _ _ kv vv t) (Node _ l ky vy r) = Node Black (Node Red l ky vy r) kv vv t
balance1 _ _ = Leaf

balance2 :: Tree k v -> Tree k v -> Tree k v
balance2 (Node _ t kv vv _) (Node _ (Node Red l kx1 vx1 r1) ky vy r2) = Node Red (Node Black t kv vv l) kx1 vx1 (Node Black r1 ky vy r2)
balance2 (Node _ t kv vv _) (Node _ l1 ky vy (Node Red l2 kx2 vx2 r2)) = Node Red (Node Black t kv vv l1) ky vy (Node Black l2 kx2 vx2 r2)
balance2 (Node _ t kv vv _) (Node _ l ky vy r) = Node Black t kv vv (Node Red l ky vy r)
balance2 _ _ = Leaf

isRed :: Tree k v -> Bool
isRed (Node Red _ _ _ _) = True
isRed _ = False

ins :: Ord k => Tree k v -> k -> v -> Tree k v
ins Leaf kx vx = Node Red Leaf kx vx Leaf
ins (Node Red a ky vy b) kx vx
  | kx < ky = Node Red (ins a kx vx) ky vy b
  | ky < kx = Node Red a ky vy (ins b kx vx)
  | otherwise = Node Red a kx vx b
ins (Node Black a ky vy b) kx vx
  | kx < ky = if isRed a then balance1 (Node Black Leaf ky vy b) (ins a kx vx) else Node Black (ins a kx vx) ky vy b
  | ky < kx = if isRed b then balance2 (Node Black a ky vy Leaf) (ins b kx vx) else Node Black a ky vy (ins b kx vx)
  | otherwise = Node Black a kx vx b

setBlack :: Tree k v -> Tree k v
setBlack (Node _ l k v r) = Node Black l k v r
setBlack e = e

insert :: Ord k => Tree k v -> k -> v -> Tree k v
insert t k v = if isRed t then setBlack (ins t k v) else ins t k v

mkMap :: Int -> Tree Int Bool -> Tree Int Bool
mkMap 0 m = m
mkMap n m = let n' = n - 1 in mkMap n' (insert m n' (n' `mod` 10 == 0))

main :: IO ()
main = print (fold (\_ v r -> if v then r + 1 else r :: Int) (mkMap size Leaf) 0)
