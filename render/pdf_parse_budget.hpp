#pragma once
// Internal to render/pdf_verifier.cpp: what qpdf will parse, counted
// before it parses it. qpdf turns every token of an object into a heap
// object (about 1 µs and 200 bytes each, docs/libraries.md §8), so a
// 32 MiB file of "0 0 0 ..." costs it 20 s and 4 GB before a single
// stream is decoded. Counting the same tokens with qpdf's own tokenizer
// costs a small part of that, and stops at the budget.
//
// What qpdf parses of a file with classic cross-reference tables: the
// trailer dictionaries while opening it, the /Encrypt object they name,
// then each object of the table as it is resolved ("N G obj" and one
// value; stream data is skipped by its /Length, never tokenized).

#include <cstdint>
#include <string_view>

namespace certd::render {

struct ParseBudget {
  std::uint64_t max_tokens = 0;
  std::uint64_t max_bytes = 0;
  std::uint64_t tokens = 0;  // charged so far
  std::uint64_t bytes = 0;   // charged so far (object text, not stream data)

  bool over() const { return tokens > max_tokens || bytes > max_bytes; }
};

// Charges the dictionary after every "trailer" keyword in the file (a
// superset of the trailers qpdf follows through /Prev) and tells whether
// one of them has an /Encrypt key. Returns false once over budget.
bool charge_trailers(std::string_view pdf, ParseBudget& budget, bool& encrypted);

// Charges the object "N G obj <value>" at `offset`, as qpdf parses it
// when resolving the object. Returns false once over budget.
bool charge_object(std::string_view pdf, std::int64_t offset, ParseBudget& budget);

}  // namespace certd::render
