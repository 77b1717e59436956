// The labels tokenizer (tokenizer/labels.cpp): a GGUF file with tokenizer.ggml.model "none" and
// tokenizer.ggml.tokens, as src/train/export_gguf writes the toy tasks, read by vocab_from_gguf and
// tokenized: white-space separated labels, each one token; anything else a message naming the piece.
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "formats/gguf.h"
#include "formats/gguf_writer.h"
#include "tokenizer/gguf_vocab.h"
#include "tokenizer/tokenizer.h"

namespace {

using namespace ap::gguf;

// The file's vocabulary: "" and *v, or vocab_from_gguf's message.
std::string labels_file(const std::vector<std::string>& labels, ap::Vocab* v, bool with_tokens = true) {
  Writer w;
  w.add("tokenizer.ggml.model", make_string("none"));
  if (with_tokens) w.add("tokenizer.ggml.tokens", make_string_array(labels));
  const std::vector<uint8_t> bytes = w.finish();
  File f;
  REQUIRE(parse(bytes.data(), bytes.size(), &f).empty());
  return ap::vocab_from_gguf(f, v);
}

// The reverse task's labels (src/train/tasks.cpp token_label: symbols a … h, then SEP).
const std::vector<std::string> kReverse = {"a", "b", "c", "d", "e", "f", "g", "h", "SEP"};

ap::Tokenizer reverse_tokenizer() {
  ap::Vocab v;
  REQUIRE(labels_file(kReverse, &v).empty());
  ap::Tokenizer t;
  REQUIRE(t.init(v).empty());
  return t;
}

bool says(const std::string& message, const std::string& part) {
  return message.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("labels: a 'none' file with tokens reads as labels, with nothing added", "[tokenizer][labels]") {
  ap::Vocab v;
  REQUIRE(labels_file(kReverse, &v).empty());
  CHECK(v.kind == ap::VocabKind::Labels);
  CHECK(v.tokens == kReverse);
  CHECK(v.bos_id == -1);
  CHECK(v.eos_id == -1);
  CHECK(v.unk_id == -1);
  CHECK_FALSE(v.add_bos);
  CHECK_FALSE(v.add_eos);
  CHECK(says(ap::vocab_kind_name(v.kind), "labels"));
  // Without tokens there is nothing to name: the loader says so (the runtime opens it with ids only).
  ap::Vocab none;
  const std::string e = labels_file({}, &none, false);
  CHECK(says(e, "'none'"));
  CHECK(says(e, "tokenizer.ggml.tokens"));
}

TEST_CASE("labels: white space separates labels, each is exactly one id", "[tokenizer][labels]") {
  const ap::Tokenizer t = reverse_tokenizer();
  std::vector<int32_t> ids;
  REQUIRE(t.tokenize("c a  h\tSEP\nh a c", &ids).empty());
  CHECK(ids == std::vector<int32_t>{2, 0, 7, 8, 7, 0, 2});
  // add_special adds nothing (no BOS or EOS in a labels vocabulary), leading and trailing space are
  // nothing, and an empty text is no ids.
  std::vector<int32_t> plain;
  REQUIRE(t.tokenize("  c a h SEP h a c  ", &plain, {false, false}).empty());
  CHECK(plain == ids);
  std::vector<int32_t> empty;
  REQUIRE(t.tokenize(" \t\n", &empty).empty());
  CHECK(empty.empty());
  // Detokenize joins the labels with one space; the pieces are the labels.
  std::string text;
  REQUIRE(t.detokenize(ids.data(), ids.size(), &text).empty());
  CHECK(text == "c a h SEP h a c");
  std::vector<int32_t> again;
  REQUIRE(t.tokenize(text, &again).empty());
  CHECK(again == ids);
  CHECK(t.piece(8, false) == "SEP");
  CHECK(t.piece(0, true) == "a");
  CHECK(t.token_text(3) == "d");
  // An id outside the vocabulary is refused by name.
  const int32_t bad[] = {1, 9};
  CHECK(says(t.detokenize(bad, 2, &text), "token id 9"));
}

TEST_CASE("labels: a piece that is no label is an error naming it and listing the labels",
          "[tokenizer][labels]") {
  const ap::Tokenizer t = reverse_tokenizer();
  std::vector<int32_t> ids = {42};
  for (const char* text : {"a b x", "a b ab", "a b sep", "a b SEP,"}) {
    INFO(text);
    const std::string e = t.tokenize(text, &ids);
    CHECK(says(e, "(word 3 of the text)"));
    CHECK(says(e, "9 token labels"));
    CHECK(says(e, ": a b c d e f g h SEP"));
    CHECK(ids == std::vector<int32_t>{42});  // unchanged on failure
  }
  CHECK(says(t.tokenize("a b x", &ids), "'x' (word 3"));
  CHECK(says(t.tokenize("ab", &ids), "'ab' (word 1"));
  // Many labels: the first 40 are listed, then "…"; a long piece is cut at a character.
  std::vector<std::string> many;
  for (int i = 0; i < 100; ++i) many.push_back("w" + std::to_string(i));
  ap::Vocab v;
  REQUIRE(labels_file(many, &v).empty());
  ap::Tokenizer big;
  REQUIRE(big.init(v).empty());
  REQUIRE(big.tokenize("w0 w99 w42", &ids).empty());
  CHECK(ids == std::vector<int32_t>{42, 0, 99, 42});
  const std::string e = big.tokenize("w1 " + std::string(39, 'x') + "\xC3\xA9" + "yy", &ids);
  CHECK(says(e, "'" + std::string(39, 'x') + "…' (word 2 of the text)"));
  CHECK(says(e, "100 token labels"));
  CHECK(says(e, "w38 w39 …"));
  CHECK_FALSE(says(e, "w40"));
}

TEST_CASE("labels: labels no text can name are refused by init", "[tokenizer][labels]") {
  struct Case {
    std::vector<std::string> labels;
    const char* message;
  };
  const Case cases[] = {
      {{"a", "b c", "d"}, "label 1 'b c' holds white space"},
      {{"a", "tab\there"}, "label 1 'tab\\x09here' holds white space"},
      {{"a", "", "b"}, "label 1 is empty"},
      {{"a", "b", "a"}, "'a' appears twice"},
  };
  for (const Case& c : cases) {
    INFO(c.message);
    ap::Vocab v;
    REQUIRE(labels_file(c.labels, &v).empty());
    ap::Tokenizer t;
    const std::string e = t.init(v);
    CHECK(says(e, c.message));
    CHECK_FALSE(t.ready());
  }
}

TEST_CASE("labels: the committed induction model's labels tokenize its own task", "[tokenizer][labels]") {
  std::ifstream in(std::string(AP_TEST_SOURCE_DIR) + "/web/models/induction.gguf", std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(!bytes.empty());
  File f;
  REQUIRE(parse(bytes.data(), bytes.size(), &f).empty());
  ap::Vocab v;
  REQUIRE(ap::vocab_from_gguf(f, &v).empty());
  REQUIRE(v.kind == ap::VocabKind::Labels);
  ap::Tokenizer t;
  REQUIRE(t.init(v).empty());
  // Every label is its own id, and a text of all of them is the ids in order.
  std::string all;
  for (int32_t id = 0; id < t.size(); ++id) all += (id ? " " : "") + t.token_text(id);
  std::vector<int32_t> ids;
  REQUIRE(t.tokenize(all, &ids).empty());
  REQUIRE(ids.size() == size_t(t.size()));
  for (int32_t id = 0; id < t.size(); ++id) CHECK(ids[size_t(id)] == id);
}
