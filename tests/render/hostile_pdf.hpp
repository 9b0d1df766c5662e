#pragma once
// Hostile PDFs built in memory, for the verifier's limits: flate bombs
// (a stream that inflates to a gigabyte of zeros from about a megabyte)
// and files with many objects. Nothing here is committed as a file; each
// test and benchmark makes what it needs in milliseconds. Header-only,
// zlib and the standard library only, so bench/render uses it too.

#include <zlib.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace certd::render::testing {

// zlib data that inflates to `mebibytes` MiB of zeros. Deflating a
// gigabyte takes seconds, so each MiB is compressed alone (Z_FULL_FLUSH
// resets the compressor, so every MiB after the first compresses to the
// same bytes), repeated, and closed with an empty final block and the
// Adler-32 of the whole, combined from the MiB's.
inline std::string zeros_deflated(std::uint64_t mebibytes) {
  const std::string zeros(1u << 20, '\0');
  z_stream z{};
  if (deflateInit(&z, Z_BEST_COMPRESSION) != Z_OK) throw std::runtime_error("deflateInit failed");
  auto compress_one = [&](std::string& out) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
    z.avail_in = static_cast<uInt>(zeros.size());
    char buffer[1 << 14];
    do {
      z.next_out = reinterpret_cast<Bytef*>(buffer);
      z.avail_out = sizeof buffer;
      deflate(&z, Z_FULL_FLUSH);
      out.append(buffer, sizeof buffer - z.avail_out);
    } while (z.avail_out == 0);
  };
  std::string first;  // the 2-byte zlib header and the first MiB
  std::string next;   // every later MiB
  compress_one(first);
  compress_one(next);
  deflateEnd(&z);

  const uLong one_adler = adler32(adler32(0, nullptr, 0), reinterpret_cast<const Bytef*>(zeros.data()),
                                  static_cast<uInt>(zeros.size()));
  uLong adler = one_adler;
  std::string out = first;
  out.reserve(first.size() + next.size() * mebibytes + 6);
  for (std::uint64_t i = 1; i < mebibytes; ++i) {
    out += next;
    adler = adler32_combine(adler, one_adler, static_cast<z_off_t>(zeros.size()));
  }
  out += std::string("\x03\x00", 2);  // an empty final block with fixed codes
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((adler >> shift) & 0xff);
  return out;
}

// "<< /Length N /Filter /FlateDecode >> stream ... endstream".
inline std::string flate_stream(const std::string& compressed) {
  return "<< /Length " + std::to_string(compressed.size()) + " /Filter /FlateDecode >>\nstream\n" + compressed +
         "\nendstream";
}

// A PDF 1.4 file with a classic cross-reference table: a catalog (object
// 1), an empty page tree (2), then `bodies` as objects 3, 4, ... The
// verifier decodes every object in the table, referenced or not.
inline std::string pdf_with_objects(const std::vector<std::string>& bodies) {
  std::string pdf = "%PDF-1.4\n";
  std::vector<std::size_t> offsets;
  auto add = [&](const std::string& body) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(offsets.size()) + " 0 obj\n" + body + "\nendobj\n";
  };
  add("<< /Type /Catalog /Pages 2 0 R >>");
  add("<< /Type /Pages /Kids [] /Count 0 >>");
  for (const std::string& body : bodies) add(body);
  const std::size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(offsets.size() + 1) + "\n0000000000 65535 f \n";
  for (std::size_t offset : offsets) {
    std::string digits = std::to_string(offset);
    pdf += std::string(10 - digits.size(), '0') + digits + " 00000 n \n";
  }
  pdf += "trailer\n<< /Size " + std::to_string(offsets.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

// `streams` flate streams that each inflate to `mebibytes` MiB of zeros.
inline std::string flate_bomb_pdf(int streams, std::uint64_t mebibytes) {
  const std::string stream = flate_stream(zeros_deflated(mebibytes));
  return pdf_with_objects(std::vector<std::string>(static_cast<std::size_t>(streams), stream));
}

}  // namespace certd::render::testing
