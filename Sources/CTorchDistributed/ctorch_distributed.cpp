// c10d for Swift: every exported body runs inside `guarded`, so no exception reaches Swift.
// Compiles against Debian's libtorch 1.13 (ProcessGroup::Work) and libtorch 2.x (Backend, c10d::Work).
#include "ctorch_distributed.h"
#include "shim.hpp"

#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#if defined(CTD_WITH_NCCL)
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

struct ctd_store_s {
  c10::intrusive_ptr<c10d::Store> store;
};

// One process group, whichever backend; `run` keeps the call shape the same for both.
struct ctd_group_s {
  std::string backend;
  int rank;
  int size;
  std::chrono::milliseconds timeout;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
#if defined(CTD_WITH_NCCL)
  c10::intrusive_ptr<c10d::ProcessGroupNCCL> nccl;
#endif
  std::atomic<bool> failed{false};
};

namespace {

thread_local std::string last_error;

template <typename R, typename F>
R guarded(R failure, F &&body) {
  return ctshim::guarded(last_error, failure, std::forward<F>(body));
}

#define CTD_HANDLE(T, ...) return guarded<T>(nullptr, [&]() -> T { __VA_ARGS__; })
#define CTD_STATUS(...) return guarded<int>(-1, [&]() -> int { __VA_ARGS__; return 0; })

std::chrono::milliseconds millis(int64_t ms) { return std::chrono::milliseconds(ms); }

c10d::Store &need(ctd_store s) {
  if (s == nullptr) throw std::invalid_argument("a required store argument is null");
  return *s->store;
}

ctd_group_s &need(ctd_group g) {
  if (g == nullptr) throw std::invalid_argument("a required process group argument is null");
  return *g;
}

at::Tensor &need(ct_tensor t) {
  if (t == nullptr || !t->t.defined()) throw std::invalid_argument("a required tensor argument is null or undefined");
  return t->t;
}

std::string text(const char *s) { return s ? std::string(s) : std::string(); }

// A group's facts, checked, before its backend joins.
std::unique_ptr<ctd_group_s> new_group(const char *backend, int rank, int size, int64_t timeout_ms) {
  if (size < 1 || rank < 0 || rank >= size) {
    throw std::invalid_argument("rank " + std::to_string(rank) + " is outside a world of " + std::to_string(size));
  }
  auto group = std::make_unique<ctd_group_s>();
  group->backend = backend;
  group->rank = rank;
  group->size = size;
  group->timeout = millis(timeout_ms);
  return group;
}

c10d::ReduceOp reduce_op(ctd_reduce_op op) {
  switch (op) {
  case CTD_SUM:
  case CTD_AVERAGE: return c10d::ReduceOp::SUM;
  case CTD_MAX: return c10d::ReduceOp::MAX;
  case CTD_MIN: return c10d::ReduceOp::MIN;
  }
  throw std::invalid_argument("unknown reduce op code " + std::to_string(int(op)));
}

// Starts a collective on the group's backend and waits for it; a failure marks the group failed.
template <typename Start>
void run(ctd_group_s &g, int64_t timeout_ms, Start &&start) {
  auto limit = timeout_ms > 0 ? millis(timeout_ms) : g.timeout;
  try {
#if defined(CTD_WITH_NCCL)
    if (g.nccl) {
      auto work = start(*g.nccl);
      work->wait(limit);
      return;
    }
#endif
    auto work = start(*g.gloo);
    work->wait(limit);
  } catch (...) {
    g.failed = true;
    throw;
  }
}

} // namespace

