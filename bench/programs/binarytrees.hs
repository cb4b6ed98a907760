-- | binarytrees (the Computer Language Benchmarks Game, depth 21, sequential): allocates and
-- walks a stretch tree, one long-lived tree and many short-lived trees of each depth. `make'`
-- takes the game's extra argument so GHC does not share the two subtrees.
-- Same program: binarytrees.weir, binarytrees.erl.
{-# LANGUAGE BangPatterns #-}
module Main where

size :: Int
size = 21

data Tree = Nil | Node !Tree !Tree

minDepth :: Int
minDepth = 4

make :: Int -> Tree
make d = make' d d

make' :: Int -> Int -> Tree
make' _ 0 = Node Nil Nil
make' !n d = Node (make' (n - 1) (d - 1)) (make' (n + 1) (d - 1))

check :: Tree -> Int
check t = go t 0
  where
    go Nil !acc = acc
    go (Node l r) !acc = go l (go r (acc + 1))

sumTrees :: Int -> Int -> Int -> Int
sumTrees _ 0 !acc = acc
sumTrees d i !acc = sumTrees d (i - 1) (acc + check (make d))

report :: String -> Int -> Int -> IO ()
report what depth c = putStrLn (what ++ " of depth " ++ show depth ++ "\t check: " ++ show c)

main :: IO ()
main = do
  let maxDepth = max (minDepth + 2) size
      stretch = maxDepth + 1
  report "stretch tree" stretch (check (make stretch))
  let !long = make maxDepth
  mapM_ (\d -> let n = 2 ^ (maxDepth - d + minDepth)
               in report (show n ++ "\t trees") d (sumTrees d n 0))
        [minDepth, minDepth + 2 .. maxDepth]
  report "long lived tree" maxDepth (check long)
