// ctorch.h — the plain-C face of libtorch that Swift sees.
//
// Conventions:
// - Handles are opaque pointers; each kind has one `_free`.
// - Functions returning a handle return NULL on failure; functions returning `int` return 0 on
//   success and -1 on failure. After a failure `ct_last_error()` holds libtorch's message.
// - Shapes and dimension lists cross as (const int64_t *values, size_t count).
// - Devices are ints: -1 is the CPU, n >= 0 is CUDA device n.
#ifndef CTORCH_H
#define CTORCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ct_tensor_s *ct_tensor;
typedef struct ct_generator_s *ct_generator;
typedef struct ct_script_module_s *ct_script_module;

typedef enum {
  CT_FLOAT32 = 0,
  CT_FLOAT64 = 1,
  CT_FLOAT16 = 2,
  CT_BFLOAT16 = 3,
  CT_INT64 = 4,
  CT_INT32 = 5,
  CT_UINT8 = 6,
  CT_BOOL = 7,
} ct_dtype;

// MARK: errors, library facts, global state
const char *ct_last_error(void);
void ct_clear_error(void);
const char *ct_version(void);
const char *ct_build_config(void);
/// The cores this process may run on (its CPU affinity: taskset, cgroups, SLURM binding).
int ct_usable_cores(void);
int ct_num_threads(void);
int ct_set_num_threads(int n);
int ct_manual_seed(uint64_t seed);
bool ct_cuda_is_available(void);
int ct_cuda_device_count(void);
bool ct_is_grad_enabled(void);
void ct_set_grad_enabled(bool enabled);

// MARK: tensor lifetime and facts
void ct_tensor_free(ct_tensor t);
ct_tensor ct_shallow_clone(ct_tensor t);
int64_t ct_dim(ct_tensor t);
int ct_shape(ct_tensor t, int64_t *out, size_t capacity);
int64_t ct_numel(ct_tensor t);
int ct_dtype_of(ct_tensor t);
int ct_device_of(ct_tensor t);
bool ct_defined(ct_tensor t);

// MARK: creation and copies
ct_tensor ct_empty(const int64_t *shape, size_t ndim, ct_dtype dtype, int device);
ct_tensor ct_zeros(const int64_t *shape, size_t ndim, ct_dtype dtype, int device);
ct_tensor ct_ones(const int64_t *shape, size_t ndim, ct_dtype dtype, int device);
ct_tensor ct_full(const int64_t *shape, size_t ndim, double value, ct_dtype dtype, int device);
ct_tensor ct_arange(double start, double end, double step, ct_dtype dtype, int device);
ct_tensor ct_linspace(double start, double end, int64_t steps, ct_dtype dtype, int device);
/// Copies `nbytes` from `data` (elements of `dtype`, row-major) into a new CPU tensor.
ct_tensor ct_from_data(const void *data, size_t nbytes, const int64_t *shape, size_t ndim,
                       ct_dtype dtype);
/// Copies the tensor's elements (converted to `dtype`, row-major) into `out`.
int ct_copy_to_buffer(ct_tensor t, ct_dtype dtype, void *out, size_t nbytes);
ct_tensor ct_to(ct_tensor t, ct_dtype dtype, int device);
ct_tensor ct_clone(ct_tensor t);
double ct_item_double(ct_tensor t);
int64_t ct_item_int64(ct_tensor t);

// MARK: random numbers
ct_generator ct_generator_new(uint64_t seed);
void ct_generator_free(ct_generator g);
int ct_generator_set_seed(ct_generator g, uint64_t seed);
/// The generator's full state as a uint8 tensor (for exact resume); NULL generator = the default.
ct_tensor ct_generator_get_state(ct_generator g);
int ct_generator_set_state(ct_generator g, ct_tensor state);
ct_tensor ct_randn(const int64_t *shape, size_t ndim, ct_dtype dtype, int device, ct_generator g);
ct_tensor ct_rand(const int64_t *shape, size_t ndim, ct_dtype dtype, int device, ct_generator g);
ct_tensor ct_randint(int64_t low, int64_t high, const int64_t *shape, size_t ndim, ct_dtype dtype,
                     int device, ct_generator g);