extern "C" {

const char *ctd_last_error(void) { return last_error.c_str(); }

bool ctd_gloo_is_available(void) { return true; }

bool ctd_nccl_is_available(void) {
#if defined(CTD_WITH_NCCL)
  return true;
#else
  return false;
#endif
}

// MARK: stores

ctd_store ctd_tcp_store_new(const char *host, int port, bool is_server, int world_size, bool wait_workers,
                            int64_t timeout_ms, bool multi_tenant) {
  CTD_HANDLE(ctd_store, {
    if (port < 0 || port > 65535) throw std::invalid_argument("port " + std::to_string(port) + " is outside 0…65535");
    c10d::TCPStoreOptions options;
    options.port = static_cast<std::uint16_t>(port);
    options.isServer = is_server;
    if (world_size > 0) options.numWorkers = static_cast<std::size_t>(world_size);
    options.waitWorkers = wait_workers;
    options.timeout = millis(timeout_ms);
    options.multiTenant = multi_tenant;
    return new ctd_store_s{c10::make_intrusive<c10d::TCPStore>(text(host), options)};
  });
}

ctd_store ctd_file_store_new(const char *path, int world_size) {
  CTD_HANDLE(ctd_store, return new ctd_store_s{c10::make_intrusive<c10d::FileStore>(text(path), world_size)});
}

ctd_store ctd_prefix_store_new(const char *prefix, ctd_store base) {
  CTD_HANDLE(ctd_store, {
    need(base);
    return new ctd_store_s{c10::make_intrusive<c10d::PrefixStore>(text(prefix), base->store)};
  });
}

void ctd_store_free(ctd_store s) {
  guarded<int>(0, [&] { delete s; return 0; });
}

int ctd_store_set(ctd_store s, const char *key, const uint8_t *value, size_t length) {
  CTD_STATUS(need(s).set(text(key), std::vector<uint8_t>(value, value + length)));
}

int ctd_store_get(ctd_store s, const char *key, uint8_t *out, size_t capacity, size_t *length) {
  CTD_STATUS({
    std::vector<uint8_t> value = need(s).get(text(key));
    if (out != nullptr && capacity > 0) std::memcpy(out, value.data(), std::min(capacity, value.size()));
    if (length != nullptr) *length = value.size();
  });
}

int ctd_store_add(ctd_store s, const char *key, int64_t delta, int64_t *result) {
  CTD_STATUS({
    int64_t value = need(s).add(text(key), delta);
    if (result != nullptr) *result = value;
  });
}

int ctd_store_check(ctd_store s, const char *const *keys, size_t count, bool *all_present) {
  CTD_STATUS({
    std::vector<std::string> names;
    for (size_t i = 0; i < count; ++i) names.push_back(text(keys[i]));
    bool present = need(s).check(names);
    if (all_present != nullptr) *all_present = present;
  });
}

int ctd_store_set_timeout(ctd_store s, int64_t timeout_ms) { CTD_STATUS(need(s).setTimeout(millis(timeout_ms))); }

// MARK: process groups

ctd_group ctd_gloo_group_new(ctd_store store, int rank, int size, int64_t timeout_ms, const char *hostname,
                             const char *interface) {
  CTD_HANDLE(ctd_group, {
    need(store);
    auto group = new_group("gloo", rank, size, timeout_ms);
    auto options = c10d::ProcessGroupGloo::Options::create(millis(timeout_ms));
    if (!text(interface).empty()) {
      options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(text(interface)));
    } else if (!text(hostname).empty()) {
      options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(text(hostname)));
    } else {
      options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    }
    options->threads = 2;
    group->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(store->store, rank, size, options);
    return group.release();
  });
}

ctd_group ctd_nccl_group_new(ctd_store store, int rank, int size, int64_t timeout_ms) {
  CTD_HANDLE(ctd_group, {
    need(store);
#if defined(CTD_WITH_NCCL)
    auto group = new_group("nccl", rank, size, timeout_ms);
    auto options = c10d::ProcessGroupNCCL::Options::create();
    options->timeout = millis(timeout_ms);
    group->nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(store->store, rank, size, options);
    return group.release();
#else
    throw std::runtime_error("this build has no NCCL: build against a CUDA libtorch (LIBTORCH=...) whose NCCL headers are found, or use the gloo backend");
#endif
  });
}

void ctd_group_free(ctd_group g) {
  guarded<int>(0, [&] {
    if (g != nullptr && !g->failed) delete g;
    return 0;
  });
}

int ctd_group_rank(ctd_group g) { return guarded<int>(-1, [&] { return need(g).rank; }); }
int ctd_group_size(ctd_group g) { return guarded<int>(-1, [&] { return need(g).size; }); }
const char *ctd_group_backend(ctd_group g) {
  return guarded<const char *>("", [&] { return need(g).backend.c_str(); });
}

// MARK: collectives

int ctd_all_reduce(ctd_group g, ct_tensor t, ctd_reduce_op op, int64_t timeout_ms) {
  CTD_STATUS({
    auto &group = need(g);
    std::vector<at::Tensor> tensors{need(t)};
    c10d::AllreduceOptions options;
    options.reduceOp = reduce_op(op);
    run(group, timeout_ms, [&](auto &backend) { return backend.allreduce(tensors, options); });
    if (op == CTD_AVERAGE) tensors[0].div_(group.size);
  });
}

int ctd_broadcast(ctd_group g, ct_tensor t, int root, int64_t timeout_ms) {
  CTD_STATUS({
    auto &group = need(g);
    if (root < 0 || root >= group.size) {
      throw std::invalid_argument("root rank " + std::to_string(root) + " is outside a world of " + std::to_string(group.size));
    }
    std::vector<at::Tensor> tensors{need(t)};
    c10d::BroadcastOptions options;
    options.rootRank = root;
    run(group, timeout_ms, [&](auto &backend) { return backend.broadcast(tensors, options); });
  });
}

int ctd_barrier(ctd_group g, int64_t timeout_ms) {
  CTD_STATUS({
    auto &group = need(g);
    c10d::BarrierOptions options;
    run(group, timeout_ms, [&](auto &backend) { return backend.barrier(options); });
  });
}

} // extern "C"
