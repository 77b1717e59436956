// GGUF reader and writer (src/formats/gguf*.h): round trips of every value type and tensor type,
// GGUF v2 and v3, a custom alignment, and malformed files (every truncation of a small file,
// wrong magic, absurd counts and dimensions, tensors past the end, unsupported types), each of
// which must give a message that says what and where, never a crash.
#include "formats/gguf.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <vector>

#include "formats/gguf_writer.h"
#include "test_buffers.h"

namespace {

using namespace ap::gguf;
using ap::TensorType;

std::vector<uint8_t> small_file(uint32_t version, uint32_t alignment = 32) {
  Writer w(version, alignment);
  w.add("general.architecture", make_string("llama"));
  w.add("u8", make_scalar(ValueType::U8, 200));
  w.add("i8", make_scalar(ValueType::I8, 0xF6));  // −10
  w.add("u16", make_scalar(ValueType::U16, 60000));
  w.add("i16", make_scalar(ValueType::I16, 0x8000));  // −32768
  w.add("u32", make_u32(4000000000u));
  w.add("i32", make_i32(-7));
  w.add("f32", make_f32(0.25f));
  w.add("bool", make_bool(true));
  w.add("u64", make_u64(uint64_t(1) << 40));
  w.add("i64", make_scalar(ValueType::I64, uint64_t(-5ll)));
  double d = -1.5;
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  w.add("f64", make_scalar(ValueType::F64, bits));
  w.add("strings", make_string_array({"a", "", "\xe2\x96\x81hello"}));
  w.add("floats", make_f32_array({1.0f, -2.0f}));
  w.add("nested", make_array_of_arrays({make_i32_array({1, 2, 3}), make_string_array({"x"})}));
  std::vector<float> values = ap_test::random_values(64 * 2, 3);
  w.add_tensor("t.f32", {64, 2}, TensorType::F32, values.data());
  w.add_tensor("t.f16", {64, 2}, TensorType::F16, values.data());
  w.add_tensor("t.bf16", {64, 2}, TensorType::BF16, values.data());
  w.add_tensor("t.q8", {64, 2}, TensorType::Q8_0, values.data());
  w.add_tensor("t.q4", {64, 2}, TensorType::Q4_0, values.data());
  return w.finish();
}

}  // namespace

TEST_CASE("gguf: every value type and tensor type round-trips, v2 and v3", "[gguf]") {
  for (uint32_t version : {2u, 3u}) {
    for (uint32_t alignment : {32u, 64u}) {
      const auto bytes = small_file(version, alignment);
      File f;
      REQUIRE(parse(bytes.data(), bytes.size(), &f) == "");
      CHECK(f.version == version);
      CHECK(f.alignment == alignment);
      CHECK(f.data_offset % alignment == 0);
      CHECK(f.find("general.architecture")->str == "llama");
      CHECK(f.find("u8")->number() == 200);
      CHECK(f.find("i8")->number() == -10);
      CHECK(f.find("u16")->number() == 60000);
      CHECK(f.find("i16")->number() == -32768);
      CHECK(f.find("u32")->number() == 4000000000.0);
      CHECK(f.find("i32")->number() == -7);
      CHECK(f.find("f32")->number() == 0.25);
      CHECK(f.find("bool")->u == 1);
      CHECK(f.find("u64")->number() == double(uint64_t(1) << 40));
      CHECK(f.find("i64")->number() == -5);
      CHECK(f.find("f64")->number() == -1.5);
      const Value* s = f.find("strings");
      REQUIRE(s->elem == ValueType::String);
      CHECK(s->strings == std::vector<std::string>{"a", "", "\xe2\x96\x81hello"});
      CHECK(f.find("floats")->number_at(1) == -2.0);
      const Value* n = f.find("nested");
      REQUIRE(n->arrays.size() == 2);
      CHECK(n->arrays[0].number_at(2) == 3);
      CHECK(n->arrays[1].strings[0] == "x");
      CHECK(f.find("missing") == nullptr);
      REQUIRE(f.tensors.size() == 5);
      const TensorInfo* q8 = f.tensor("t.q8");
      REQUIRE(q8 != nullptr);
      CHECK(q8->type == TensorType::Q8_0);
      CHECK(q8->dims == std::vector<uint64_t>{64, 2});
      CHECK(q8->bytes == 2 * 2 * 34);
      CHECK(f.tensor("t.q4")->bytes == 2 * 2 * 18);
      CHECK(f.tensor("t.f16")->bytes == 64 * 2 * 2);
      for (const auto& t : f.tensors) {
        CHECK(t.file_offset % alignment == 0);
        CHECK(t.file_offset + t.bytes <= bytes.size());
      }
      // The stored F32 values are the ones written.
      const auto values = ap_test::random_values(64 * 2, 3);
      const TensorInfo* t32 = f.tensor("t.f32");
      CHECK(std::memcmp(bytes.data() + t32->file_offset, values.data(), 64 * 2 * 4) == 0);
    }
  }
}

