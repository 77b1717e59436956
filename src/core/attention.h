// Attention Playground core: multi-head self-attention with a trace of every intermediate.
//
// Conventions (also in README.md; the JS API in web/lib/attention.js uses them):
//   - every matrix is row-major float32;
//   - projections are x·W with W of shape (d_model, d_model); head h takes columns
//     h·d_head … (h+1)·d_head−1 of Q, K, V;
//   - scores(i, j) = q_i·k_j / (√d_head · temperature) + bias(i, j);
//   - the causal mask hides j > i: masked scores are −∞ and their weights exactly 0;
//     a row with nothing left unmasked has weights 0, never NaN;
//   - softmax runs over the last axis (keys), with max subtraction; a weight below 2^−115 of its
//     row's largest is exactly 0 (never a denormal);
//   - sinusoidal encoding (Vaswani et al. 2017) is added to X before the projections;
//   - RoPE rotates interleaved pairs (2i, 2i+1) of each head's q and k by
//     pos / 10000^(2i/d_head) (llama2.c's convention);
//   - ALiBi adds −m_h·(i−j) (causal) or −m_h·|i−j| (not causal), m_h = 2^(−8(h+1)/H).
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ap {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixMap = Eigen::Map<Matrix>;
using ConstMatrixMap = Eigen::Map<const Matrix>;

enum class Positional { None, Sinusoidal, Rope, Alibi };
// Every positional encoding, in this order; the bindings report their names (build info).
inline constexpr Positional kPositionals[] = {Positional::None, Positional::Sinusoidal, Positional::Rope,
                                              Positional::Alibi};

// Parses "none", "sinusoidal", "rope", "alibi"; returns false for anything else.
bool parse_positional(std::string_view name, Positional* out);
const char* positional_name(Positional p);

// Limits that keep a single call's memory bounded (the trace holds heads·n² floats; the
// output-only path holds O(n·d_model)).
inline constexpr int kMaxTokens = 4096;
inline constexpr int kMaxTokensOutputOnly = 65536;
inline constexpr int kMaxModelDim = 4096;
inline constexpr int kMaxHeads = 256;
// Work per call: n·n_kv·d_model multiply-adds in each of the two products (q·k, weights·v) are
// bounded, so that no accepted call runs for long (about 3.5 s at the bound in wasm here: 8192
// tokens × 8 heads of 64).
inline constexpr long long kMaxWork = 1ll << 35;
// Every input value within ±kMaxMagnitude, and the temperature in [kMinTemperature,
// kMaxTemperature]: then every product the pass forms stays finite in float32 (|q·k| ≤ d_model ·
// (d_model·kMaxMagnitude²)² ≈ 7e34 at d_model 4096, divided by at least 1e-3), in the SIMD and the
// scalar build alike.
inline constexpr double kMaxMagnitude = 1e6;
inline constexpr double kMinTemperature = 1e-3;
inline constexpr double kMaxTemperature = 1e6;

struct AttentionConfig {
  int n = 0;        // tokens
  int d_model = 0;  // embedding width
  int heads = 1;    // number of heads; d_head = d_model / heads
  bool causal = false;
  float temperature = 1.0f;
  Positional positional = Positional::None;
  bool scale = true;  // divide scores by √d_head; off shows why it is there
  int n_kv = 0;       // keys/values for cross-attention (with AttentionInputs::x_kv); 0 = self
  // Also keep every stage of the scores before any mask (AttentionTrace::raw_scores,
  // scaled_scores, unmasked_scores) and, under RoPE, q and k before the rotation: what the page's
  // walkthrough draws step by step, without more passes.
  bool unmasked_scores = false;
};

// Borrowed, row-major inputs. Sizes: x (n, d_model); each W (d_model, d_model).
struct AttentionInputs {
  const float* x = nullptr;
  const float* wq = nullptr;
  const float* wk = nullptr;
  const float* wv = nullptr;
  const float* wo = nullptr;
  size_t x_size = 0;  // number of floats behind x, checked against n·d_model
  size_t w_size = 0;  // number of floats behind each W, checked against d_model²
  // Cross-attention (optional): K and V come from x_kv (n_kv, d_model), Q from x.
  const float* x_kv = nullptr;
  size_t x_kv_size = 0;
  // Custom mask (optional): (n, n_kv), 1 = query i may attend to key j, 0 = masked.
  const uint8_t* mask = nullptr;
  size_t mask_size = 0;
  // Key padding (optional): (n_kv), 1 = this token is padding, so no query attends to it.
  const uint8_t* key_padding = nullptr;
  size_t key_padding_size = 0;
};

// Every intermediate of one forward pass. Per-head vectors are indexed by head.
// Masks combine: a cell is masked when the causal mask, the custom mask or key padding says so.
//
// Every matrix is a view into `block`, one contiguous buffer in the order of the members below
// (per-head matrices of one kind follow each other, head 0 first), so the bindings copy a whole
// trace out in one go and a trace passed back to multi_head_attention() is refilled without
// allocating. A trace can be moved but not copied (the views would point into the original).
struct AttentionTrace {
  int n = 0, n_kv = 0, d_model = 0, heads = 0, d_head = 0;
  std::vector<float> block;       // storage of everything below
  MatrixMap x{nullptr, 0, 0};     // (n, d_model) input after positional encoding
  MatrixMap x_kv{nullptr, 0, 0};  // (n_kv, d_model) cross-attention source after encoding; empty for self
  std::vector<MatrixMap> q;       // [head] (n, d_head), after RoPE
  std::vector<MatrixMap> k, v;    // [head] (n_kv, d_head); k after RoPE
  std::vector<MatrixMap> scores;  // [head] (n, n_kv) scaled + bias, −∞ where masked
  // Only with AttentionConfig::unmasked_scores (else empty): the stages of the scores with no mask
  // of any kind (causal, custom, padding) applied, each from the one product q·kᵀ:
  //   raw = q·kᵀ;  scaled = raw·scale (scale = 1/(√d_head·T), or 1/T unscaled);
  //   unmasked = scaled − slope·|i−j| (ALiBi; = scaled without it), which the masks then finish.
  std::vector<MatrixMap> raw_scores;       // [head] (n, n_kv) q_i·k_j
  std::vector<MatrixMap> scaled_scores;    // [head] (n, n_kv) q_i·k_j·scale
  std::vector<MatrixMap> unmasked_scores;  // [head] (n, n_kv) q_i·k_j·scale − slope·|i−j|
  // Only with unmasked_scores under RoPE (else empty): the projections before the rotation.
  MatrixMap q_unrotated{nullptr, 0, 0};  // (n, d_model) = x·W_Q
  MatrixMap k_unrotated{nullptr, 0, 0};  // (n_kv, d_model) = x·W_K (x_kv under cross-attention)
  std::vector<MatrixMap> weights;        // [head] (n, n_kv) softmax over keys; masked = 0
  MatrixMap entropy{nullptr, 0, 0};      // (heads, n) entropy of each weight row, in nats
  std::vector<MatrixMap> head_output;    // [head] (n, d_head) = weights · v
  MatrixMap concat{nullptr, 0, 0};       // (n, d_model) head outputs side by side
  MatrixMap output{nullptr, 0, 0};       // (n, d_model) = concat · W_O

  AttentionTrace() = default;
  AttentionTrace(AttentionTrace&&) = default;  // the block's storage moves, so the views stay valid
  AttentionTrace(const AttentionTrace&) = delete;
  AttentionTrace& operator=(const AttentionTrace&) = delete;
  AttentionTrace& operator=(AttentionTrace&&) = delete;  // Map::operator= would copy coefficients
};

// What a call computes: every intermediate, or only the output (fused kernels, no n×n buffer).
enum class Mode { Trace, OutputOnly };

// Returns "" when config and inputs are usable, else a message a user can act on.
std::string validate(const AttentionConfig& config, const AttentionInputs& inputs, Mode mode = Mode::Trace);

// Full forward pass with every intermediate. Throws std::invalid_argument when
// validate() fails (builds without exceptions use the overload below).
AttentionTrace multi_head_attention(const AttentionConfig& config, const AttentionInputs& inputs);
// The same into *trace, reusing its block (no allocation once it is large enough). Never throws:
// returns validate()'s message and leaves *trace unchanged when the call is not usable, else "".
// The products run through the packed GEMM of kernels.h, the row steps through trace_kernels.h.
std::string multi_head_attention(const AttentionConfig& config, const AttentionInputs& inputs,
                                 AttentionTrace* trace);

// The output alone, (n, d_model) row-major into out, through the fused kernels (kernels.h):
// memory O(n·d_model), never an n×n buffer. Same conventions and results as the trace's output
// up to float rounding. Self-attention only, with the causal mask as its only mask (custom masks,
// key padding and cross-attention need a trace). Throws std::invalid_argument when
// validate(..., Mode::OutputOnly) fails.
void attention_output(const AttentionConfig& config, const AttentionInputs& inputs, float* out);

// ---- building blocks, exposed for tests and for the page ------------------

// Index of the first value of p[0 … count−1] outside [−bound, bound] (±∞ and NaN included), or
// −1. Vectorised (no branch per value), so the bindings check every input with it.
long long first_out_of_range(const float* p, size_t count, float bound = static_cast<float>(kMaxMagnitude));

// "x holds a non-finite value (nan) at row 2, column 5" or "x holds 1e+30 at row 2, column 5:
// values must be within ±1e+06", for value p[at] of a matrix with `cols` columns.
std::string out_of_range_message(const char* name, const float* p, long long at, int cols);

// Adds the sinusoidal table to x in place. x: (n, d_model).
void add_sinusoidal(MatrixMap x);
// RoPE on m (n, heads·d_head): in every head's block of row pos, rotates the interleaved pairs
// (2i, 2i+1) by pos / 10000^(2i/d_head). d_head even; d_head = m.cols() for a single head.
void apply_rope(MatrixMap m, int d_head);
// ALiBi slope of head h of H: 2^(−8(h+1)/H).
float alibi_slope(int head, int heads);
// The position tables the encodings use, as the pass uses them (the page draws them):
//   sinusoidal_table (rows, d_model): PE, added to X;
//   rope_angles (rows, d_head/2): the angle pos / 10000^(2i/d_head) that pair i of position pos
//   is rotated by, in radians. rows, widths ≥ 1; rows·width ≤ 2^24.
Matrix sinusoidal_table(int rows, int d_model);
Matrix rope_angles(int rows, int d_head);
// Stable softmax of each row in place; −∞ entries become exactly 0; an all −∞ row becomes 0.
void softmax_rows(MatrixMap m);
// Entropy −Σ w·ln w of one row of weights, in nats (0·ln 0 = 0). Uniform over k keys: ln k.
float entropy(const float* weights, int count);

// ---- deterministic, seeded data for the untrained playground ---------------

// A (rows, cols) matrix of N(0, stddev²) values from a counter-based generator.
Matrix random_matrix(int rows, int cols, uint64_t seed, float stddev);
// The embedding of one token: N(0, 1) values seeded by the token's text and the seed.
// The same text and seed always give the same vector, on every platform.
std::vector<float> token_embedding(std::string_view token, int d_model, uint64_t seed);

// The limits validate() and the kernel exports enforce, reported so that callers check against
// the same numbers.
struct Limits {
  int max_tokens;              // kMaxTokens: n and n_kv of a full trace
  int max_tokens_output_only;  // kMaxTokensOutputOnly
  int max_model_dim;           // kMaxModelDim
  int max_heads;               // kMaxHeads
  size_t max_kernel_floats;    // kMaxKernelFloats (kernels.h): floats per array of the kernel exports
  long long max_work;          // kMaxWork: n·n_kv·d_model of one call
  double max_magnitude;        // kMaxMagnitude: |every input value|
  double min_temperature;      // kMinTemperature
  double max_temperature;      // kMaxTemperature
};

// Build information, shown on the page and in test logs.
struct BuildInfo {
  const char* version;
  bool simd;
  const char* simd_kind;  // what the kernels run: "wasm-simd128", "sse2" or "scalar"
  const char* build_type;
  Limits limits;
};
BuildInfo build_info();

}  // namespace ap