ct_tensor ct_randperm(int64_t n, int device, ct_generator g);

// MARK: elementwise
typedef enum {
  CT_NEG, CT_ABS, CT_EXP, CT_LOG, CT_LOG1P, CT_EXPM1, CT_SQRT, CT_RSQRT, CT_SQUARE, CT_SIN, CT_COS,
  CT_TANH, CT_SIGMOID, CT_RELU, CT_GELU, CT_SOFTPLUS, CT_FLOOR, CT_CEIL, CT_ROUND, CT_SIGN,
  CT_RECIPROCAL, CT_ERF, CT_LOGICAL_NOT, CT_ISNAN, CT_ISFINITE, CT_SILU, CT_TRUNC,
} ct_unary_op;
ct_tensor ct_unary(ct_unary_op op, ct_tensor x);

typedef enum {
  CT_ADD, CT_SUB, CT_MUL, CT_DIV, CT_POW, CT_MAXIMUM, CT_MINIMUM, CT_EQ, CT_NE, CT_LT, CT_LE, CT_GT,
  CT_GE, CT_ATAN2, CT_REMAINDER, CT_LOGICAL_AND, CT_LOGICAL_OR, CT_FLOOR_DIVIDE,
} ct_binary_op;
ct_tensor ct_binary(ct_binary_op op, ct_tensor a, ct_tensor b);
ct_tensor ct_binary_scalar(ct_binary_op op, ct_tensor a, double b);
/// `b op a` with a scalar on the left (for 1 - x, 2 / x, 2 ** x).
ct_tensor ct_scalar_binary(ct_binary_op op, double a, ct_tensor b);
ct_tensor ct_where(ct_tensor condition, ct_tensor a, ct_tensor b);
ct_tensor ct_clamp(ct_tensor x, double min, double max, bool has_min, bool has_max);
ct_tensor ct_leaky_relu(ct_tensor x, double negative_slope);
ct_tensor ct_lerp(ct_tensor start, ct_tensor end, double weight);
ct_tensor ct_softmax(ct_tensor x, int64_t dim);
ct_tensor ct_log_softmax(ct_tensor x, int64_t dim);
ct_tensor ct_masked_fill(ct_tensor x, ct_tensor mask, double value);
bool ct_allclose(ct_tensor a, ct_tensor b, double rtol, double atol);

// MARK: linear algebra
ct_tensor ct_matmul(ct_tensor a, ct_tensor b);
ct_tensor ct_bmm(ct_tensor a, ct_tensor b);
/// y = x W^T + b; `bias` may be NULL.
ct_tensor ct_linear(ct_tensor x, ct_tensor weight, ct_tensor bias);
/// Symmetric eigendecomposition (ascending eigenvalues); writes both results.
int ct_eigh(ct_tensor x, ct_tensor *eigenvalues, ct_tensor *eigenvectors);
ct_tensor ct_cdist(ct_tensor a, ct_tensor b, double p);

// MARK: reductions
typedef enum { CT_SUM, CT_MEAN, CT_AMAX, CT_AMIN, CT_PROD, CT_LOGSUMEXP } ct_reduce_op;
/// Reduces over `dims` (all dimensions when ndims == 0).
ct_tensor ct_reduce(ct_reduce_op op, ct_tensor x, const int64_t *dims, size_t ndims, bool keepdim);
ct_tensor ct_var(ct_tensor x, const int64_t *dims, size_t ndims, bool unbiased, bool keepdim);
ct_tensor ct_std(ct_tensor x, const int64_t *dims, size_t ndims, bool unbiased, bool keepdim);
ct_tensor ct_norm(ct_tensor x, double p, const int64_t *dims, size_t ndims, bool keepdim);
ct_tensor ct_argmax(ct_tensor x, int64_t dim, bool keepdim);
ct_tensor ct_argmin(ct_tensor x, int64_t dim, bool keepdim);
int ct_sort(ct_tensor x, int64_t dim, bool descending, ct_tensor *values, ct_tensor *indices);
int ct_topk(ct_tensor x, int64_t k, int64_t dim, bool largest, ct_tensor *values,
            ct_tensor *indices);