TEST_CASE("gguf: every truncation of a small file fails with a message, never a crash", "[gguf]") {
  const auto bytes = small_file(3);
  File whole;
  REQUIRE(parse(bytes.data(), bytes.size(), &whole) == "");
  const uint64_t last_data = whole.tensors.back().file_offset + whole.tensors.back().bytes;
  for (size_t len = 0; len < last_data; ++len) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + len);  // its own allocation: ASan sees overreads
    File f;
    const std::string err = parse(cut.data(), cut.size(), &f);
    INFO("length " << len);
    REQUIRE(!err.empty());
    CHECK(err.rfind("GGUF: ", 0) == 0);
  }
  // A truncation inside the data section names the tensor that runs past the end.
  std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + last_data - 1);
  File f;
  CHECK(parse(cut.data(), cut.size(), &f).find("tensor 't.q4'") != std::string::npos);
}

TEST_CASE("gguf: malformed headers, counts, dims and types give messages saying what and where", "[gguf]") {
  auto err = [](const std::vector<uint8_t>& b) {
    File f;
    return parse(b.data(), b.size(), &f);
  };
  auto put_u32 = [](std::vector<uint8_t>& b, size_t at, uint32_t v) {
    for (int k = 0; k < 4; ++k) b[at + k] = uint8_t(v >> (8 * k));
  };
  auto put_u64 = [](std::vector<uint8_t>& b, size_t at, uint64_t v) {
    for (int k = 0; k < 8; ++k) b[at + k] = uint8_t(v >> (8 * k));
  };
  const auto good = small_file(3);

  auto b = good;
  b[0] = 'X';
  CHECK(err(b).find("not a GGUF file") != std::string::npos);
  b = good;
  put_u32(b, 4, 1);
  CHECK(err(b).find("version 1") != std::string::npos);
  put_u32(b, 4, 99);
  CHECK(err(b).find("unknown version 99") != std::string::npos);

  // Absurd counts fail before allocating.
  b = good;
  put_u64(b, 8, uint64_t(1) << 60);
  CHECK(err(b).find("tensors, which cannot fit") != std::string::npos);
  b = good;
  put_u64(b, 16, ~uint64_t(0));
  CHECK(err(b).find("metadata entries, which cannot fit") != std::string::npos);
  // The first key's length (byte 24) absurd.
  b = good;
  put_u64(b, 24, uint64_t(1) << 50);
  CHECK(err(b).find("only") != std::string::npos);
  CHECK(err(b).find("byte 24") != std::string::npos);

  // A file with one array whose count is absurd, and one with an unknown value type.
  {
    Writer w;
    w.add("arr", make_i32_array({1, 2}));
    auto a = w.finish();
    // key "arr" at 24: 8 + 3 bytes, then type (4) at 35, elem type at 39, count at 43.
    put_u64(a, 43, uint64_t(1) << 61);
    const std::string e = err(a);
    CHECK(e.find("metadata key 'arr'") != std::string::npos);
    CHECK(e.find("cannot fit") != std::string::npos);
    a = w.finish();
    put_u32(a, 35, 13);
    CHECK(err(a).find("unknown value type 13") != std::string::npos);
    a = w.finish();
    put_u32(a, 39, 77);
    CHECK(err(a).find("unknown array element type 77") != std::string::npos);
  }
  // Arrays nested too deep.
  {
    Value v = make_i32_array({1});
    for (int d = 0; d < kMaxArrayDepth + 1; ++d) v = make_array_of_arrays({v});
    Writer w;
    w.add("deep", v);
    const auto a = w.finish();
    CHECK(err(a).find("nested more than") != std::string::npos);
  }
  // A bad alignment.
  {
    Writer w;
    w.add("general.alignment", make_u32(12));
    const auto a = w.finish();
    CHECK(err(a).find("general.alignment is 12") != std::string::npos);
  }
  // Tensor infos: unsupported type, dims, offsets past the end.
  auto one_tensor = [](uint32_t ggml_type, std::vector<uint64_t> dims, size_t bytes) {
    Writer w;
    w.add_tensor("blk.0.attn_q.weight", dims, TensorType::F32, std::vector<uint8_t>(bytes));
    auto a = w.finish();
    // Header 24 bytes, then the name (8 + 19), n_dims (4), dims, type, offset.
    const size_t type_at = 24 + 8 + 19 + 4 + 8 * dims.size();
    for (int k = 0; k < 4; ++k) a[type_at + k] = uint8_t(ggml_type >> (8 * k));
    return a;
  };
  const std::string q4k = err(one_tensor(12, {256, 1}, 144));
  CHECK(q4k.find("tensor 'blk.0.attn_q.weight'") != std::string::npos);
  CHECK(q4k.find("Q4_K") != std::string::npos);
  CHECK(q4k.find("not supported") != std::string::npos);
  CHECK(err(one_tensor(99, {4, 1}, 16)).find("ggml type 99") != std::string::npos);
  CHECK(err(one_tensor(8, {33, 1}, 34)).find("not a multiple of its block of 32") != std::string::npos);
  {
    auto a = one_tensor(0, {4, 2}, 32);
    put_u64(a, 24 + 8 + 19 + 4, uint64_t(1) << 40);  // dims[0]
    put_u64(a, 24 + 8 + 19 + 4 + 8, uint64_t(1) << 40);
    const std::string e = err(a);
    CHECK(e.find("too many elements") != std::string::npos);
    a = one_tensor(0, {4, 2}, 32);
    put_u64(a, 24 + 8 + 19 + 4 + 8, 0);
    CHECK(err(a).find("must be at least 1") != std::string::npos);
    a = one_tensor(0, {4, 2}, 32);
    put_u64(a, 24 + 8 + 19 + 4 + 8, 1000);  // 4000 floats: past the end
    CHECK(err(a).find("runs past the end") != std::string::npos);
    a = one_tensor(0, {4, 2}, 32);
    put_u64(a, 24 + 8 + 19 + 4 + 16 + 4, 64);  // offset 64: past the end
    CHECK(err(a).find("runs past the end") != std::string::npos);
    a = one_tensor(0, {4, 2}, 32);
    put_u64(a, 24 + 8 + 19 + 4 + 16 + 4, 8);  // not aligned
    CHECK(err(a).find("not a multiple of the alignment") != std::string::npos);
    a = one_tensor(0, {4, 2}, 32);
    put_u32(a, 24 + 8 + 19, 7);  // n_dims
    CHECK(err(a).find("7 dimensions") != std::string::npos);
  }
  // Duplicate keys and tensors.
  {
    Writer w;
    w.add("k", make_u32(1));
    w.add("k", make_u32(2));
    const auto a = w.finish();
    CHECK(err(a).find("'k' at byte 41 appears twice") != std::string::npos);
  }
}

TEST_CASE("gguf: random byte corruption never crashes", "[gguf]") {
  const auto good = small_file(3);
  uint64_t state = 12345;
  for (int trial = 0; trial < 3000; ++trial) {
    auto b = good;
    const int flips = 1 + trial % 4;
    for (int k = 0; k < flips; ++k) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      const size_t at = size_t(state >> 33) % 700;  // the header part
      b[at % b.size()] ^= uint8_t(1u << ((state >> 20) & 7));
    }
    File f;
    const std::string e = parse(b.data(), b.size(), &f);
    if (e.empty()) {
      for (const auto& t : f.tensors) REQUIRE(t.file_offset + t.bytes <= b.size());
    } else {
      CHECK(e.rfind("GGUF: ", 0) == 0);
    }
  }
}
