// What the project's C++ shims share (CTorch and its siblings such as CTorchDistributed): the C++
// side of a ct_tensor handle, and the catch that keeps every exception on the C++ side. Private to
// the shims: Swift sees only the opaque pointers and int statuses of their C headers.
#ifndef CTORCH_SHIM_HPP
#define CTORCH_SHIM_HPP

#include <ATen/ATen.h>

#include <exception>
#include <string>
#include <utility>

struct ct_tensor_s {
  at::Tensor t;
};

namespace ctshim {

/// Runs `body`; when it throws, writes the message to `message` (the calling shim's thread-local
/// buffer) and returns `failure`.
template <typename R, typename F>
R guarded(std::string &message, R failure, F &&body) {
  try {
    return std::forward<F>(body)();
  } catch (const c10::Error &e) {
    message = e.what_without_backtrace();
  } catch (const std::exception &e) {
    message = e.what();
  } catch (...) {
    message = "unknown C++ exception";
  }
  if (message.empty()) message = "unknown error";
  return failure;
}

} // namespace ctshim

#endif
