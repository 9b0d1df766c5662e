// Template YAML -> TemplateSpec. Pure: reads no file (the fuzzer runs it).

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <array>
#include <cmath>
#include <filesystem>

#include "render/template.hpp"
#include "yaml/yaml_reader.hpp"

namespace certd::render {
namespace {

// In the enum's order: all_placeholders() is this table, so messages and
// the preview data file list the names as template.hpp declares them.
constexpr std::array<std::pair<const char*, Placeholder>, 12> k_placeholders{{
    {"student.fullname", Placeholder::student_name},
    {"course.fullname", Placeholder::course_name},
    {"title", Placeholder::title},
    {"teacher.fullname", Placeholder::teacher_name},
    {"notes", Placeholder::notes},
    {"issued_on", Placeholder::issued_on},
    {"expires_on", Placeholder::expires_on},
    {"certificate.number", Placeholder::certificate_number},
    {"level", Placeholder::level},
    {"grade", Placeholder::grade},
    {"skills", Placeholder::skills},
    {"issuer.name", Placeholder::issuer_name},
}};

// Every value of the enum, listed by a switch without a default: a value
// added to the enum and not here is a -Wswitch warning (an error with
// CERTD_WERROR).
constexpr bool is_placeholder(Placeholder p) {
  switch (p) {
    case Placeholder::student_name:
    case Placeholder::course_name:
    case Placeholder::title:
    case Placeholder::teacher_name:
    case Placeholder::notes:
    case Placeholder::issued_on:
    case Placeholder::expires_on:
    case Placeholder::certificate_number:
    case Placeholder::level:
    case Placeholder::grade:
    case Placeholder::skills:
    case Placeholder::issuer_name: return true;
  }
  return false;
}

// Entry i names enum value i, and no value comes after the last entry: a
// placeholder without a name, or out of order, stops the build instead of
// going missing from what templates accept and messages list.
constexpr bool names_every_placeholder() {
  for (std::size_t i = 0; i < k_placeholders.size(); ++i)
    if (k_placeholders[i].second != static_cast<Placeholder>(i)) return false;
  return !is_placeholder(static_cast<Placeholder>(k_placeholders.size()));
}
static_assert(names_every_placeholder(), "k_placeholders must name every Placeholder, in the enum's order");

constexpr double k_max_coordinate = 5000;
// Share of the font size above and below a baseline that must stay on
// the page (DejaVu and IPAGothic ascend ~0.76-0.93 em, descend ~0.24).
constexpr double k_ascent = 0.8;
constexpr double k_descent = 0.25;

// Parses one template; one object per file, not thread-safe.
class Parser {
 public:
  Parser(std::string_view text, const std::string& path) : m_text(text), m_diagnostics(path) {
    m_spec.file = path;
    m_spec.id = template_id_from_path(path);
    m_base_dir = std::filesystem::path(path).parent_path().string();
  }

  SpecLoad run() {
    auto root = yaml::parse(m_text, m_diagnostics);
    if (root) read_root(*root);
    return SpecLoad{std::move(m_spec), m_diagnostics.take()};
  }

 private:
  void read_root(const YAML::Node& root) {
    yaml::MapReader reader(root, "", m_diagnostics);
    if (!reader.valid()) return;
    reader.integer("version", 1, 1, /*required=*/true);
    m_spec.name = reader.string("name", true).value_or("");
    read_number_prefix(reader);
    read_page(reader);
    if (auto background = reader.string("background")) {
      m_spec.background = resolve(*background);
      m_spec.background_where = m_diagnostics.at(reader.get("background"));
    }
    read_fonts(reader);
    if (auto style = reader.choice("date_format", {"long", "iso"}))
      m_spec.date_style = *style == "iso" ? DateStyle::iso : DateStyle::long_form;
    read_title(reader);
    read_fields(reader);
    read_images(reader);
    read_qr(reader);
    reader.finish();
  }

