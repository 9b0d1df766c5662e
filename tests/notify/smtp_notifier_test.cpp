// Against a real SMTP server (aiosmtpd) on loopback, started per test.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "notify/mime.hpp"
#include "notify/notifier.hpp"
#include "process_util.hpp"

namespace certd::notify {
namespace {

class SmtpNotifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = std::filesystem::temp_directory_path() / ("certd-smtp-" + std::to_string(::getpid()));
    std::filesystem::remove_all(m_dir);
    std::filesystem::create_directories(m_dir);
    m_port = testing::free_port();
    m_server = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{"/usr/bin/python3", "tests/notify/smtp_sink.py", std::to_string(m_port), m_dir.string()});
    ASSERT_TRUE(testing::wait_for_port(m_port)) << "aiosmtpd did not start (python3-aiosmtpd installed?)";
  }
  void TearDown() override {
    m_server.reset();
    std::filesystem::remove_all(m_dir);
  }

  std::unique_ptr<Notifier> notifier() {
    SmtpOptions options;
    options.url = "smtp://127.0.0.1:" + std::to_string(m_port);
    options.timeout = Duration(10);
    return make_smtp_notifier(options);
  }

  std::vector<std::string> received() {
    std::vector<std::string> messages;
    for (const auto& entry : std::filesystem::directory_iterator(m_dir)) {
      if (entry.path().extension() != ".eml") continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      messages.push_back(text.str());
    }
    return messages;
  }

  static Message message(const std::string& to) {
    Message m;
    m.from = "Riverside <certs@riverside.example>";
    m.to = to;
    m.subject = "Certificate";
    m.text_body = "Hello\n";
    m.attachments.push_back({"c.pdf", "application/pdf", std::string(5000, '\x01')});
    m.message_id = "<n1.student@certd>";
    m.date = from_unix(1795437296);
    return m;
  }

  std::filesystem::path m_dir;
  int m_port = 0;
  std::unique_ptr<testing::ChildProcess> m_server;
};

TEST_F(SmtpNotifierTest, DeliversTheComposedBytesAndKeepsTheQueueId) {
  auto n = notifier();
  Message m = message("Zoë <zoe@family.example>");
  auto delivery = n->send(m);
  ASSERT_TRUE(delivery) << delivery.error().to_string();
  EXPECT_EQ(delivery->server_reply, "250 2.0.0 Ok: queued as q000001");
  // A second message over the same handle.
  m.message_id = "<n2.student@certd>";
  ASSERT_TRUE(n->send(m));
  auto messages = received();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].size(), compose_mime(m)->size());
}

TEST_F(SmtpNotifierTest, RejectedRecipientIsPermanentWithTheServersAnswer) {
  auto delivery = notifier()->send(message("nobody@reject.example"));
  ASSERT_FALSE(delivery);
  EXPECT_EQ(delivery.error().code(), ErrorCode::invalid_argument);
  EXPECT_NE(delivery.error().message().find("550"), std::string::npos) << delivery.error().message();
  EXPECT_TRUE(received().empty());
}

TEST_F(SmtpNotifierTest, ServerDownIsTransient) {
  m_server->stop();
  auto delivery = notifier()->send(message("zoe@family.example"));
  ASSERT_FALSE(delivery);
  EXPECT_EQ(delivery.error().code(), ErrorCode::unavailable) << delivery.error().message();
}

TEST(OutboxFolderNotifier, WritesOneFilePerMessageIdEvenWhenRetried) {
  auto dir = std::filesystem::temp_directory_path() / ("certd-outbox-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto n = make_outbox_folder_notifier(dir.string());
  Message m;
  m.from = "S <s@x.example>";
  m.to = "a@y.example";
  m.subject = "s";
  m.text_body = "t";
  m.message_id = "<../../etc/N-1.guardian@certd>";
  m.date = from_unix(0);
  ASSERT_TRUE(n->send(m));
  ASSERT_TRUE(n->send(m));
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename().string());
  EXPECT_EQ(names, std::vector<std::string>{"message.._.._etc_N-1.guardian_certd.eml"}) << "one component, no slash";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace certd::notify
