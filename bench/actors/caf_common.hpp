// Shared by the CAF peers of bench/actors/*.weir: the clock and a system with 2 scheduler
// threads (CAF 0.17 defaults to max(cores, 4); the other systems use one thread per core).
#pragma once
#include <caf/all.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

inline int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch()).count();
}

inline caf::actor_system_config& bench_config(caf::actor_system_config& cfg) {
  cfg.set("scheduler.max-threads", 2);
  return cfg;
}