  void read_number_prefix(yaml::MapReader& reader) {
    auto prefix = reader.string("number_prefix", true);
    if (!prefix) return;
    bool good = !prefix->empty() && prefix->size() <= 8 &&
                std::all_of(prefix->begin(), prefix->end(), [](char c) {
                  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
                });
    if (!good) reader.error_at("number_prefix", "use 1 to 8 characters A-Z or 0-9, like SWL3");
    m_spec.number_prefix = *prefix;
  }

  void read_page(yaml::MapReader& root) {
    YAML::Node node = root.get("page");
    if (!node.IsDefined()) return root.missing("page");
    yaml::MapReader page(node, "page", m_diagnostics);
    auto size = page.choice("size", {"A4", "Letter"}, true);
    auto orientation = page.choice("orientation", {"landscape", "portrait"}, true);
    page.finish();
    m_spec.page_size = size && *size == "Letter" ? PageSize::letter : PageSize::a4;
    m_spec.orientation = orientation && *orientation == "portrait" ? Orientation::portrait : Orientation::landscape;
    // libharu's own figures for the two sizes, so geometry checks agree with it.
    double short_side = m_spec.page_size == PageSize::a4 ? 595.276 : 612;
    double long_side = m_spec.page_size == PageSize::a4 ? 841.89 : 792;
    bool landscape = m_spec.orientation == Orientation::landscape;
    m_spec.page_width = landscape ? long_side : short_side;
    m_spec.page_height = landscape ? short_side : long_side;
  }

  void read_fonts(yaml::MapReader& root) {
    YAML::Node fonts = root.get("fonts");
    if (!fonts.IsDefined()) return root.missing("fonts");
    if (!fonts.IsMap() || fonts.size() == 0) {
      m_diagnostics.error(fonts, "fonts: expected a map of names to TrueType files, found " + yaml::describe(fonts));
      return;
    }
    for (const auto& entry : fonts) read_font(entry.first.Scalar(), entry.second);
    read_fallbacks(root);
  }

  void read_font(const std::string& name, const YAML::Node& value) {
    FontFace face{name, "", 0, false, {}, false, m_diagnostics.at(value)};
    if (value.IsScalar()) {
      face.file = resolve(value.Scalar());
    } else {
      yaml::MapReader reader(value, "fonts." + name, m_diagnostics);
      face.file = resolve(reader.string("file", true).value_or(""));
      face.index = static_cast<int>(reader.integer("index", 0, 255).value_or(0));
      face.synthetic_bold = reader.boolean("synthetic_bold").value_or(false);
      // Resolved once every font is known: a list may name fonts below it.
      if (auto names = reader.string_list("fallback_fonts"))
        m_own_fallbacks.push_back(OwnFallbacks{m_spec.fonts.size(), *names, reader.get("fallback_fonts")});
      reader.finish();
    }
    m_spec.fonts.push_back(std::move(face));
  }

  // Font names -> indexes; an unknown name is an error at its place.
  std::vector<int> font_list(const std::string& key, const std::vector<std::string>& names, const YAML::Node& node) {
    std::vector<int> list;
    for (std::size_t i = 0; i < names.size(); ++i) {
      int index = font_index(names[i]);
      if (index < 0)
        m_diagnostics.error(node[i], key + ": unknown font '" + names[i] + "'" + known_fonts());
      else
        list.push_back(index);
    }
    return list;
  }

  void read_fallbacks(yaml::MapReader& root) {
    for (const OwnFallbacks& own : m_own_fallbacks) {
      FontFace& face = m_spec.fonts[own.font];
      face.fallbacks = font_list("fonts." + face.name + ".fallback_fonts", own.names, own.node);
      face.own_fallbacks = true;
    }
    auto names = root.string_list("fallback_fonts");
    if (!names) return;
    m_spec.fallback_fonts = font_list("fallback_fonts", *names, root.get("fallback_fonts"));
  }

