// The only C++ in Ossify: every exported body runs inside `guarded`, so no exception reaches Swift.
#include "ctorch.h"
#include "shim.hpp"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/jit/serialization/import.h>
#include <torch/version.h>

#include <cstring>
#include <thread>
#ifdef __linux__
#include <sched.h>
#endif
#include <mutex>
#include <string>
#include <vector>

struct ct_generator_s {
  at::Generator g;
};
struct ct_script_module_s {
  torch::jit::Module m;
};

namespace {

thread_local std::string last_error;

template <typename R, typename F>
R guarded(R failure, F &&body) {
  return ctshim::guarded(last_error, failure, std::forward<F>(body));
}

#define CT_TENSOR(...) return guarded<ct_tensor>(nullptr, [&]() -> ct_tensor { return wrap(__VA_ARGS__); })
#define CT_STATUS(...) return guarded<int>(-1, [&]() -> int { __VA_ARGS__; return 0; })

ct_tensor wrap(at::Tensor t) { return new ct_tensor_s{std::move(t)}; }

at::ScalarType scalar_type(ct_dtype d) {
  switch (d) {
  case CT_FLOAT32: return at::kFloat;
  case CT_FLOAT64: return at::kDouble;
  case CT_FLOAT16: return at::kHalf;
  case CT_BFLOAT16: return at::kBFloat16;
  case CT_INT64: return at::kLong;
  case CT_INT32: return at::kInt;
  case CT_UINT8: return at::kByte;
  case CT_BOOL: return at::kBool;
  }
  throw std::invalid_argument("unknown dtype code " + std::to_string(int(d)));
}

int dtype_code(at::ScalarType s) {
  switch (s) {
  case at::kFloat: return CT_FLOAT32;
  case at::kDouble: return CT_FLOAT64;
  case at::kHalf: return CT_FLOAT16;
  case at::kBFloat16: return CT_BFLOAT16;
  case at::kLong: return CT_INT64;
  case at::kInt: return CT_INT32;
  case at::kByte: return CT_UINT8;
  case at::kBool: return CT_BOOL;
  default: return -1;
  }
}

at::Device device(int d) {
  return d < 0 ? at::Device(at::kCPU) : at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(d));
}

at::TensorOptions options(ct_dtype dtype, int dev) {
  return at::TensorOptions().dtype(scalar_type(dtype)).device(device(dev));
}

at::IntArrayRef ints(const int64_t *values, size_t n) { return at::IntArrayRef(values, n); }

c10::optional<at::Tensor> optional(ct_tensor t) {
  if (t == nullptr) return c10::nullopt;
  return t->t;
}

const at::Tensor &need(ct_tensor t) {
  if (t == nullptr) throw std::invalid_argument("a required tensor argument is null");
  return t->t;
}

at::Generator generator(ct_generator g) {
  return g ? g->g : at::detail::getDefaultCPUGenerator();
}

// Random tensors are drawn on the CPU and moved, so a seed gives the same numbers on every device.
template <typename F>
at::Tensor random_on(int dev, F &&draw) {
  at::Tensor t = draw();
  return dev < 0 ? t : t.to(device(dev));
}

at::Tensor binary(ct_binary_op op, const at::Tensor &a, const at::Tensor &b) {
  switch (op) {
  case CT_ADD: return at::add(a, b);
  case CT_SUB: return at::sub(a, b);
  case CT_MUL: return at::mul(a, b);
  case CT_DIV: return at::div(a, b);
  case CT_POW: return at::pow(a, b);
  case CT_MAXIMUM: return at::maximum(a, b);
  case CT_MINIMUM: return at::minimum(a, b);
  case CT_EQ: return at::eq(a, b);
  case CT_NE: return at::ne(a, b);
  case CT_LT: return at::lt(a, b);
  case CT_LE: return at::le(a, b);
  case CT_GT: return at::gt(a, b);
  case CT_GE: return at::ge(a, b);
  case CT_ATAN2: return at::atan2(a, b);
  case CT_REMAINDER: return at::remainder(a, b);
  case CT_LOGICAL_AND: return at::logical_and(a, b);
  case CT_LOGICAL_OR: return at::logical_or(a, b);
  case CT_FLOOR_DIVIDE: return at::div(a, b, "floor");
  }
  throw std::invalid_argument("unknown binary op code " + std::to_string(int(op)));
}

// A Swift number as PyTorch treats a Python number: a "wrapped" 0-dim tensor that takes part in type
// promotion only as a scalar. Whole numbers meeting integer tensors stay integral (x + 1 keeps int64).
at::Tensor scalar_like(const at::Tensor &t, double v) {
  bool integral = at::isIntegralType(t.scalar_type(), true) && v == std::trunc(v) && std::fabs(v) < 9.2e18;
  at::Tensor s = integral ? at::scalar_tensor(int64_t(v), at::TensorOptions().dtype(at::kLong).device(t.device()))
                          : at::scalar_tensor(v, at::TensorOptions().dtype(at::kDouble).device(t.device()));
  s.unsafeGetTensorImpl()->set_wrapped_number(true);
  return s;
}

