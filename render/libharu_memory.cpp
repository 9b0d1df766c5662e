// Word-at-a-time versions of two byte-at-a-time loops in libharu 2.3.0.
//
// Why: per certificate libharu copies the JPEG background through its
// memory streams about five times and clears two 128 KiB CIDToGIDMap
// buffers, all with HPDF_MemCpy / HPDF_MemSet, which move one byte per
// iteration; perf showed 14% and 4% of render time in them (bench/render).
// Debian's libhpdf calls both through its PLT, so these definitions in our
// binary take their place (ELF symbol interposition, as malloc
// replacements work). A libhpdf built with -Bsymbolic or LTO would keep
// its own loops: slower, never wrong.
//
// Same contracts as hpdf_utils.c: both return the end of the written range.
// memmove equals the forward byte loop whenever `out` does not lie inside
// `in`'s range; libharu never copies onto an overlapping later address,
// but that case keeps the original loop anyway.

#include <hpdf_utils.h>

#include <cstring>

extern "C" HPDF_BYTE* HPDF_MemCpy(HPDF_BYTE* out, const HPDF_BYTE* in, HPDF_UINT n) {
  // Most calls copy a few bytes (the CIDToGIDMap is built 2 bytes at a
  // time); a call into libc would cost more than the bytes.
  if (n <= 16 || (out > in && out < in + n)) {
    for (HPDF_UINT i = 0; i < n; ++i) out[i] = in[i];
    return out + n;
  }
  std::memmove(out, in, n);
  return out + n;
}

extern "C" void* HPDF_MemSet(void* s, HPDF_BYTE c, HPDF_UINT n) {
  std::memset(s, c, n);
  return static_cast<HPDF_BYTE*>(s) + n;
}