  void read_title(yaml::MapReader& root) {
    YAML::Node node = root.get("title");
    if (auto text = root.string("title")) {
      m_spec.title = pieces(*text, node);
      return;
    }
    // Who and what, as a file list or a tab shows it: "Ana Lima - Swimming
    // Level 3", or an ad-hoc award's own title, which tells certificates
    // apart better than the template's name. The renderer reads an empty
    // {{title}} as the name, which is never parsed: braces in it are not
    // placeholders.
    m_spec.title = {TextPiece{"", Placeholder::student_name}, TextPiece{" - ", std::nullopt},
                    TextPiece{"", Placeholder::title}};
  }

  void read_fields(yaml::MapReader& root) {
    YAML::Node fields = root.get("fields");
    if (!fields.IsDefined()) return root.missing("fields");
    if (!fields.IsSequence() || fields.size() == 0) {
      m_diagnostics.error(fields, "fields: expected a list of text fields, found " + yaml::describe(fields));
      return;
    }
    for (std::size_t i = 0; i < fields.size(); ++i) read_field(fields[i], "fields[" + std::to_string(i) + "]");
  }

  void read_field(const YAML::Node& node, const std::string& path) {
    yaml::MapReader reader(node, path, m_diagnostics);
    if (!reader.valid()) return;
    TextField field;
    field.where = m_diagnostics.at(node);
    field.name = reader.string("name").value_or(path);
    if (auto text = reader.string("text", true)) {
      if (text->empty()) reader.error_at("text", "is empty");
      field.text = pieces(*text, reader.get("text"));
    }
    read_field_font(reader, field);
    field.size = reader.number("size", 4, 300, true).value_or(12);
    field.min_size = reader.number("min_size", 4, 300).value_or(std::max(6.0, std::round(field.size * 0.6)));
    if (field.min_size > field.size) reader.error_at("min_size", "must not be larger than size");
    field.x = reader.number("x", 0, k_max_coordinate, true).value_or(0);
    field.y = reader.number("y", 0, k_max_coordinate, true).value_or(0);
    field.align = read_align(reader);
    field.max_width = reader.number("max_width", 1, k_max_coordinate).value_or(default_width(field));
    field.max_lines = static_cast<int>(reader.integer("max_lines", 1, 20).value_or(1));
    field.line_height = reader.number("line_height", 0.8, 3).value_or(1.25);
    field.color = read_color(reader, "color");
    field.optional = reader.boolean("optional").value_or(false);
    reader.finish();
    check_field_on_page(reader, field);
    m_spec.fields.push_back(std::move(field));
  }

  void read_field_font(yaml::MapReader& reader, TextField& field) {
    auto name = reader.string("font", true);
    if (!name) return;
    field.font = font_index(*name);
    if (field.font < 0) {
      reader.error_at("font", "unknown font '" + *name + "'" + known_fonts());
      field.font = 0;
    }
  }

  Align read_align(yaml::MapReader& reader) {
    auto align = reader.choice("align", {"left", "center", "centre", "right"});
    if (!align || *align == "left") return Align::left;
    return *align == "right" ? Align::right : Align::center;
  }

  // Without max_width a field may use the page up to its edge.
  double default_width(const TextField& field) const {
    double width = m_spec.page_width;
    switch (field.align) {
      case Align::left: return std::max(1.0, width - field.x);
      case Align::right: return std::max(1.0, field.x);
      case Align::center: return std::max(1.0, 2 * std::min(field.x, width - field.x));
    }
    return width;
  }

  void check_field_on_page(yaml::MapReader& reader, const TextField& field) {
    double left = field.align == Align::left    ? field.x
                  : field.align == Align::right ? field.x - field.max_width
                                                : field.x - field.max_width / 2;
    if (left < -0.01 || left + field.max_width > m_spec.page_width + 0.01)
      reader.error_at(reader.has("max_width") ? "max_width" : "x",
                      "the field runs off the page: it spans x " + number(left) + " to " +
                          number(left + field.max_width) + " on a page " + number(m_spec.page_width) + " wide");
    double top = field.y - field.size * k_ascent;
    double bottom = field.y + (field.max_lines - 1) * field.size * field.line_height + field.size * k_descent;
    if (top < -0.01 || bottom > m_spec.page_height + 0.01)
      reader.error_at("y", "the field runs off the page: its lines span y " + number(top) + " to " +
                               number(bottom) + " on a page " + number(m_spec.page_height) + " high");
  }

