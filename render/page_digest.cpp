#include "render/page_digest.hpp"

#include <openssl/evp.h>
#include <qpdf/Pipeline.hh>
#include <qpdf/QPDFObjectHandle.hh>

#include <exception>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>

#include "core/hex.hpp"

namespace certd::render {
namespace {

constexpr int k_max_depth = 256;

// The page attributes a page inherits from the page tree (PDF 32000-1
// §7.7.3.4) when it does not set them itself.
constexpr const char* k_inheritable[] = {"/Resources", "/MediaBox", "/CropBox", "/Rotate"};

std::string mebibytes(std::uint64_t bytes) {
  return bytes % (1u << 20) == 0 ? std::to_string(bytes >> 20) + " MiB" : std::to_string(bytes) + " bytes";
}

// Why the walk stopped early: thrown inside, caught by digest_pages.
struct WalkStop {
  PdfVerdict verdict;
  std::string message;
};

class Sha256 {
 public:
  Sha256() : m_context(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    if (!m_context || EVP_DigestInit_ex(m_context.get(), EVP_sha256(), nullptr) != 1)
      throw std::runtime_error("OpenSSL cannot start a SHA-256");
  }
  void add(const void* data, std::size_t length) { EVP_DigestUpdate(m_context.get(), data, length); }
  void add(std::string_view text) { add(text.data(), text.size()); }
  std::string hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(m_context.get(), digest, &length);
    return to_hex(digest, length);
  }

 private:
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> m_context;
};

// The end of every decode pipeline: hashes the decoded bytes, and throws
// as soon as a stream, or all streams together, pass their limit. The
// throw unwinds through qpdf's C++ pipeline (Pl_Flate has already
// returned from zlib), so a flate bomb stops within one decoder buffer of
// the limit; qpdf catches it and reports the stream as not decoded.
class HashingSink final : public Pipeline {
 public:
  HashingSink(const PdfLimits& limits, std::uint64_t& total)
      : Pipeline("certd hashing sink", nullptr), m_limits(limits), m_total(total) {}

  void write(unsigned char const* data, size_t length) override {
    m_stream += length;
    m_total += length;
    if (m_stream > m_limits.max_stream_decoded || m_total > m_limits.max_total_decoded) {
      m_over = true;
      throw std::length_error("decoded stream data over certd's limit");
    }
    m_hash.add(data, length);
  }
  void finish() override {}

  bool over() const { return m_over; }
  bool stream_over() const { return m_stream > m_limits.max_stream_decoded; }
  std::string hex() { return m_hash.hex(); }

 private:
  const PdfLimits& m_limits;
  std::uint64_t& m_total;
  std::uint64_t m_stream = 0;
  bool m_over = false;
  Sha256 m_hash;
};

struct StreamHash {
  std::string hex;     // SHA-256 of the data as piped
  bool decoded = true;  // false: a filter qpdf does not decode, raw data
};

using StreamHashes = std::map<QPDFObjGen, StreamHash>;

// Decodes every stream of the file once (not only those the pages use: a
// stream that does not decode makes the file unreadable wherever it is).
StreamHashes hash_streams(QPDF& pdf, const PdfLimits& limits, std::uint64_t& decoded_bytes,
                          const DecodedStreams* decoded) {
  StreamHashes hashes;
  for (QPDFObjectHandle& object : pdf.getAllObjects()) {
    if (!object.isStream()) continue;
    HashingSink sink(limits, decoded_bytes);
    bool filtered = false;
    bool piped = false;
    auto known = decoded ? decoded->find({object.getObjectID(), object.getGeneration()}) : DecodedStreams::const_iterator();
    if (decoded && known != decoded->end()) {
      // Decoded in full by qpdf before (getStreamData throws otherwise):
      // the sink sees the same bytes, and its limits, as from the pipe.
      try {
        sink.write(reinterpret_cast<const unsigned char*>(known->second.data()), known->second.size());
      } catch (const std::length_error&) {
      }
      filtered = true;
      piped = !sink.over();
    } else {
      piped = object.pipeStreamData(&sink, &filtered, 0, qpdf_dl_generalized, /*suppress_warnings=*/true);
    }
    if (sink.over())
      throw WalkStop{PdfVerdict::refused,
                     sink.stream_over() ? "a stream decodes to more than " + mebibytes(limits.max_stream_decoded) +
                                              " (a compression bomb?): reading stopped there"
                                        : "the streams decode to more than " + mebibytes(limits.max_total_decoded) +
                                              " in all (a compression bomb?): reading stopped there"};
    // qpdf reports a stream that does not decode only through this result.
    if (!piped) throw WalkStop{PdfVerdict::unreadable, "a stream does not decode: the PDF is damaged"};
    hashes[object.getObjGen()] = StreamHash{sink.hex(), filtered};
  }
  return hashes;
}

// Writes the canonical form of one page's graph into a SHA-256. Every
// token is a tag and a length-prefixed value, so no two graphs write the
// same bytes.
class GraphWriter {
 public:
  GraphWriter(const StreamHashes& hashes, std::uint64_t& visits, std::uint64_t max_visits)
      : m_hashes(hashes), m_visits(visits), m_max_visits(max_visits) {}

  void page(QPDFObjectHandle page) {
    std::map<std::string, QPDFObjectHandle> entries = without_parent(page);
    for (const char* key : k_inheritable)
      if (!entries.count(key))
        if (auto inherited = inherited_value(page, key)) entries[key] = *inherited;
    enter(page, 0);
    token('P', "");
    dictionary(entries, 0);
  }

