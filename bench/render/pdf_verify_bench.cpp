// certd verify FILE.pdf on a real certificate and on flate bombs (issue
// #12: a 19.5 MB bomb cost 19 s of CPU before render/pdf_verifier.hpp's
// limits). Figures are printed, never asserted; the goal is a bomb refused
// in well under 2 s. Run from the source root (the demo templates):
// build/bench/render/bench_pdf_verify

#include <benchmark/benchmark.h>

#include <array>
#include <cstdio>
#include <limits>

#include "core/time_format.hpp"
#include "render/certificate_number.hpp"
#include "render/pdf_verifier.hpp"
#include "render/renderer.hpp"
#include "tests/render/hostile_pdf.hpp"

namespace certd::render {
namespace {

constexpr double k_mebibyte = 1 << 20;

Signer bench_signer() {
  std::array<std::uint8_t, k_ed25519_seed_bytes> seed{};
  seed.fill(7);
  return std::move(Signer::from_seed(seed)).value();
}

std::string demo_certificate(const Signer& signer) {
  TemplateLoad load = load_template_file("examples/templates/first-aid.yaml");
  if (!load.ok()) {
    std::fprintf(stderr, "run from the source root: %s\n", load.errors.front().to_string().c_str());
    std::exit(1);
  }
  CertificateData data;
  data.number = *make_certificate_number(load.loaded->spec().number_prefix, {1, 2, 3, 4, 5, 6, 7, 8});
  data.student_name = "Zoë Ångström-Łukasiewicz";
  data.course_name = "First Aid at Work";
  data.teacher_name = "Maria Kowalska";
  data.issued_at = *parse_iso8601("2026-11-23T12:00:00Z");
  data.expires_at = *parse_iso8601("2028-11-23T12:00:00Z");
  data.issuer_name = "Riverside Swim School";
  data.verify_url = make_verify_url("https://certs.example.edu", data.number);
  auto rendered = render_certificate(*load.loaded, data, signer);
  if (!rendered) {
    std::fprintf(stderr, "cannot render the demo certificate: %s\n", rendered.error().to_string().c_str());
    std::exit(1);
  }
  return rendered->pdf;
}

void verify(benchmark::State& state, const std::string& pdf, const PdfLimits& limits, PdfVerdict expected) {
  const Signer signer = bench_signer();
  PdfVerification result;
  for (auto _ : state) {
    result = verify_pdf(pdf, signer.public_key(), limits);
    benchmark::DoNotOptimize(result);
  }
  if (result.verdict != expected) state.SkipWithError((std::string("unexpected verdict: ") + result.message).c_str());
  state.counters["file_MB"] = static_cast<double>(pdf.size()) / 1e6;
  state.counters["decoded_MiB"] = static_cast<double>(result.decoded_bytes) / k_mebibyte;
}

void BM_VerifyCertificate(benchmark::State& state) {
  verify(state, demo_certificate(bench_signer()), PdfLimits(), PdfVerdict::valid);
}
BENCHMARK(BM_VerifyCertificate)->Unit(benchmark::kMillisecond);

// The bomb: 19 streams of 1 GiB of zeros in a 20 MB file.
void BM_VerifyFlateBomb19GiB(benchmark::State& state) {
  verify(state, testing::flate_bomb_pdf(19, 1024), PdfLimits(), PdfVerdict::refused);
}
BENCHMARK(BM_VerifyFlateBomb19GiB)->Unit(benchmark::kMillisecond);

// Streams just under the per-stream limit: the total limit stops them.
void BM_VerifyFlateBombManyStreams(benchmark::State& state) {
  verify(state, testing::flate_bomb_pdf(300, 63), PdfLimits(), PdfVerdict::refused);
}
BENCHMARK(BM_VerifyFlateBombManyStreams)->Unit(benchmark::kMillisecond);

// Tokens instead of bytes: qpdf parses each into a heap object (about
// 1 µs and 200 bytes). A 20 MB array of zeros is refused by the token
// budget before qpdf parses it; one just under the budget is read to the
// end (the most parsing a file can cost); a file of 700,000 small objects
// is refused by their count once the cross-reference table is read.
std::string zeros_array(int count) {
  std::string array = "[";
  for (int i = 0; i < count; ++i) array += "0 ";
  return array + "]";
}

void BM_VerifyTokenBomb(benchmark::State& state) {
  verify(state, testing::pdf_with_objects({zeros_array(10000000)}), PdfLimits(), PdfVerdict::refused);
}
BENCHMARK(BM_VerifyTokenBomb)->Unit(benchmark::kMillisecond);

void BM_VerifyTokensJustUnderTheBudget(benchmark::State& state) {
  const auto tokens = static_cast<int>(PdfLimits().max_object_tokens) - 100;
  verify(state, testing::pdf_with_objects({zeros_array(tokens)}), PdfLimits(), PdfVerdict::unsigned_pdf);
}
BENCHMARK(BM_VerifyTokensJustUnderTheBudget)->Unit(benchmark::kMillisecond);

void BM_VerifyManyObjects(benchmark::State& state) {
  verify(state, testing::pdf_with_objects(std::vector<std::string>(700000, "0")), PdfLimits(),
         PdfVerdict::refused);
}
BENCHMARK(BM_VerifyManyObjects)->Unit(benchmark::kMillisecond);

// What one of its streams costs without limits: about the time per GiB
// the bomb above took before (so 19 times this for the whole file).
void BM_VerifyFlateBomb1GiBUnbounded(benchmark::State& state) {
  PdfLimits unbounded;
  unbounded.max_stream_decoded = std::numeric_limits<std::uint64_t>::max();
  unbounded.max_total_decoded = std::numeric_limits<std::uint64_t>::max();
  verify(state, testing::flate_bomb_pdf(1, 1024), unbounded, PdfVerdict::unsigned_pdf);
}
BENCHMARK(BM_VerifyFlateBomb1GiBUnbounded)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace certd::render

BENCHMARK_MAIN();