  Color read_color(yaml::MapReader& reader, std::string_view key) {
    auto text = reader.string(key);
    if (!text) return Color{};
    bool good = text->size() == 7 && (*text)[0] == '#' &&
                std::all_of(text->begin() + 1, text->end(), [](char c) { return std::isxdigit(c) != 0; });
    if (!good) {
      reader.error_at(key, "expected a colour like \"#1B4F72\", found '" + *text + "'");
      return Color{};
    }
    auto channel = [&](int at) { return std::stoi(text->substr(static_cast<std::size_t>(at), 2), nullptr, 16) / 255.0; };
    return Color{channel(1), channel(3), channel(5)};
  }

  void read_images(yaml::MapReader& root) {
    YAML::Node images = root.get("images");
    if (!images.IsDefined() || images.IsNull()) return;
    if (!images.IsSequence()) {
      m_diagnostics.error(images, "images: expected a list, found " + yaml::describe(images));
      return;
    }
    for (std::size_t i = 0; i < images.size(); ++i) read_image(images[i], "images[" + std::to_string(i) + "]");
  }

  void read_image(const YAML::Node& node, const std::string& path) {
    yaml::MapReader reader(node, path, m_diagnostics);
    if (!reader.valid()) return;
    ImagePlacement image;
    image.where = m_diagnostics.at(node);
    auto file = reader.string("file", true);
    if (file) image.file = resolve(*file);
    if (file) image.where = m_diagnostics.at(reader.get("file"));
    image.x = reader.number("x", 0, k_max_coordinate, true).value_or(0);
    image.y = reader.number("y", 0, k_max_coordinate, true).value_or(0);
    image.width = reader.number("width", 1, k_max_coordinate, true).value_or(1);
    image.height = reader.number("height", 1, k_max_coordinate, true).value_or(1);
    reader.finish();
    check_box_on_page(reader, image.x, image.y, image.width, image.height);
    m_spec.images.push_back(std::move(image));
  }

  void read_qr(yaml::MapReader& root) {
    YAML::Node node = root.get("qr");
    if (!node.IsDefined()) return root.missing("qr");
    yaml::MapReader reader(node, "qr", m_diagnostics);
    if (!reader.valid()) return;
    m_spec.qr.x = reader.number("x", 0, k_max_coordinate, true).value_or(0);
    m_spec.qr.y = reader.number("y", 0, k_max_coordinate, true).value_or(0);
    // Below ~50 pt (18 mm) phones struggle with a 29-module code.
    m_spec.qr.size = reader.number("size", 50, 1000, true).value_or(50);
    m_spec.qr.color = read_color(reader, "color");
    reader.finish();
    check_box_on_page(reader, m_spec.qr.x, m_spec.qr.y, m_spec.qr.size, m_spec.qr.size);
  }

  void check_box_on_page(yaml::MapReader& reader, double x, double y, double width, double height) {
    if (x + width > m_spec.page_width + 0.01)
      reader.error_at(reader.has("width") ? "width" : "size",
                      "runs off the page: right edge at x " + number(x + width) + ", page width " +
                          number(m_spec.page_width));
    if (y + height > m_spec.page_height + 0.01)
      reader.error_at(reader.has("height") ? "height" : "size",
                      "runs off the page: bottom edge at y " + number(y + height) + ", page height " +
                          number(m_spec.page_height));
  }

