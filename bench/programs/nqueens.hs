-- | nqueens 12: counts the solutions. The same program as nqueens.weir (list comprehension,
-- the nofib `queens` shape); `size` is the one line bench/generated/run rewrites for --quick.
module Main where

size :: Int
size = 12

safe :: Int -> Int -> [Int] -> Bool
safe _ _ [] = True
safe q d (x : xs) = q /= x && q /= x + d && q /= x - d && safe q (d + 1) xs

queens :: Int -> Int -> [[Int]]
queens _ 0 = [[]]
queens n k = [q : qs | qs <- queens n (k - 1), q <- [1 .. n], safe q 1 qs]

main :: IO ()
main = print (length (queens size size))
