#pragma once
// Tampering helper shared by the page digest and glyph check tests.

#include <qpdf/Buffer.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFWriter.hh>

#include <functional>
#include <memory>
#include <string>

namespace certd::render::testing {

// Opens `pdf` with qpdf, lets `change` edit it, and writes it again as
// verify_pdf reads it (classic cross-reference tables).
inline std::string rewrite(const std::string& pdf, const std::function<void(QPDF&)>& change) {
  QPDF document;
  document.processMemoryFile("in.pdf", pdf.data(), pdf.size());
  change(document);
  QPDFWriter writer(document);
  writer.setOutputMemory();
  writer.setObjectStreamMode(qpdf_o_disable);
  writer.write();
  std::shared_ptr<Buffer> bytes = writer.getBufferSharedPointer();
  return std::string(reinterpret_cast<const char*>(bytes->getBuffer()), bytes->getSize());
}

}  // namespace certd::render::testing