  // Splits "Well done {{student.fullname}}!" into pieces; an unknown or
  // unclosed placeholder is an error at its own line and column.
  std::vector<TextPiece> pieces(const std::string& text, const YAML::Node& node) {
    std::vector<TextPiece> result;
    std::size_t at = 0;
    while (at < text.size()) {
      std::size_t open = text.find("{{", at);
      if (open == std::string::npos) {
        result.push_back(TextPiece{text.substr(at), std::nullopt});
        break;
      }
      if (open > at) result.push_back(TextPiece{text.substr(at, open - at), std::nullopt});
      std::size_t close = text.find("}}", open + 2);
      if (close == std::string::npos) {
        m_diagnostics.error(locate(node, text.substr(open)), "unclosed placeholder: '{{' without '}}'");
        break;
      }
      add_placeholder(result, text.substr(open, close + 2 - open), node);
      at = close + 2;
    }
    return result;
  }

  void add_placeholder(std::vector<TextPiece>& result, const std::string& written, const YAML::Node& node) {
    std::string name = written.substr(2, written.size() - 4);
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    for (const auto& [known, placeholder] : k_placeholders)
      if (name == known) return result.push_back(TextPiece{"", placeholder});
    std::string list;
    for (const auto& [known, placeholder] : k_placeholders) list += (list.empty() ? "" : ", ") + std::string(known);
    m_diagnostics.error(locate(node, written), "unknown placeholder " + written + " (known: " + list + ")");
  }

  // Finds `needle` in the source at or after the node's start, so the
  // column points at the placeholder itself, not at the start of the value.
  SourceLocation locate(const YAML::Node& node, const std::string& needle) const {
    if (!node.IsDefined()) return SourceLocation{m_diagnostics.file(), 0, 0};
    SourceLocation where = m_diagnostics.at(node);
    const YAML::Mark mark = node.Mark();
    if (mark.pos < 0) return where;
    std::size_t found = m_text.find(needle.substr(0, std::min<std::size_t>(needle.size(), 40)),
                                    static_cast<std::size_t>(mark.pos));
    if (found == std::string_view::npos) return where;
    std::string_view before = m_text.substr(0, found);
    where.line = static_cast<int>(std::count(before.begin(), before.end(), '\n')) + 1;
    std::size_t line_start = before.rfind('\n');
    where.column = static_cast<int>(found - (line_start == std::string_view::npos ? 0 : line_start + 1)) + 1;
    return where;
  }

  int font_index(const std::string& name) const {
    for (std::size_t i = 0; i < m_spec.fonts.size(); ++i)
      if (m_spec.fonts[i].name == name) return static_cast<int>(i);
    return -1;
  }

  std::string known_fonts() const {
    std::string list;
    for (const FontFace& face : m_spec.fonts) list += (list.empty() ? "" : ", ") + face.name;
    return list.empty() ? std::string(" (no fonts are defined)") : " (defined: " + list + ")";
  }

  std::string resolve(const std::string& file) const {
    if (file.empty() || file.front() == '/' || m_base_dir.empty()) return file;
    return (std::filesystem::path(m_base_dir) / file).lexically_normal().string();
  }

  static std::string number(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.0f", value);
    return text;
  }

  std::string_view m_text;
  struct OwnFallbacks {
    std::size_t font;
    std::vector<std::string> names;
    YAML::Node node;
  };

  yaml::Diagnostics m_diagnostics;
  TemplateSpec m_spec;
  std::vector<OwnFallbacks> m_own_fallbacks;
  std::string m_base_dir;
};

}  // namespace

const std::vector<Placeholder>& all_placeholders() {
  static const std::vector<Placeholder> all = [] {
    std::vector<Placeholder> list;
    for (const auto& [name, placeholder] : k_placeholders) list.push_back(placeholder);
    return list;
  }();
  return all;
}

const char* to_string(Placeholder placeholder) {
  for (const auto& [name, value] : k_placeholders)
    if (value == placeholder) return name;
  return "?";
}

std::string template_id_from_path(const std::string& path) { return std::filesystem::path(path).stem().string(); }

SpecLoad parse_template(std::string_view text, const std::string& path) { return Parser(text, path).run(); }

}  // namespace certd::render