ct_tensor ct_cumsum(ct_tensor x, int64_t dim);

// MARK: shape and indexing
ct_tensor ct_reshape(ct_tensor x, const int64_t *shape, size_t ndim);
ct_tensor ct_view(ct_tensor x, const int64_t *shape, size_t ndim);
ct_tensor ct_expand(ct_tensor x, const int64_t *shape, size_t ndim);
ct_tensor ct_permute(ct_tensor x, const int64_t *dims, size_t ndim);
ct_tensor ct_transpose(ct_tensor x, int64_t dim0, int64_t dim1);
ct_tensor ct_contiguous(ct_tensor x);
ct_tensor ct_squeeze(ct_tensor x, int64_t dim);
ct_tensor ct_unsqueeze(ct_tensor x, int64_t dim);
ct_tensor ct_flatten(ct_tensor x, int64_t start_dim, int64_t end_dim);
ct_tensor ct_slice(ct_tensor x, int64_t dim, int64_t start, int64_t end, int64_t step);
ct_tensor ct_select(ct_tensor x, int64_t dim, int64_t index);
ct_tensor ct_index_select(ct_tensor x, int64_t dim, ct_tensor index);
ct_tensor ct_gather(ct_tensor x, int64_t dim, ct_tensor index);
ct_tensor ct_cat(const ct_tensor *tensors, size_t count, int64_t dim);
ct_tensor ct_stack(const ct_tensor *tensors, size_t count, int64_t dim);
typedef enum { CT_PAD_CONSTANT, CT_PAD_REFLECT, CT_PAD_REPLICATE, CT_PAD_CIRCULAR } ct_pad_mode;
/// `pads` as in torch.nn.functional.pad: (last-dim left, last-dim right, next-dim left, ...).
ct_tensor ct_pad(ct_tensor x, const int64_t *pads, size_t npads, ct_pad_mode mode, double value);
ct_tensor ct_repeat(ct_tensor x, const int64_t *repeats, size_t ndim);
ct_tensor ct_flip(ct_tensor x, const int64_t *dims, size_t ndims);
ct_tensor ct_roll(ct_tensor x, const int64_t *shifts, const int64_t *dims, size_t n);

// MARK: neural-network ops (NCHW)
ct_tensor ct_conv2d(ct_tensor x, ct_tensor weight, ct_tensor bias, const int64_t stride[2],
                    const int64_t padding[2], const int64_t dilation[2], int64_t groups);
ct_tensor ct_conv_transpose2d(ct_tensor x, ct_tensor weight, ct_tensor bias,
                              const int64_t stride[2], const int64_t padding[2],
                              const int64_t output_padding[2], const int64_t dilation[2],
                              int64_t groups);
ct_tensor ct_avg_pool2d(ct_tensor x, const int64_t kernel[2], const int64_t stride[2],
                        const int64_t padding[2], bool ceil_mode, bool count_include_pad);
ct_tensor ct_max_pool2d(ct_tensor x, const int64_t kernel[2], const int64_t stride[2],
                        const int64_t padding[2], const int64_t dilation[2], bool ceil_mode);
ct_tensor ct_adaptive_avg_pool2d(ct_tensor x, int64_t out_h, int64_t out_w);
typedef enum { CT_NEAREST, CT_BILINEAR, CT_BICUBIC, CT_AREA } ct_interp_mode;
ct_tensor ct_interpolate(ct_tensor x, int64_t out_h, int64_t out_w, ct_interp_mode mode,
                         bool align_corners, bool antialias);
/// Sampling grid [N, H, W, 2] of the affine maps theta [N, 2, 3] for an output of shape size[4].
ct_tensor ct_affine_grid(ct_tensor theta, const int64_t size[4], bool align_corners);
typedef enum { CT_GRID_ZEROS = 0, CT_GRID_BORDER = 1, CT_GRID_REFLECTION = 2 } ct_grid_padding;
/// Bilinear sampling of x [N, C, H, W] at grid [N, H', W', 2] (x, y in [−1, 1]).
ct_tensor ct_grid_sample(ct_tensor x, ct_tensor grid, ct_grid_padding padding, bool align_corners);
/// weight, bias, running_mean, running_var may be NULL.
ct_tensor ct_batch_norm(ct_tensor x, ct_tensor weight, ct_tensor bias, ct_tensor running_mean,
                        ct_tensor running_var, bool training, double momentum, double eps);
