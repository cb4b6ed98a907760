-- | records_map: the rule-engine shape. 1,000,000 sensor readings (one record each, pseudo-random
-- device among 10,000) are folded into per-device statistics (a record with strict fields) kept in
-- a Data.Map.Strict keyed by device; then the number of devices, the total, the highest peak and
-- the busiest device are printed. Same program: records_map.weir, records_map.erl.
{-# LANGUAGE BangPatterns #-}
module Main where

import qualified Data.Map.Strict as M

size :: Int
size = 1000000

data Reading = Reading { device :: !Int, value :: !Int }

data Stats = Stats { count :: !Int, total :: !Int, peak :: !Int }

next :: Int -> Int
next x = (x * 1103515245 + 12345) `mod` 2147483648

reading :: Int -> Reading
reading s = Reading { device = s `mod` 10000, value = (s `div` 10000) `mod` 1000 }

record :: M.Map Int Stats -> Reading -> M.Map Int Stats
record m r = M.insertWith merge (device r) Stats { count = 1, total = value r, peak = value r } m
  where
    merge new old = Stats { count = count old + 1, total = total old + total new, peak = max (peak old) (peak new) }

collect :: Int -> Int -> M.Map Int Stats -> M.Map Int Stats
collect 0 _ !m = m
collect n s !m = collect (n - 1) (next s) (record m (reading s))

main :: IO ()
main = do
  let m = collect size 42 M.empty
  print (M.size m)
  print (M.foldr (\st acc -> acc + total st) 0 m)
  print (M.foldr (\st acc -> max acc (peak st)) 0 m)
  print (M.foldrWithKey (\k st best -> max best (count st, k)) (0, 0) m)