  void catalog(QPDFObjectHandle catalog) {
    std::map<std::string, QPDFObjectHandle> entries = catalog.getDictAsMap();
    entries.erase("/Pages");
    enter(catalog, 0);
    token('C', "");
    dictionary(entries, 0);
  }

  std::string hex() { return m_hash.hex(); }

 private:
  void token(char tag, std::string_view value) {
    std::string head(1, tag);
    head += std::to_string(value.size());
    head += ':';
    m_hash.add(head);
    m_hash.add(value);
  }

  // Counts a visit and, for an indirect object, numbers it by first visit.
  // Returns false when the object was written before (a reference is
  // written instead), which also ends every cycle.
  bool enter(QPDFObjectHandle& object, int depth) {
    if (++m_visits > m_max_visits)
      throw WalkStop{PdfVerdict::refused, "the pages reach more than " + std::to_string(m_max_visits) +
                                              " objects in all: refused before digesting them"};
    if (depth > k_max_depth)
      throw WalkStop{PdfVerdict::refused, "the PDF's objects nest more than " + std::to_string(k_max_depth) +
                                              " deep: refused"};
    if (!object.isIndirect()) return true;
    auto [at, added] = m_seen.emplace(object.getObjGen(), m_seen.size());
    if (!added) {
      token('R', std::to_string(at->second));
      return false;
    }
    return true;
  }

  static std::map<std::string, QPDFObjectHandle> without_parent(QPDFObjectHandle dictionary) {
    std::map<std::string, QPDFObjectHandle> entries = dictionary.getDictAsMap();
    entries.erase("/Parent");
    return entries;
  }

  // Walks up /Parent (page-tree nodes only, each once) for `key`.
  static std::optional<QPDFObjectHandle> inherited_value(QPDFObjectHandle page, const char* key) {
    std::set<QPDFObjGen> climbed;
    QPDFObjectHandle node = page.getKey("/Parent");
    while (node.isDictionary() && climbed.insert(node.getObjGen()).second && climbed.size() <= k_max_depth) {
      if (node.hasKey(key)) return node.getKey(key);
      node = node.getKey("/Parent");
    }
    return std::nullopt;
  }

  void dictionary(const std::map<std::string, QPDFObjectHandle>& entries, int depth) {
    token('<', std::to_string(entries.size()));
    for (const auto& [key, value] : entries) {
      token('K', key);
      this->value(value, depth + 1);
    }
    token('>', "");
  }

  void stream(QPDFObjectHandle stream, int depth) {
    auto hash = m_hashes.find(stream.getObjGen());
    if (hash == m_hashes.end()) throw WalkStop{PdfVerdict::unreadable, "a stream was not decoded"};
    std::map<std::string, QPDFObjectHandle> entries = stream.getDict().getDictAsMap();
    entries.erase("/Length");
    if (hash->second.decoded) {
      entries.erase("/Filter");
      entries.erase("/DecodeParms");
    }
    token('S', "");
    dictionary(entries, depth);
    token('D', hash->second.hex);
  }

  void value(QPDFObjectHandle object, int depth) {
    if (!enter(object, depth)) return;
    if (object.isStream()) return stream(object, depth);
    if (object.isDictionary()) {
      // A page or page-tree node reached from elsewhere (an annotation's
      // /P, a link) is written without its way up the tree: its /Parent
      // reaches every other page.
      bool tree_node = object.isPageObject() || object.isPagesObject();
      return dictionary(tree_node ? without_parent(object) : object.getDictAsMap(), depth);
    }
    if (object.isArray()) {
      int count = object.getArrayNItems();
      token('[', std::to_string(count));
      for (int i = 0; i < count; ++i) value(object.getArrayItem(i), depth + 1);
      return token(']', "");
    }
    if (object.isBool()) return token('b', object.getBoolValue() ? "1" : "0");
    if (object.isInteger()) return token('i', std::to_string(object.getIntValue()));
    if (object.isReal()) return token('f', object.getRealValue());
    if (object.isName()) return token('N', object.getName());
    if (object.isString()) return token('s', object.getStringValue());
    token('n', "");  // null, and what cannot appear in a file's objects
  }

  const StreamHashes& m_hashes;
  std::uint64_t& m_visits;
  std::uint64_t m_max_visits;
  std::map<QPDFObjGen, std::size_t> m_seen;
  Sha256 m_hash;
};

}  // namespace

DigestReading digest_pages(QPDF& pdf, const PdfLimits& limits, const DecodedStreams* decoded) {
  DigestReading reading;
  try {
    StreamHashes hashes = hash_streams(pdf, limits, reading.decoded_bytes, decoded);
    std::uint64_t visits = 0;
    for (const QPDFObjectHandle& page : pdf.getAllPages()) {
      GraphWriter writer(hashes, visits, limits.max_digest_visits);
      writer.page(page);
      reading.drawn.pages.push_back(writer.hex());
    }
    GraphWriter writer(hashes, visits, limits.max_digest_visits);
    writer.catalog(pdf.getRoot());
    reading.drawn.document = writer.hex();
  } catch (const WalkStop& stop) {
    reading.stop = stop.verdict;
    reading.message = stop.message;
  } catch (const std::exception& e) {
    // qpdf throws on a page tree it cannot follow (a loop, a page that is
    // not a dictionary).
    reading.stop = PdfVerdict::unreadable;
    reading.message = std::string("the pages cannot be read: ") + e.what();
  }
  return reading;
}

}  // namespace certd::render
