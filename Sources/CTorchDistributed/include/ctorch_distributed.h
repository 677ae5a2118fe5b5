// ctorch_distributed.h — PyTorch's c10d (stores, process groups, collectives) as plain C for Swift.
//
// The conventions of ctorch.h: opaque handles with one `_free` per kind; functions returning a
// handle return NULL on failure, functions returning `int` return 0 on success and -1 on failure;
// after a failure `ctd_last_error()` holds the message (this shim's own thread-local buffer).
// Timeouts are milliseconds; a collective that does not finish in time fails.
#ifndef CTORCH_DISTRIBUTED_H
#define CTORCH_DISTRIBUTED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The tensor handle of ctorch.h (the same type; repeated so this header stands alone).
typedef struct ct_tensor_s *ct_tensor;
typedef struct ctd_store_s *ctd_store;
typedef struct ctd_group_s *ctd_group;

const char *ctd_last_error(void);

// MARK: what this build holds
bool ctd_gloo_is_available(void);
/// True when the shim was compiled against a CUDA libtorch with NCCL (ProcessGroupNCCL).
bool ctd_nccl_is_available(void);

// MARK: stores (the rendezvous key-value store every rank reaches)
/// c10d::TCPStore. The server (`is_server`) listens on `port`; clients connect to `host:port`.
/// `world_size` < 0 leaves the number of workers unknown. `multi_tenant` lets several stores in
/// one process share host:port (as torch.distributed's rank 0 does).
ctd_store ctd_tcp_store_new(const char *host, int port, bool is_server, int world_size, bool wait_workers,
                            int64_t timeout_ms, bool multi_tenant);
/// c10d::FileStore on a file every rank can reach (removed when the last rank lets go).
ctd_store ctd_file_store_new(const char *path, int world_size);
/// c10d::PrefixStore: `base` with every key prefixed by `prefix` + "/".
ctd_store ctd_prefix_store_new(const char *prefix, ctd_store base);
void ctd_store_free(ctd_store s);
int ctd_store_set(ctd_store s, const char *key, const uint8_t *value, size_t length);
/// Waits (up to the store's timeout) for `key`, then copies at most `capacity` bytes of its value
/// into `out` and writes the value's full length to `length`.
int ctd_store_get(ctd_store s, const char *key, uint8_t *out, size_t capacity, size_t *length);
/// Adds `delta` to the integer under `key` (created as 0) and writes the new value to `result`.
int ctd_store_add(ctd_store s, const char *key, int64_t delta, int64_t *result);
/// Whether every one of `keys` is set, without waiting.
int ctd_store_check(ctd_store s, const char *const *keys, size_t count, bool *all_present);
int ctd_store_set_timeout(ctd_store s, int64_t timeout_ms);

// MARK: process groups
/// c10d::ProcessGroupGloo over TCP. The transport binds to `hostname` (an address or a name of
/// this machine; NULL or "" lets Gloo choose), or to network interface `interface` when given.
/// `timeout_ms` bounds every collective.
ctd_group ctd_gloo_group_new(ctd_store store, int rank, int size, int64_t timeout_ms, const char *hostname,
                             const char *interface);
/// c10d::ProcessGroupNCCL (CUDA builds only; NULL with an error elsewhere). Its timeout takes
/// effect with NCCL_BLOCKING_WAIT=1 or TORCH_NCCL_BLOCKING_WAIT=1.
ctd_group ctd_nccl_group_new(ctd_store store, int rank, int size, int64_t timeout_ms);
/// Frees the group. After a failed collective the group is deliberately leaked: its worker
/// threads may still wait on a dead peer, and joining them would hang a process that is exiting.
void ctd_group_free(ctd_group g);
int ctd_group_rank(ctd_group g);
int ctd_group_size(ctd_group g);
const char *ctd_group_backend(ctd_group g);

// MARK: collectives (each waits for completion, at most `timeout_ms`; <= 0 uses the group's)
typedef enum { CTD_SUM = 0, CTD_AVERAGE = 1, CTD_MAX = 2, CTD_MIN = 3 } ctd_reduce_op;
/// All-reduces one tensor in place on every rank. Average is a sum divided by the world size
/// (Gloo has no average), as DistributedDataParallel does.
int ctd_all_reduce(ctd_group g, ct_tensor t, ctd_reduce_op op, int64_t timeout_ms);
/// Replaces `t` on every rank with rank `root`'s values.
int ctd_broadcast(ctd_group g, ct_tensor t, int root, int64_t timeout_ms);
int ctd_barrier(ctd_group g, int64_t timeout_ms);

#ifdef __cplusplus
}
#endif
#endif
