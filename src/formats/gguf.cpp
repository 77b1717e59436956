#include "formats/gguf.h"

#include <cstring>

namespace ap::gguf {

const char* value_type_name(ValueType t) {
  switch (t) {
    case ValueType::U8:
      return "uint8";
    case ValueType::I8:
      return "int8";
    case ValueType::U16:
      return "uint16";
    case ValueType::I16:
      return "int16";
    case ValueType::U32:
      return "uint32";
    case ValueType::I32:
      return "int32";
    case ValueType::F32:
      return "float32";
    case ValueType::Bool:
      return "bool";
    case ValueType::String:
      return "string";
    case ValueType::Array:
      return "array";
    case ValueType::U64:
      return "uint64";
    case ValueType::I64:
      return "int64";
    case ValueType::F64:
      return "float64";
  }
  return "unknown";
}

size_t scalar_size(ValueType t) {
  switch (t) {
    case ValueType::U8:
    case ValueType::I8:
    case ValueType::Bool:
      return 1;
    case ValueType::U16:
    case ValueType::I16:
      return 2;
    case ValueType::U32:
    case ValueType::I32:
    case ValueType::F32:
      return 4;
    case ValueType::U64:
    case ValueType::I64:
    case ValueType::F64:
      return 8;
    case ValueType::String:
    case ValueType::Array:
      return 0;
  }
  return 0;
}

namespace {

bool valid_value_type(uint32_t t) { return t <= 12; }

// Decodes one little-endian scalar of type t at p into v (u, i, f).
void decode_scalar(ValueType t, const uint8_t* p, Value* v) {
  uint64_t bits = 0;
  const size_t n = scalar_size(t);
  for (size_t b = 0; b < n; ++b) bits |= uint64_t(p[b]) << (8 * b);
  v->u = bits;
  switch (t) {
    case ValueType::I8:
      v->i = int8_t(bits);
      break;
    case ValueType::I16:
      v->i = int16_t(bits);
      break;
    case ValueType::I32:
      v->i = int32_t(bits);
      break;
    case ValueType::I64:
      v->i = int64_t(bits);
      break;
    case ValueType::F32: {
      float f;
      const uint32_t b32 = uint32_t(bits);
      std::memcpy(&f, &b32, 4);
      v->f = f;
      break;
    }
    case ValueType::F64:
      std::memcpy(&v->f, &bits, 8);
      break;
    default:
      v->i = int64_t(bits);
      break;
  }
}

// A cursor over the buffer that checks every read and remembers the first error.
struct Reader {
  const uint8_t* data;
  size_t size;
  size_t pos = 0;
  std::string error;

  size_t remaining() const { return size - pos; }

  bool fail(const std::string& what) {
    if (error.empty()) error = "GGUF: " + what;
    return false;
  }
  bool need(uint64_t n, const char* what) {
    if (n > remaining())
      return fail("the file ends at byte " + std::to_string(size) + " while reading " + what + " at byte " +
                  std::to_string(pos) + " (" + std::to_string(n) + " bytes needed, " +
                  std::to_string(remaining()) + " left)");
    return true;
  }
  bool u32(uint32_t* out, const char* what) {
    if (!need(4, what)) return false;
    *out = uint32_t(data[pos]) | uint32_t(data[pos + 1]) << 8 | uint32_t(data[pos + 2]) << 16 |
           uint32_t(data[pos + 3]) << 24;
    pos += 4;
    return true;
  }
  bool u64(uint64_t* out, const char* what) {
    if (!need(8, what)) return false;
    uint64_t v = 0;
    for (int b = 0; b < 8; ++b) v |= uint64_t(data[pos + b]) << (8 * b);
    *out = v;
    pos += 8;
    return true;
  }
  bool string(std::string* out, const char* what) {
    const size_t at = pos;
    uint64_t len;
    if (!u64(&len, what)) return false;
    if (len > remaining())
      return fail(std::string(what) + " at byte " + std::to_string(at) + " says it is " +
                  std::to_string(len) + " bytes long, but only " + std::to_string(remaining()) +
                  " bytes are left in the file");
    out->assign(reinterpret_cast<const char*>(data + pos), size_t(len));
    pos += size_t(len);
    return true;
  }

