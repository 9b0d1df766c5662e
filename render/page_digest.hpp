#pragma once
// "What is signed is what is seen" (docs/signing.md): a digest of each
// page as a viewer draws it, computed by the renderer before it signs and
// again by the verifier, from the PDF alone. Internal to render/ (it sees
// qpdf). Thread-safe: it only reads the QPDF it is given.
//
// A page's digest is SHA-256 over a canonical form of the object graph
// that starts at the page: every key of the page except /Parent, with the
// inheritable attributes (/Resources, /MediaBox, /CropBox, /Rotate) taken
// from the page tree when the page lacks them; from there every object
// the page reaches (content streams, fonts and their programs, images,
// form XObjects, graphics states, annotations and their appearances...).
// Dictionaries are written with sorted keys; a stream as its dictionary
// without /Length, /Filter and /DecodeParms followed by the SHA-256 of its
// decoded data (a filter qpdf does not decode, such as DCT, keeps its
// keys and its raw data); an indirect object seen before as a reference
// to its first visit. Object numbers, byte offsets and compression do
// not count, so a lossless re-save (qpdf --object-streams=disable,
// --linearize) keeps every digest. The document digest covers the
// catalog without /Pages (optional-content states, forms, open actions).

#include <qpdf/QPDF.hh>

#include <cstdint>
#include <string>

#include "render/decoded_streams.hpp"
#include "render/payload.hpp"
#include "render/pdf_verifier.hpp"

namespace certd::render {

struct DigestReading {
  // Set when reading stopped: refused (over a PdfLimits bound) or
  // unreadable (a stream does not decode, a broken page tree).
  std::optional<PdfVerdict> stop;
  std::string message;
  DrawnDigests drawn;
  std::uint64_t decoded_bytes = 0;  // stream bytes decoded, all streams together
};

// Decodes every stream of `pdf` once, within `limits` (one stream over
// max_stream_decoded, or all over max_total_decoded, is refused), and
// digests each page. The walk visits at most limits.max_digest_visits
// objects over all pages and nests at most 256 deep. A stream found in
// `decoded` (the glyph check's, on the same QPDF) is hashed from there,
// counted against the same limits, instead of being decoded again; the
// digest is the same either way.
DigestReading digest_pages(QPDF& pdf, const PdfLimits& limits, const DecodedStreams* decoded = nullptr);

}  // namespace certd::render
