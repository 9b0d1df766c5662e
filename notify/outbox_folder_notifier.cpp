#include <algorithm>
#include <cctype>

#include "core/file_util.hpp"
#include "notify/mime.hpp"
#include "notify/notifier.hpp"

namespace certd::notify {
namespace {

// "<abc.1@certd>" -> "abc.1_certd": a file name that cannot leave the folder.
std::string file_name_for(const std::string& message_id) {
  std::string name;
  for (char c : message_id) {
    if (c == '<' || c == '>') continue;
    name += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ? c : '_';
  }
  if (name.empty() || name.front() == '.') name = "message" + name;
  return name + ".eml";
}

class OutboxFolderNotifier final : public Notifier {
 public:
  explicit OutboxFolderNotifier(std::string folder) : m_folder(std::move(folder)) {}

  Result<Delivery> send(const Message& message) override {
    CERTD_ASSIGN_OR_RETURN(std::string bytes, compose_mime(message));
    CERTD_TRY(make_directories(m_folder));
    CERTD_ASSIGN_OR_RETURN(std::string path, join_inside(m_folder, file_name_for(message.message_id)));
    CERTD_TRY(write_file_atomically(path, bytes, 0600));
    return Delivery{"written to " + path};
  }

 private:
  std::string m_folder;
};

}  // namespace

std::unique_ptr<Notifier> make_outbox_folder_notifier(std::string folder) {
  return std::make_unique<OutboxFolderNotifier>(std::move(folder));
}

}  // namespace certd::notify
