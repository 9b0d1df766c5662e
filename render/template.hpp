#pragma once
// Certificate templates (docs/architecture.md "Certificate templates"): a YAML file
// plus assets. Template id = file stem (templates_dir/<id>.yaml); asset and
// font paths resolve against the template file's folder unless absolute.
//
// Coordinates are PDF points (1/72 inch) measured from the page's top-left
// corner, as design tools show them; a text field's `y` is the baseline of
// its first line.

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace certd::render {

enum class PageSize { a4, letter };
enum class Orientation { portrait, landscape };
enum class Align { left, center, right };
enum class DateStyle { long_form, iso };  // "23 November 2026" | "2026-11-23"

enum class Placeholder {
  student_name,        // {{student.fullname}}
  course_name,         // {{course.fullname}}
  title,               // {{title}}: what the award is called (the course's name, or an ad-hoc award's title)
  teacher_name,        // {{teacher.fullname}}
  notes,               // {{notes}}
  issued_on,           // {{issued_on}}
  expires_on,          // {{expires_on}}
  certificate_number,  // {{certificate.number}}
  level,               // {{level}}
  grade,               // {{grade}}
  skills,              // {{skills}}
  issuer_name,         // {{issuer.name}}
};

// The placeholder's name as written between the braces.
const char* to_string(Placeholder placeholder);

// Every placeholder, in the order above (the name table of
// template_parser.cpp, which is checked against it when compiled): what
// a preview data file may name and what messages list as the valid names.
const std::vector<Placeholder>& all_placeholders();

// Literal text or one placeholder.
struct TextPiece {
  std::string literal;
  std::optional<Placeholder> placeholder;
};

struct Color {
  double red = 0;
  double green = 0;
  double blue = 0;
};

struct FontFace {
  std::string name;  // the key under `fonts:`
  std::string file;  // resolved path
  int index = 0;     // face index inside a .ttc collection
  bool own_fallbacks = false;  // `fallback_fonts` of its own: used instead of the template's
  std::vector<int> fallbacks;  // indexes into TemplateSpec::fonts
  bool synthetic_bold = false;  // drawn filled and stroked: a bold look for a script without a bold face
  SourceLocation where;
};

struct TextField {
  std::string name;  // "fields[2]" or its `name:`
  std::vector<TextPiece> text;
  int font = 0;                 // index into TemplateSpec::fonts
  double size = 12;             // points
  double min_size = 12;         // shrink-to-fit stops here
  double x = 0;                 // anchor: left edge, centre or right edge
  double y = 0;                 // baseline of the first line, from the top
  double max_width = 0;         // lines never get wider than this
  int max_lines = 1;            // > 1: words wrap onto further lines
  double line_height = 1.25;    // times the size
  Align align = Align::left;
  Color color;
  bool optional = false;        // skipped when its placeholders are empty
  SourceLocation where;
};

struct ImagePlacement {
  std::string file;
  double x = 0, y = 0, width = 0, height = 0;  // box from the top-left corner
  SourceLocation where;
};

struct QrPlacement {
  double x = 0, y = 0, size = 0;  // square, quiet zone included
  Color color;
};

// Everything a template file says, validated. Plain values.
struct TemplateSpec {
  std::string id;
  std::string file;
  std::string name;  // "Swim level certificate": PDF subject, messages
  std::vector<TextPiece> title;  // PDF title; an empty {{title}} in it reads as `name`
  std::string number_prefix;
  PageSize page_size = PageSize::a4;
  Orientation orientation = Orientation::landscape;
  double page_width = 0, page_height = 0;  // points, after orientation
  std::string background;  // optional; fills the page
  SourceLocation background_where;
  std::vector<FontFace> fonts;
  std::vector<int> fallback_fonts;  // tried in order for glyphs a field's font lacks
  std::vector<TextField> fields;
  std::vector<ImagePlacement> images;
  QrPlacement qr;
  DateStyle date_style = DateStyle::long_form;
};

struct PreparedAssets;

// A loaded template: the spec plus its pictures (read once) and fonts (cut
// once for fast rendering, see font_set.hpp). Immutable after loading;
// render from many threads at once. Owns a private scratch folder for the
// cut fonts, removed by the destructor.
class Template {
 public:
  Template(TemplateSpec spec, std::unique_ptr<PreparedAssets> assets);
  Template(Template&&) noexcept;
  Template& operator=(Template&&) noexcept;
  ~Template();

  const TemplateSpec& spec() const { return m_spec; }
  const std::string& id() const { return m_spec.id; }
  const PreparedAssets& assets() const { return *m_assets; }

 private:
  TemplateSpec m_spec;
  std::unique_ptr<PreparedAssets> m_assets;
};

// Outcome of reading a template: every error, each with file:line:column.
struct SpecLoad {
  TemplateSpec spec;
  std::vector<Error> errors;
  bool ok() const { return errors.empty(); }
};

struct TemplateLoad {
  std::optional<Template> loaded;
  std::vector<Error> errors;
  bool ok() const { return loaded.has_value(); }
};

struct LoadOptions {
  std::string scratch_dir = "/tmp";  // where cut fonts are written
};

// Parses and validates template text, without touching any file: keys,
// placeholders, fonts named by fields, geometry on the page. `path` names
// the file in errors, gives the id and resolves relative asset paths.
SpecLoad parse_template(std::string_view text, const std::string& path);

// parse_template, then checks assets (JPEG/PNG that exist), fonts
// (TrueType outlines, fewer than 32768 glyphs, every literal character
// drawable) and cuts the fonts.
TemplateLoad load_template(std::string_view text, const std::string& path, const LoadOptions& options = {});
TemplateLoad load_template_file(const std::string& path, const LoadOptions& options = {});

// The placeholders a certificate must have values for: those of fields
// that are not `optional`. Issuing without one is a render error, so
// callers (a CSV batch) can refuse such input up front.
std::set<Placeholder> required_placeholders(const TemplateSpec& spec);

// "templates/swim-level.yaml" -> "swim-level".
std::string template_id_from_path(const std::string& path);

}  // namespace certd::render