ct_tensor ct_dropout(ct_tensor x, double p, bool training);
typedef enum { CT_REDUCTION_NONE = 0, CT_REDUCTION_MEAN = 1, CT_REDUCTION_SUM = 2 } ct_reduction;
ct_tensor ct_l1_loss(ct_tensor input, ct_tensor target, ct_reduction reduction);
ct_tensor ct_mse_loss(ct_tensor input, ct_tensor target, ct_reduction reduction);
ct_tensor ct_bce_with_logits(ct_tensor input, ct_tensor target, ct_reduction reduction);
/// `target` holds class indices (int64).
ct_tensor ct_cross_entropy(ct_tensor logits, ct_tensor target, ct_reduction reduction,
                           double label_smoothing);

// MARK: in-place updates (optimizers, EMA, loading)
int ct_copy_(ct_tensor dst, ct_tensor src);
/// `t` takes `src`'s storage, device and dtype, staying the same handle (PyTorch's `p.data = src`).
int ct_set_data(ct_tensor t, ct_tensor src);
int ct_zero_(ct_tensor t);
int ct_fill_(ct_tensor t, double value);
int ct_add_(ct_tensor t, ct_tensor other, double alpha);
int ct_mul_scalar_(ct_tensor t, double value);
int ct_lerp_(ct_tensor t, ct_tensor end, double weight);
int ct_normal_(ct_tensor t, double mean, double std, ct_generator g);
int ct_uniform_(ct_tensor t, double low, double high, ct_generator g);
/// One step of torch.optim.Adam / AdamW (single-tensor path), updating param and both moments.
int ct_adam_step(ct_tensor param, ct_tensor grad, ct_tensor exp_avg, ct_tensor exp_avg_sq,
                 int64_t step, double lr, double beta1, double beta2, double eps,
                 double weight_decay, bool decoupled_weight_decay);

// MARK: autograd
int ct_set_requires_grad(ct_tensor t, bool requires_grad);
bool ct_requires_grad(ct_tensor t);
/// The accumulated gradient, or NULL without an error when there is none.
ct_tensor ct_grad(ct_tensor t);
int ct_zero_grad(ct_tensor t);
ct_tensor ct_detach(ct_tensor t);
/// `grad_output` may be NULL for a scalar output.
int ct_backward(ct_tensor output, ct_tensor grad_output, bool retain_graph, bool create_graph);
/// torch.autograd.grad: writes `ninputs` gradients into `results` (NULL where unused and allowed).
/// `grad_outputs` may be NULL (all outputs must then be scalars).
int ct_autograd_grad(const ct_tensor *outputs, size_t noutputs, const ct_tensor *grad_outputs,
                     const ct_tensor *inputs, size_t ninputs, bool retain_graph,
                     bool create_graph, bool allow_unused, ct_tensor *results);

// MARK: TorchScript
ct_script_module ct_script_load(const char *path, int device);
void ct_script_module_free(ct_script_module m);
int ct_script_eval(ct_script_module m);
/// Calls the module's `forward` (or `method`) with tensor arguments; returns its tensor result,
/// or the first tensor of a returned tuple.
ct_tensor ct_script_forward(ct_script_module m, const char *method, const ct_tensor *inputs,
                            size_t ninputs);
/// Kinds of keyword-argument values (each passed as a double).
enum { CT_KW_BOOL = 0, CT_KW_INT = 1, CT_KW_DOUBLE = 2 };
/// Like ct_script_forward, with keyword arguments `kw_names[i]` = `kw_values[i]` of kind
/// `kw_kinds[i]` (e.g. StyleGAN2-ADA's forward(img, return_features=True)).
ct_tensor ct_script_call(ct_script_module m, const char *method, const ct_tensor *inputs, size_t ninputs,
                         const char *const *kw_names, const int *kw_kinds, const double *kw_values, size_t nkw);

#ifdef __cplusplus
}
#endif
#endif
