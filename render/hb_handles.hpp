#pragma once
// Owning handles for HarfBuzz objects (shaping and font cutting share them).

#include <hb-subset.h>
#include <hb.h>

#include <memory>

namespace certd::render::hb {

template <typename T, void (*destroy)(T*)>
struct Deleter {
  void operator()(T* object) const { destroy(object); }
};
using Blob = std::unique_ptr<hb_blob_t, Deleter<hb_blob_t, hb_blob_destroy>>;
using Face = std::unique_ptr<hb_face_t, Deleter<hb_face_t, hb_face_destroy>>;
using Font = std::unique_ptr<hb_font_t, Deleter<hb_font_t, hb_font_destroy>>;
using Buffer = std::unique_ptr<hb_buffer_t, Deleter<hb_buffer_t, hb_buffer_destroy>>;
using Set = std::unique_ptr<hb_set_t, Deleter<hb_set_t, hb_set_destroy>>;
using SubsetInput = std::unique_ptr<hb_subset_input_t, Deleter<hb_subset_input_t, hb_subset_input_destroy>>;

}  // namespace certd::render::hb