  // A value of type t (already read) into *v; `where` names it for messages.
  bool value(ValueType t, Value* v, const std::string& where, int depth) {
    v->type = t;
    if (t == ValueType::String) return string(&v->str, where.c_str());
    if (t != ValueType::Array) {
      if (!need(scalar_size(t), where.c_str())) return false;
      decode_scalar(t, data + pos, v);
      if (t == ValueType::Bool && v->u > 1)
        return fail(where + " at byte " + std::to_string(pos) + ": a bool must be 0 or 1, not " +
                    std::to_string(v->u));
      pos += scalar_size(t);
      return true;
    }
    if (depth >= kMaxArrayDepth)
      return fail(where + " at byte " + std::to_string(pos) + ": arrays nested more than " +
                  std::to_string(kMaxArrayDepth) + " deep");
    const size_t at = pos;
    uint32_t et;
    if (!u32(&et, where.c_str())) return false;
    if (!valid_value_type(et))
      return fail(where + " at byte " + std::to_string(at) + ": unknown array element type " +
                  std::to_string(et));
    v->elem = ValueType(et);
    if (!u64(&v->count, where.c_str())) return false;
    // The smallest an element can be: a scalar's size, 8 bytes for a string's length, 12 for an
    // array's header. A count that cannot fit in what is left fails before anything is allocated.
    const uint64_t min_size = v->elem == ValueType::String  ? 8
                              : v->elem == ValueType::Array ? 12
                                                            : scalar_size(v->elem);
    if (v->count > remaining() / min_size)
      return fail(where + " at byte " + std::to_string(at) + ": an array of " + std::to_string(v->count) +
                  " " + value_type_name(v->elem) + " values cannot fit in the " +
                  std::to_string(remaining()) + " bytes left in the file");
    if (v->elem == ValueType::String) {
      v->strings.resize(size_t(v->count));
      for (uint64_t k = 0; k < v->count; ++k)
        if (!string(&v->strings[k], where.c_str())) return false;
    } else if (v->elem == ValueType::Array) {
      v->arrays.resize(size_t(v->count));
      for (uint64_t k = 0; k < v->count; ++k) {
        if (!value(ValueType::Array, &v->arrays[k], where + "[" + std::to_string(k) + "]", depth + 1))
          return false;
      }
    } else {
      const size_t n = size_t(v->count) * scalar_size(v->elem);
      v->raw.assign(data + pos, data + pos + n);
      if (v->elem == ValueType::Bool)
        for (size_t k = 0; k < n; ++k)
          if (v->raw[k] > 1)
            return fail(where + "[" + std::to_string(k) + "] at byte " + std::to_string(pos + k) +
                        ": a bool must be 0 or 1, not " + std::to_string(v->raw[k]));
      pos += n;
    }
    return true;
  }
};

}  // namespace

bool Value::is_integer() const {
  switch (type) {
    case ValueType::F32:
    case ValueType::F64:
    case ValueType::String:
    case ValueType::Array:
      return false;
    default:
      return true;
  }
}

bool Value::is_number() const { return is_integer() || type == ValueType::F32 || type == ValueType::F64; }

namespace {
bool is_signed(ValueType t) {
  return t == ValueType::I8 || t == ValueType::I16 || t == ValueType::I32 || t == ValueType::I64;
}
}  // namespace

double Value::number() const {
  if (type == ValueType::F32 || type == ValueType::F64) return f;
  if (is_signed(type)) return double(i);
  if (is_integer()) return double(u);
  return 0;
}

double Value::number_at(uint64_t k) const {
  if (type != ValueType::Array || k >= count || scalar_size(elem) == 0) return 0;
  Value v;
  decode_scalar(elem, raw.data() + k * scalar_size(elem), &v);
  v.type = elem;
  return v.number();
}

const Value* File::find(std::string_view key) const {
  for (const auto& kv : metadata)
    if (kv.first == key) return &kv.second;
  return nullptr;
}

const TensorInfo* File::tensor(std::string_view name) const {
  for (const auto& t : tensors)
    if (t.name == name) return &t;
  return nullptr;
}

std::string parse(const uint8_t* data, size_t size, File* out) {
  Reader r{data, size, 0, {}};
  File file;
  uint32_t magic;
  if (!r.u32(&magic, "the magic number")) return r.error;
  if (magic != kMagic) {
    if (std::memcmp(data, "ggjt", 4) == 0 || std::memcmp(data, "tjgg", 4) == 0 ||
        std::memcmp(data, "lmgg", 4) == 0)
      return "GGUF: this is a GGML/GGJT file (the format before GGUF), which is not supported";
    return "GGUF: not a GGUF file: the first four bytes are not \"GGUF\"";
  }
  if (!r.u32(&file.version, "the version")) return r.error;
  if (file.version == 1) return "GGUF: version 1 files are not supported (only versions 2 and 3)";
  if (file.version != 2 && file.version != 3)
    return "GGUF: unknown version " + std::to_string(file.version) + " (only versions 2 and 3 are supported)";
  uint64_t n_tensors, n_kv;
  if (!r.u64(&n_tensors, "the tensor count") || !r.u64(&n_kv, "the metadata count")) return r.error;
  // A key-value pair takes at least 8 (key length) + 4 (type) + 1 bytes; a tensor info 8 + 4 + 4 + 8.
  if (n_kv > r.remaining() / 13)
    return "GGUF: the header says " + std::to_string(n_kv) + " metadata entries, which cannot fit in the " +
           std::to_string(size) + "-byte file";
  if (n_tensors > r.remaining() / 24)
    return "GGUF: the header says " + std::to_string(n_tensors) + " tensors, which cannot fit in the " +
           std::to_string(size) + "-byte file";

  file.metadata.reserve(size_t(n_kv));
  for (uint64_t k = 0; k < n_kv; ++k) {
    const size_t at = r.pos;
    std::string key;
    if (!r.string(&key, ("the key of metadata entry " + std::to_string(k)).c_str())) return r.error;
    for (const auto& kv : file.metadata)
      if (kv.first == key)
        return "GGUF: metadata key '" + key + "' at byte " + std::to_string(at) + " appears twice";
    uint32_t t;
    const std::string where = "metadata key '" + key + "'";
    if (!r.u32(&t, where.c_str())) return r.error;
    if (!valid_value_type(t))
      return "GGUF: " + where + " at byte " + std::to_string(r.pos - 4) + " has unknown value type " +
             std::to_string(t);
    Value v;
    if (!r.value(ValueType(t), &v, where, 0)) return r.error;
    file.metadata.emplace_back(std::move(key), std::move(v));
  }

  if (const Value* a = file.find("general.alignment")) {
    if (a->type != ValueType::U32)
      return std::string("GGUF: metadata key 'general.alignment' must be a uint32, not ") +
             value_type_name(a->type);
    const uint64_t al = a->u;
    if (al == 0 || (al & (al - 1)) != 0 || al % 8 != 0)
      return "GGUF: general.alignment is " + std::to_string(al) +
             "; it must be a power of two and a multiple of 8";
    file.alignment = uint32_t(al);
  }

  file.tensors.reserve(size_t(n_tensors));
  for (uint64_t k = 0; k < n_tensors; ++k) {
    TensorInfo t;
    t.info_at = r.pos;
    if (!r.string(&t.name, ("the name of tensor " + std::to_string(k)).c_str())) return r.error;
    const std::string where = "tensor '" + t.name + "'";
    for (const auto& other : file.tensors)
      if (other.name == t.name)
        return "GGUF: " + where + " at byte " + std::to_string(t.info_at) + " appears twice";
    uint32_t n_dims;
    if (!r.u32(&n_dims, where.c_str())) return r.error;
    if (n_dims < 1 || n_dims > uint32_t(kMaxDims))
      return "GGUF: " + where + " has " + std::to_string(n_dims) + " dimensions (1 to " +
             std::to_string(kMaxDims) + " are allowed)";
    t.dims.resize(n_dims);
    t.elements = 1;
    for (uint32_t d = 0; d < n_dims; ++d) {
      if (!r.u64(&t.dims[d], where.c_str())) return r.error;
      // Every dimension at least 1, and the element count below 2^62 (no overflow below).
      if (t.dims[d] == 0 || t.dims[d] > (uint64_t(1) << 62) / t.elements)
        return "GGUF: " + where + " has dimension " + std::to_string(d) + " of size " +
               std::to_string(t.dims[d]) +
               (t.dims[d] == 0 ? " (must be at least 1)" : ", too many elements in all");
      t.elements *= t.dims[d];
    }
    if (!r.u32(&t.ggml_type, where.c_str())) return r.error;
    if (!tensor_type_from_ggml(t.ggml_type, &t.type))
      return "GGUF: " + where + " has type " + ggml_type_name(t.ggml_type) + " (ggml type " +
             std::to_string(t.ggml_type) +
             "), which is not supported: only F32, F16, BF16, Q8_0 and Q4_0 are";
    const int bv = type_block_values(t.type);
    if (t.dims[0] % bv != 0)
      return "GGUF: " + where + " is " + ggml_type_name(t.ggml_type) + " with rows of " +
             std::to_string(t.dims[0]) + " values, not a multiple of its block of " + std::to_string(bv);
    t.bytes = t.elements / bv * type_block_bytes(t.type);
    if (!r.u64(&t.offset, where.c_str())) return r.error;
    if (t.offset % file.alignment != 0)
      return "GGUF: " + where + " starts at data offset " + std::to_string(t.offset) +
             ", not a multiple of the alignment " + std::to_string(file.alignment);
    file.tensors.push_back(std::move(t));
  }

  // The data section starts at the next multiple of the alignment.
  const uint64_t data_offset = (uint64_t(r.pos) + file.alignment - 1) / file.alignment * file.alignment;
  if (data_offset > size && !file.tensors.empty())
    return "GGUF: the file ends at byte " + std::to_string(size) + ", before its data section (byte " +
           std::to_string(data_offset) + ")";
  file.data_offset = data_offset;
  for (auto& t : file.tensors) {
    const uint64_t avail = size >= data_offset ? size - data_offset : 0;
    if (t.offset > avail || t.bytes > avail - t.offset)
      return "GGUF: tensor '" + t.name + "' (" + std::to_string(t.bytes) + " bytes at data offset " +
             std::to_string(t.offset) + ") runs past the end of the file (" + std::to_string(avail) +
             " bytes of data after byte " + std::to_string(data_offset) + ")";
    t.file_offset = data_offset + t.offset;
  }
  *out = std::move(file);
  return "";
}

}  // namespace ap::gguf