std::vector<int64_t> all_dims(const at::Tensor &x) {
  std::vector<int64_t> d(x.dim());
  for (int64_t i = 0; i < x.dim(); ++i) d[i] = i;
  return d;
}

std::vector<int64_t> dims_or_all(const at::Tensor &x, const int64_t *dims, size_t n) {
  return n == 0 ? all_dims(x) : std::vector<int64_t>(dims, dims + n);
}

at::Tensor pad_circular(const at::Tensor &x, const int64_t *pads, size_t n) {
  at::Tensor y = x;
  for (size_t i = 0; i + 1 < n; i += 2) {
    int64_t dim = y.dim() - 1 - int64_t(i / 2);
    int64_t size = y.size(dim), left = pads[i], right = pads[i + 1];
    if (left > size || right > size) throw std::invalid_argument("circular padding larger than the dimension");
    y = at::cat({y.slice(dim, size - left, size), y, y.slice(dim, 0, right)}, dim);
  }
  return y;
}

std::vector<at::Tensor> tensors(const ct_tensor *ts, size_t n) {
  std::vector<at::Tensor> v;
  v.reserve(n);
  for (size_t i = 0; i < n; ++i) v.push_back(need(ts[i]));
  return v;
}

} // namespace

extern "C" {

// MARK: errors, library facts, global state

const char *ct_last_error(void) { return last_error.c_str(); }
void ct_clear_error(void) { last_error.clear(); }
const char *ct_version(void) { return TORCH_VERSION; }

const char *ct_build_config(void) {
  static std::string config;
  static std::once_flag once;
  guarded<int>(-1, [&] { std::call_once(once, [] { config = at::show_config(); }); return 0; });
  return config.c_str();
}

int ct_usable_cores(void) {
#ifdef __linux__
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return CPU_COUNT(&set);
#endif
  return static_cast<int>(std::thread::hardware_concurrency());
}
int ct_num_threads(void) { return guarded<int>(-1, [] { return at::get_num_threads(); }); }
int ct_set_num_threads(int n) { CT_STATUS(at::set_num_threads(n)); }
int ct_manual_seed(uint64_t seed) {
  CT_STATUS({
    auto g = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(g.mutex());
    g.set_current_seed(seed);
  });
}
bool ct_cuda_is_available(void) {
  return guarded<bool>(false, [] { return at::detail::getCUDAHooks().hasCUDA(); });
}
int ct_cuda_device_count(void) {
  return guarded<int>(0, [] { return int(at::detail::getCUDAHooks().getNumGPUs()); });
}
bool ct_is_grad_enabled(void) { return at::GradMode::is_enabled(); }
void ct_set_grad_enabled(bool enabled) { at::GradMode::set_enabled(enabled); }

// MARK: tensor lifetime and facts

void ct_tensor_free(ct_tensor t) { delete t; }
ct_tensor ct_shallow_clone(ct_tensor t) { CT_TENSOR(need(t)); }
int64_t ct_dim(ct_tensor t) { return guarded<int64_t>(-1, [&] { return need(t).dim(); }); }
int ct_shape(ct_tensor t, int64_t *out, size_t capacity) {
  CT_STATUS({
    auto sizes = need(t).sizes();
    if (sizes.size() > capacity) throw std::invalid_argument("shape buffer too small");
    std::copy(sizes.begin(), sizes.end(), out);
  });
}
int64_t ct_numel(ct_tensor t) { return guarded<int64_t>(-1, [&] { return need(t).numel(); }); }
int ct_dtype_of(ct_tensor t) { return guarded<int>(-1, [&] { return dtype_code(need(t).scalar_type()); }); }
int ct_device_of(ct_tensor t) {
  return guarded<int>(-2, [&] {
    auto d = need(t).device();
    return d.is_cpu() ? -1 : int(d.index());
  });
}
bool ct_defined(ct_tensor t) { return t != nullptr && t->t.defined(); }

// MARK: creation and copies

ct_tensor ct_empty(const int64_t *shape, size_t ndim, ct_dtype dtype, int dev) {
  CT_TENSOR(at::empty(ints(shape, ndim), options(dtype, dev)));
}
ct_tensor ct_zeros(const int64_t *shape, size_t ndim, ct_dtype dtype, int dev) {
  CT_TENSOR(at::zeros(ints(shape, ndim), options(dtype, dev)));
}
ct_tensor ct_ones(const int64_t *shape, size_t ndim, ct_dtype dtype, int dev) {
  CT_TENSOR(at::ones(ints(shape, ndim), options(dtype, dev)));
}
ct_tensor ct_full(const int64_t *shape, size_t ndim, double value, ct_dtype dtype, int dev) {
  CT_TENSOR(at::full(ints(shape, ndim), value, options(dtype, dev)));
}
ct_tensor ct_arange(double start, double end, double step, ct_dtype dtype, int dev) {
  CT_TENSOR(at::arange(start, end, step, options(dtype, dev)));
}
ct_tensor ct_linspace(double start, double end, int64_t steps, ct_dtype dtype, int dev) {
  CT_TENSOR(at::linspace(start, end, steps, options(dtype, dev)));
}
ct_tensor ct_from_data(const void *data, size_t nbytes, const int64_t *shape, size_t ndim,
                       ct_dtype dtype) {
  return guarded<ct_tensor>(nullptr, [&]() -> ct_tensor {
    at::Tensor t = at::empty(ints(shape, ndim), options(dtype, -1));
    size_t expected = size_t(t.numel()) * t.element_size();
    if (expected != nbytes)
      throw std::invalid_argument("buffer holds " + std::to_string(nbytes) + " bytes but shape " +
                                  c10::str(t.sizes()) + " needs " + std::to_string(expected));
    if (nbytes > 0) std::memcpy(t.data_ptr(), data, nbytes);
    return wrap(t);
  });
}
int ct_copy_to_buffer(ct_tensor t, ct_dtype dtype, void *out, size_t nbytes) {
  CT_STATUS({
    at::Tensor c = need(t).detach().to(at::kCPU, scalar_type(dtype)).contiguous();
    size_t have = size_t(c.numel()) * c.element_size();
    if (have != nbytes)
      throw std::invalid_argument("tensor holds " + std::to_string(have) + " bytes, buffer " +
                                  std::to_string(nbytes));
    if (nbytes > 0) std::memcpy(out, c.data_ptr(), nbytes);
  });
}
ct_tensor ct_to(ct_tensor t, ct_dtype dtype, int dev) {
  CT_TENSOR(need(t).to(device(dev), scalar_type(dtype)));
}
ct_tensor ct_clone(ct_tensor t) { CT_TENSOR(need(t).clone()); }
double ct_item_double(ct_tensor t) { return guarded<double>(NAN, [&] { return need(t).item<double>(); }); }
int64_t ct_item_int64(ct_tensor t) { return guarded<int64_t>(0, [&] { return need(t).item<int64_t>(); }); }

// MARK: random numbers

ct_generator ct_generator_new(uint64_t seed) {
  return guarded<ct_generator>(nullptr, [&] {
    return new ct_generator_s{at::make_generator<at::CPUGeneratorImpl>(seed)};
  });
}
void ct_generator_free(ct_generator g) { delete g; }
int ct_generator_set_seed(ct_generator g, uint64_t seed) {
  CT_STATUS({
    auto gen = generator(g);
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_current_seed(seed);
  });
}
ct_tensor ct_generator_get_state(ct_generator g) {
  return guarded<ct_tensor>(nullptr, [&] {
    auto gen = generator(g);
    std::lock_guard<std::mutex> lock(gen.mutex());
    return wrap(gen.get_state());
  });
}
int ct_generator_set_state(ct_generator g, ct_tensor state) {
  CT_STATUS({
    auto gen = generator(g);
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(need(state));
  });
}
ct_tensor ct_randn(const int64_t *shape, size_t ndim, ct_dtype dtype, int dev, ct_generator g) {
  CT_TENSOR(random_on(dev, [&] { return at::randn(ints(shape, ndim), generator(g), options(dtype, -1)); }));
}
ct_tensor ct_rand(const int64_t *shape, size_t ndim, ct_dtype dtype, int dev, ct_generator g) {
  CT_TENSOR(random_on(dev, [&] { return at::rand(ints(shape, ndim), generator(g), options(dtype, -1)); }));
}
ct_tensor ct_randint(int64_t low, int64_t high, const int64_t *shape, size_t ndim, ct_dtype dtype,
                     int dev, ct_generator g) {
  CT_TENSOR(random_on(dev, [&] {
    return at::randint(low, high, ints(shape, ndim), generator(g), options(dtype, -1));
  }));
}
ct_tensor ct_randperm(int64_t n, int dev, ct_generator g) {
  CT_TENSOR(random_on(dev, [&] { return at::randperm(n, generator(g), options(CT_INT64, -1)); }));
}

// MARK: elementwise

ct_tensor ct_unary(ct_unary_op op, ct_tensor x) {
  return guarded<ct_tensor>(nullptr, [&]() -> ct_tensor {
    const at::Tensor &t = need(x);
    switch (op) {
    case CT_NEG: return wrap(at::neg(t));
    case CT_ABS: return wrap(at::abs(t));
    case CT_EXP: return wrap(at::exp(t));
    case CT_LOG: return wrap(at::log(t));
    case CT_LOG1P: return wrap(at::log1p(t));
    case CT_EXPM1: return wrap(at::expm1(t));
    case CT_SQRT: return wrap(at::sqrt(t));
    case CT_RSQRT: return wrap(at::rsqrt(t));
    case CT_SQUARE: return wrap(at::square(t));
    case CT_SIN: return wrap(at::sin(t));
    case CT_COS: return wrap(at::cos(t));
    case CT_TANH: return wrap(at::tanh(t));
    case CT_SIGMOID: return wrap(at::sigmoid(t));
    case CT_RELU: return wrap(at::relu(t));
    case CT_GELU: return wrap(at::gelu(t));
    case CT_SOFTPLUS: return wrap(at::softplus(t));
    case CT_FLOOR: return wrap(at::floor(t));
    case CT_CEIL: return wrap(at::ceil(t));
    case CT_ROUND: return wrap(at::round(t));
    case CT_SIGN: return wrap(at::sign(t));
    case CT_RECIPROCAL: return wrap(at::reciprocal(t));
    case CT_ERF: return wrap(at::erf(t));
    case CT_LOGICAL_NOT: return wrap(at::logical_not(t));
    case CT_ISNAN: return wrap(at::isnan(t));
    case CT_ISFINITE: return wrap(at::isfinite(t));
    case CT_SILU: return wrap(at::silu(t));
    case CT_TRUNC: return wrap(at::trunc(t));
    }
    throw std::invalid_argument("unknown unary op code " + std::to_string(int(op)));
  });
}
ct_tensor ct_binary(ct_binary_op op, ct_tensor a, ct_tensor b) { CT_TENSOR(binary(op, need(a), need(b))); }
ct_tensor ct_binary_scalar(ct_binary_op op, ct_tensor a, double b) {
  CT_TENSOR(binary(op, need(a), scalar_like(need(a), b)));
}
ct_tensor ct_scalar_binary(ct_binary_op op, double a, ct_tensor b) {
  CT_TENSOR(binary(op, scalar_like(need(b), a), need(b)));
}
ct_tensor ct_where(ct_tensor c, ct_tensor a, ct_tensor b) { CT_TENSOR(at::where(need(c), need(a), need(b))); }
ct_tensor ct_clamp(ct_tensor x, double min, double max, bool has_min, bool has_max) {
  CT_TENSOR(at::clamp(need(x), has_min ? c10::optional<at::Scalar>(min) : c10::nullopt,
                      has_max ? c10::optional<at::Scalar>(max) : c10::nullopt));
}
ct_tensor ct_leaky_relu(ct_tensor x, double slope) { CT_TENSOR(at::leaky_relu(need(x), slope)); }
ct_tensor ct_lerp(ct_tensor s, ct_tensor e, double w) { CT_TENSOR(at::lerp(need(s), need(e), w)); }
ct_tensor ct_softmax(ct_tensor x, int64_t dim) { CT_TENSOR(at::softmax(need(x), dim)); }
ct_tensor ct_log_softmax(ct_tensor x, int64_t dim) { CT_TENSOR(at::log_softmax(need(x), dim)); }
ct_tensor ct_masked_fill(ct_tensor x, ct_tensor mask, double v) { CT_TENSOR(at::masked_fill(need(x), need(mask), v)); }
bool ct_allclose(ct_tensor a, ct_tensor b, double rtol, double atol) {
  return guarded<bool>(false, [&] { return at::allclose(need(a), need(b), rtol, atol); });
}

// MARK: linear algebra

ct_tensor ct_matmul(ct_tensor a, ct_tensor b) { CT_TENSOR(at::matmul(need(a), need(b))); }
ct_tensor ct_bmm(ct_tensor a, ct_tensor b) { CT_TENSOR(at::bmm(need(a), need(b))); }
ct_tensor ct_linear(ct_tensor x, ct_tensor w, ct_tensor b) { CT_TENSOR(at::linear(need(x), need(w), optional(b))); }
int ct_eigh(ct_tensor x, ct_tensor *values, ct_tensor *vectors) {
  CT_STATUS({
    auto r = at::linalg_eigh(need(x), "L");
    *values = wrap(std::get<0>(r));
    *vectors = wrap(std::get<1>(r));
  });
}
ct_tensor ct_cdist(ct_tensor a, ct_tensor b, double p) { CT_TENSOR(at::cdist(need(a), need(b), p)); }

// MARK: reductions

ct_tensor ct_reduce(ct_reduce_op op, ct_tensor x, const int64_t *dims, size_t ndims, bool keepdim) {
  return guarded<ct_tensor>(nullptr, [&]() -> ct_tensor {
    const at::Tensor &t = need(x);
    auto d = dims_or_all(t, dims, ndims);
    switch (op) {
    case CT_SUM: return wrap(t.dim() == 0 ? t.clone() : at::sum(t, d, keepdim));
    case CT_MEAN: return wrap(t.dim() == 0 ? t.clone() : at::mean(t, d, keepdim));
    case CT_AMAX: return wrap(at::amax(t, d, keepdim));
    case CT_AMIN: return wrap(at::amin(t, d, keepdim));
    case CT_LOGSUMEXP: return wrap(t.dim() == 0 ? t.clone() : at::logsumexp(t, d, keepdim));
    case CT_PROD: {
      at::Tensor r = t;
      std::sort(d.begin(), d.end(), std::greater<int64_t>());
      for (int64_t dim : d) r = at::prod(r, dim < 0 ? dim + t.dim() : dim, keepdim);
      return wrap(r);
    }
    }
    throw std::invalid_argument("unknown reduction op code " + std::to_string(int(op)));
  });
}
ct_tensor ct_var(ct_tensor x, const int64_t *dims, size_t ndims, bool unbiased, bool keepdim) {
  CT_TENSOR(at::var(need(x), ints(dims_or_all(need(x), dims, ndims).data(), ndims ? ndims : need(x).dim()), unbiased, keepdim));
}
ct_tensor ct_std(ct_tensor x, const int64_t *dims, size_t ndims, bool unbiased, bool keepdim) {
  CT_TENSOR(at::std(need(x), ints(dims_or_all(need(x), dims, ndims).data(), ndims ? ndims : need(x).dim()), unbiased, keepdim));
}
ct_tensor ct_norm(ct_tensor x, double p, const int64_t *dims, size_t ndims, bool keepdim) {
  CT_TENSOR(at::linalg_vector_norm(need(x), p, dims_or_all(need(x), dims, ndims), keepdim));
}
ct_tensor ct_argmax(ct_tensor x, int64_t dim, bool keepdim) { CT_TENSOR(at::argmax(need(x), dim, keepdim)); }
ct_tensor ct_argmin(ct_tensor x, int64_t dim, bool keepdim) { CT_TENSOR(at::argmin(need(x), dim, keepdim)); }
int ct_sort(ct_tensor x, int64_t dim, bool descending, ct_tensor *values, ct_tensor *indices) {
  CT_STATUS({
    auto r = at::sort(need(x), dim, descending);
    *values = wrap(std::get<0>(r));
    *indices = wrap(std::get<1>(r));
  });
}
int ct_topk(ct_tensor x, int64_t k, int64_t dim, bool largest, ct_tensor *values, ct_tensor *indices) {
  CT_STATUS({
    auto r = at::topk(need(x), k, dim, largest, true);
    *values = wrap(std::get<0>(r));
    *indices = wrap(std::get<1>(r));
  });
}
ct_tensor ct_cumsum(ct_tensor x, int64_t dim) { CT_TENSOR(at::cumsum(need(x), dim)); }

// MARK: shape and indexing

ct_tensor ct_reshape(ct_tensor x, const int64_t *s, size_t n) { CT_TENSOR(need(x).reshape(ints(s, n))); }
ct_tensor ct_view(ct_tensor x, const int64_t *s, size_t n) { CT_TENSOR(need(x).view(ints(s, n))); }
ct_tensor ct_expand(ct_tensor x, const int64_t *s, size_t n) { CT_TENSOR(need(x).expand(ints(s, n))); }
ct_tensor ct_permute(ct_tensor x, const int64_t *d, size_t n) { CT_TENSOR(need(x).permute(ints(d, n))); }
ct_tensor ct_transpose(ct_tensor x, int64_t a, int64_t b) { CT_TENSOR(need(x).transpose(a, b)); }
ct_tensor ct_contiguous(ct_tensor x) { CT_TENSOR(need(x).contiguous()); }
ct_tensor ct_squeeze(ct_tensor x, int64_t dim) { CT_TENSOR(need(x).squeeze(dim)); }
ct_tensor ct_unsqueeze(ct_tensor x, int64_t dim) { CT_TENSOR(need(x).unsqueeze(dim)); }
ct_tensor ct_flatten(ct_tensor x, int64_t a, int64_t b) { CT_TENSOR(need(x).flatten(a, b)); }
ct_tensor ct_slice(ct_tensor x, int64_t dim, int64_t start, int64_t end, int64_t step) {
  CT_TENSOR(need(x).slice(dim, start, end, step));
}
ct_tensor ct_select(ct_tensor x, int64_t dim, int64_t index) { CT_TENSOR(need(x).select(dim, index)); }
ct_tensor ct_index_select(ct_tensor x, int64_t dim, ct_tensor index) {
  CT_TENSOR(at::index_select(need(x), dim, need(index)));
}
ct_tensor ct_gather(ct_tensor x, int64_t dim, ct_tensor index) { CT_TENSOR(at::gather(need(x), dim, need(index))); }
ct_tensor ct_cat(const ct_tensor *ts, size_t n, int64_t dim) { CT_TENSOR(at::cat(tensors(ts, n), dim)); }
ct_tensor ct_stack(const ct_tensor *ts, size_t n, int64_t dim) { CT_TENSOR(at::stack(tensors(ts, n), dim)); }
ct_tensor ct_pad(ct_tensor x, const int64_t *pads, size_t n, ct_pad_mode mode, double value) {
  return guarded<ct_tensor>(nullptr, [&]() -> ct_tensor {
    const at::Tensor &t = need(x);
    if (n % 2 != 0) throw std::invalid_argument("padding needs an even number of values, got " + std::to_string(n));
    switch (mode) {
    case CT_PAD_CONSTANT: return wrap(at::constant_pad_nd(t, ints(pads, n), value));
    case CT_PAD_CIRCULAR: return wrap(pad_circular(t, pads, n));
    case CT_PAD_REFLECT:
      if (n == 2) return wrap(at::reflection_pad1d(t, ints(pads, n)));
      if (n == 4) return wrap(at::reflection_pad2d(t, ints(pads, n)));
      if (n == 6) return wrap(at::reflection_pad3d(t, ints(pads, n)));
      break;
    case CT_PAD_REPLICATE:
      if (n == 2) return wrap(at::replication_pad1d(t, ints(pads, n)));
      if (n == 4) return wrap(at::replication_pad2d(t, ints(pads, n)));
      if (n == 6) return wrap(at::replication_pad3d(t, ints(pads, n)));
      break;
    }
    throw std::invalid_argument("reflect and replicate padding take 2, 4 or 6 values, got " + std::to_string(n));
  });
}
ct_tensor ct_repeat(ct_tensor x, const int64_t *r, size_t n) { CT_TENSOR(need(x).repeat(ints(r, n))); }
ct_tensor ct_flip(ct_tensor x, const int64_t *d, size_t n) { CT_TENSOR(at::flip(need(x), ints(d, n))); }
ct_tensor ct_roll(ct_tensor x, const int64_t *shifts, const int64_t *dims, size_t n) {
  CT_TENSOR(at::roll(need(x), ints(shifts, n), ints(dims, n)));
}

// MARK: neural-network ops

ct_tensor ct_conv2d(ct_tensor x, ct_tensor w, ct_tensor b, const int64_t stride[2],
                    const int64_t padding[2], const int64_t dilation[2], int64_t groups) {
  CT_TENSOR(at::conv2d(need(x), need(w), optional(b), ints(stride, 2), ints(padding, 2),
                       ints(dilation, 2), groups));
}
ct_tensor ct_conv_transpose2d(ct_tensor x, ct_tensor w, ct_tensor b, const int64_t stride[2],
                              const int64_t padding[2], const int64_t output_padding[2],
                              const int64_t dilation[2], int64_t groups) {
  CT_TENSOR(at::conv_transpose2d(need(x), need(w), optional(b), ints(stride, 2), ints(padding, 2),
                                 ints(output_padding, 2), groups, ints(dilation, 2)));
}
ct_tensor ct_avg_pool2d(ct_tensor x, const int64_t k[2], const int64_t s[2], const int64_t p[2],
                        bool ceil_mode, bool count_include_pad) {
  CT_TENSOR(at::avg_pool2d(need(x), ints(k, 2), ints(s, 2), ints(p, 2), ceil_mode, count_include_pad));
}
ct_tensor ct_max_pool2d(ct_tensor x, const int64_t k[2], const int64_t s[2], const int64_t p[2],
                        const int64_t d[2], bool ceil_mode) {
  CT_TENSOR(at::max_pool2d(need(x), ints(k, 2), ints(s, 2), ints(p, 2), ints(d, 2), ceil_mode));
}
ct_tensor ct_adaptive_avg_pool2d(ct_tensor x, int64_t h, int64_t w) {
  CT_TENSOR(at::adaptive_avg_pool2d(need(x), {h, w}));
}
ct_tensor ct_interpolate(ct_tensor x, int64_t h, int64_t w, ct_interp_mode mode, bool align_corners,
                         bool antialias) {
  return guarded<ct_tensor>(nullptr, [&]() -> ct_tensor {
    const at::Tensor &t = need(x);
    std::vector<int64_t> size{h, w};
    switch (mode) {
    case CT_NEAREST:
      if (antialias) throw std::invalid_argument("antialias applies to bilinear and bicubic only");
      return wrap(at::upsample_nearest2d(t, size, c10::nullopt, c10::nullopt));
    case CT_BILINEAR:
      return wrap(antialias ? at::_upsample_bilinear2d_aa(t, size, align_corners, c10::nullopt, c10::nullopt)
                            : at::upsample_bilinear2d(t, size, align_corners, c10::nullopt, c10::nullopt));
    case CT_BICUBIC:
      return wrap(antialias ? at::_upsample_bicubic2d_aa(t, size, align_corners, c10::nullopt, c10::nullopt)
                            : at::upsample_bicubic2d(t, size, align_corners, c10::nullopt, c10::nullopt));
    case CT_AREA:
      if (antialias) throw std::invalid_argument("antialias applies to bilinear and bicubic only");
      return wrap(at::adaptive_avg_pool2d(t, size));
    }
    throw std::invalid_argument("unknown interpolation mode " + std::to_string(int(mode)));
  });
}
ct_tensor ct_affine_grid(ct_tensor theta, const int64_t size[4], bool align_corners) {
  CT_TENSOR(at::affine_grid_generator(need(theta), ints(size, 4), align_corners));
}
ct_tensor ct_grid_sample(ct_tensor x, ct_tensor grid, ct_grid_padding padding, bool align_corners) {
  CT_TENSOR(at::grid_sampler(need(x), need(grid), 0, int64_t(padding), align_corners));
}
ct_tensor ct_batch_norm(ct_tensor x, ct_tensor w, ct_tensor b, ct_tensor rm, ct_tensor rv,
                        bool training, double momentum, double eps) {
  CT_TENSOR(at::batch_norm(need(x), optional(w), optional(b), optional(rm), optional(rv), training,
                           momentum, eps, true));
}
ct_tensor ct_dropout(ct_tensor x, double p, bool training) { CT_TENSOR(at::dropout(need(x), p, training)); }
ct_tensor ct_l1_loss(ct_tensor i, ct_tensor t, ct_reduction r) { CT_TENSOR(at::l1_loss(need(i), need(t), r)); }
ct_tensor ct_mse_loss(ct_tensor i, ct_tensor t, ct_reduction r) { CT_TENSOR(at::mse_loss(need(i), need(t), r)); }
ct_tensor ct_bce_with_logits(ct_tensor i, ct_tensor t, ct_reduction r) {
  CT_TENSOR(at::binary_cross_entropy_with_logits(need(i), need(t), c10::nullopt, c10::nullopt, r));
}
ct_tensor ct_cross_entropy(ct_tensor logits, ct_tensor target, ct_reduction r, double smoothing) {
  CT_TENSOR(at::cross_entropy_loss(need(logits), need(target), c10::nullopt, r, -100, smoothing));
}

// MARK: in-place updates

int ct_set_data(ct_tensor t, ct_tensor src) { CT_STATUS(need(t).set_data(need(src))); }
int ct_copy_(ct_tensor dst, ct_tensor src) {
  CT_STATUS({
    at::NoGradGuard no_grad;
    need(dst).copy_(need(src));
  });
}
int ct_zero_(ct_tensor t) { CT_STATUS({ at::NoGradGuard g; need(t).zero_(); }); }
int ct_fill_(ct_tensor t, double v) { CT_STATUS({ at::NoGradGuard g; need(t).fill_(v); }); }
int ct_add_(ct_tensor t, ct_tensor o, double alpha) {
  // An integral tensor (BatchNorm's num_batches_tracked) refuses a floating-point alpha.
  CT_STATUS({
    at::NoGradGuard g;
    bool integral = at::isIntegralType(need(t).scalar_type(), true) && alpha == std::trunc(alpha);
    need(t).add_(need(o), integral ? at::Scalar(int64_t(alpha)) : at::Scalar(alpha));
  });
}
int ct_mul_scalar_(ct_tensor t, double v) { CT_STATUS({ at::NoGradGuard g; need(t).mul_(v); }); }
int ct_lerp_(ct_tensor t, ct_tensor e, double w) { CT_STATUS({ at::NoGradGuard g; need(t).lerp_(need(e), w); }); }
int ct_normal_(ct_tensor t, double mean, double std, ct_generator gen) {
  CT_STATUS({
    at::NoGradGuard g;
    at::Tensor &dst = t->t;
    if (dst.is_cpu()) dst.normal_(mean, std, generator(gen));
    else dst.copy_(at::empty(dst.sizes(), dst.options().device(at::kCPU)).normal_(mean, std, generator(gen)));
  });
}
int ct_uniform_(ct_tensor t, double low, double high, ct_generator gen) {
  CT_STATUS({
    at::NoGradGuard g;
    at::Tensor &dst = t->t;
    if (dst.is_cpu()) dst.uniform_(low, high, generator(gen));
    else dst.copy_(at::empty(dst.sizes(), dst.options().device(at::kCPU)).uniform_(low, high, generator(gen)));
  });
}
int ct_adam_step(ct_tensor param, ct_tensor grad, ct_tensor exp_avg, ct_tensor exp_avg_sq,
                 int64_t step, double lr, double beta1, double beta2, double eps,
                 double weight_decay, bool decoupled) {
  CT_STATUS({
    at::NoGradGuard no_grad;
    at::Tensor p = need(param), g = need(grad), m = need(exp_avg), v = need(exp_avg_sq);
    if (weight_decay != 0) {
      if (decoupled) p.mul_(1 - lr * weight_decay);
      else g = g.add(p, weight_decay);
    }
    m.mul_(beta1).add_(g, 1 - beta1);
    v.mul_(beta2).addcmul_(g, g, 1 - beta2);
    double bias_correction1 = 1 - std::pow(beta1, double(step));
    double bias_correction2 = 1 - std::pow(beta2, double(step));
    at::Tensor denom = (v.sqrt() / std::sqrt(bias_correction2)).add_(eps);
    p.addcdiv_(m, denom, -lr / bias_correction1);
  });
}

// MARK: autograd

int ct_set_requires_grad(ct_tensor t, bool r) { CT_STATUS(need(t).set_requires_grad(r)); }
bool ct_requires_grad(ct_tensor t) { return t && t->t.requires_grad(); }
ct_tensor ct_grad(ct_tensor t) {
  return guarded<ct_tensor>(nullptr, [&]() -> ct_tensor {
    const at::Tensor &g = need(t).grad();
    return g.defined() ? wrap(g) : nullptr;
  });
}
int ct_zero_grad(ct_tensor t) { CT_STATUS(need(t).mutable_grad() = at::Tensor()); }
ct_tensor ct_detach(ct_tensor t) { CT_TENSOR(need(t).detach()); }
int ct_backward(ct_tensor output, ct_tensor grad_output, bool retain_graph, bool create_graph) {
  CT_STATUS({
    at::Tensor g = grad_output ? grad_output->t : at::Tensor();
    need(output).backward(g, retain_graph, create_graph);
  });
}
int ct_autograd_grad(const ct_tensor *outputs, size_t noutputs, const ct_tensor *grad_outputs,
                     const ct_tensor *inputs, size_t ninputs, bool retain_graph, bool create_graph,
                     bool allow_unused, ct_tensor *results) {
  CT_STATUS({
    std::vector<at::Tensor> gos;
    if (grad_outputs) gos = tensors(grad_outputs, noutputs);
    auto grads = torch::autograd::grad(tensors(outputs, noutputs), tensors(inputs, ninputs), gos,
                                       retain_graph, create_graph, allow_unused);
    for (size_t i = 0; i < ninputs; ++i) results[i] = grads[i].defined() ? wrap(grads[i]) : nullptr;
  });
}

// MARK: TorchScript

ct_script_module ct_script_load(const char *path, int dev) {
  return guarded<ct_script_module>(nullptr, [&] {
    return new ct_script_module_s{torch::jit::load(std::string(path), device(dev))};
  });
}
void ct_script_module_free(ct_script_module m) { delete m; }
int ct_script_eval(ct_script_module m) { CT_STATUS(m->m.eval()); }
ct_tensor ct_script_forward(ct_script_module m, const char *method, const ct_tensor *inputs, size_t n) {
  return ct_script_call(m, method, inputs, n, nullptr, nullptr, nullptr, 0);
}
ct_tensor ct_script_call(ct_script_module m, const char *method, const ct_tensor *inputs, size_t n,
                         const char *const *kw_names, const int *kw_kinds, const double *kw_values, size_t nkw) {
  return guarded<ct_tensor>(nullptr, [&]() -> ct_tensor {
    if (m == nullptr) throw std::invalid_argument("null TorchScript module");
    std::vector<c10::IValue> args;
    for (size_t i = 0; i < n; ++i) args.emplace_back(need(inputs[i]));
    torch::jit::Kwargs kwargs;
    for (size_t i = 0; i < nkw; ++i) {
      if (kw_names == nullptr || kw_names[i] == nullptr) throw std::invalid_argument("null keyword name");
      switch (kw_kinds[i]) {
        case CT_KW_BOOL: kwargs[kw_names[i]] = c10::IValue(kw_values[i] != 0); break;
        case CT_KW_INT: kwargs[kw_names[i]] = c10::IValue(static_cast<int64_t>(kw_values[i])); break;
        case CT_KW_DOUBLE: kwargs[kw_names[i]] = c10::IValue(kw_values[i]); break;
        default: throw std::invalid_argument("unknown keyword argument kind");
      }
    }
    c10::IValue out = m->m.get_method(method ? method : "forward")(std::move(args), kwargs);
    if (out.isTensor()) return wrap(out.toTensor());
    if (out.isTuple()) {
      auto elements = out.toTuple()->elements();
      if (!elements.empty() && elements[0].isTensor()) return wrap(elements[0].toTensor());
    }
    if (out.isTensorList() && out.toTensorList().size() > 0) return wrap(out.toTensorList().get(0));
    throw std::runtime_error("TorchScript method returned " + out.tagKind() + ", not a tensor");
  });
}

} // extern "C"
