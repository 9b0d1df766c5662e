#include "app/daemon.hpp"

#include <chrono>
#include <thread>

#include "app/batch_runner.hpp"
#include "app/console_setup.hpp"
#include "app/event_processor.hpp"
#include "app/issuer.hpp"
#include "app/outbox_handlers.hpp"
#include "app/pdf_archive.hpp"
#include "app/poll_status.hpp"
#include "app/progress_codec.hpp"
#include "app/runtime.hpp"
#include "app/school.hpp"
#include "app/school_fingerprint.hpp"
#include "app/service_notify.hpp"
#include "app/store_adapters.hpp"
#include "connector/lms.hpp"
#include "connector/poller.hpp"
#include "console/console.hpp"
#include "core/log.hpp"
#include "portal/http_server.hpp"
#include "portal/portal.hpp"
#include "render/signing.hpp"
#include "store/store.hpp"

namespace certd::app {
namespace {

constexpr int k_events_per_round = 200;
constexpr int k_batch_group = 50;

// One poll: every change becomes an event row, then the cursor moves.
Result<connector::PollStats> record_changes(connector::Poller& poller, store::Store& store, const Clock& clock) {
  CERTD_ASSIGN_OR_RETURN(connector::PollResult result, poller.poll());
  for (const std::string& warning : result.warnings) CERTD_LOG_WARN("poll: {}", warning);
  for (const connector::Change& change : result.changes) {
    const connector::CourseProgress* snapshot = result.snapshot(change.student, change.course.id);
    if (!snapshot) {
      CERTD_LOG_WARN("poll: change {} came without a snapshot; skipped", change.key);
      continue;
    }
    store::NewEvent event{"moodle", change.key, k_event_lms_change, change_event_payload(change, *snapshot),
                          to_unix(clock.now())};
    CERTD_TRY(store.record_event(event));
  }
  // Only now that every change is an event row may the cursor move.
  CERTD_TRY(poller.commit(result));
  connector::PollStats stats = std::move(result.stats);
  stats.changes = static_cast<int>(result.changes.size());
  return stats;
}

// Both poll paths (run --once and the poller thread) come here, so every
// cycle, good or failed, leaves its figures for `certd status`.
Result<int> poll_into_events(connector::Poller& poller, const connector::Lms& lms, store::Store& store,
                             const Clock& clock) {
  Result<connector::PollStats> polled = record_changes(poller, store, clock);
  Status recorded = polled ? record_poll(store, &*polled, "", lms.conditions(), clock.now())
                           : record_poll(store, nullptr, polled.error().message(), {}, clock.now());
  // The status screen is not worth a lost cycle: the events are in.
  if (!recorded) CERTD_LOG_WARN("poll: could not record the cycle for certd status: {}", recorded.error().message());
  if (!polled) return polled.error();
  return polled->changes;
}

}  // namespace

struct Daemon::Impl {
  const School& school;
  connector::Lms* lms;
  notify::Notifier& notifier;
  const Clock& clock;
  DaemonOptions options;

  std::unique_ptr<store::Store> store;
  std::unique_ptr<PdfArchive> archive;
  std::unique_ptr<Issuer> issuer;
  std::unique_ptr<EventProcessor> processor;
  std::unique_ptr<BatchRunner> batches;
  std::unique_ptr<OutboxWorker> outbox;
  std::unique_ptr<StoreCursorStore> cursors;
  std::unique_ptr<connector::Poller> poller;
  std::unique_ptr<StorePortalBackend> portal_backend;
  std::unique_ptr<portal::Portal> portal;
  std::unique_ptr<SchoolConsole> console;
  std::unique_ptr<portal::HttpServer> http;
  std::function<void()> on_event;
  // Kicked between rounds: a long batch or a busy day keeps it fed, a
  // round that never ends does not (service_notify.hpp).
  Watchdog watchdog;

  Status open_pipeline() {
    CERTD_ASSIGN_OR_RETURN(store, store::open_sqlite_store(school.store_path()));
    archive = std::make_unique<PdfArchive>(school.config.data_dir);
    IssuerOptions issuer_options{school.config.issuer.name, school.config.portal.public_url, lms != nullptr,
                                 school.config.lms.certificate_profile_field, school.config.lms.issued_activity,
                                 options.render_threads};
    issuer = std::make_unique<Issuer>(issuer_options, school.templates, *school.signer, *store, *archive, clock);
    processor = std::make_unique<EventProcessor>(school, *store, *issuer, lms, clock);
    batches = std::make_unique<BatchRunner>(school, *store, *issuer, clock);
    outbox = std::make_unique<OutboxWorker>(*store, clock, RetryPolicy(), options.worker_id,
                                            make_outbox_handlers(school, *store, *archive, notifier, lms, clock));
    cursors = std::make_unique<StoreCursorStore>(*store);
    if (lms) poller = std::make_unique<connector::Poller>(*lms, *cursors);
    // This process is the only worker on this store: leases left by a
    // crashed run are ours to take back now, not in five minutes.
    CERTD_ASSIGN_OR_RETURN(std::int64_t released, store->release_claims(to_unix(clock.now())));
    if (released > 0) CERTD_LOG_INFO("took back {} outbox items from an interrupted run", released);
    // A changed rule, template or config may be what failed events
    // waited for: they are tried again in the first cycle.
    CERTD_ASSIGN_OR_RETURN(std::int64_t due, note_school_fingerprint(*store, school_fingerprint(school),
                                                                    to_unix(clock.now())));
    if (due > 0) CERTD_LOG_INFO("rules, templates or config changed: {} failed events are tried again now", due);
    CERTD_ASSIGN_OR_RETURN(int leftovers, archive->remove_leftovers());
    if (leftovers > 0) CERTD_LOG_INFO("removed {} half-written PDF files of an interrupted run", leftovers);
    return ok();
  }

  Status open_portal() {
    CERTD_ASSIGN_OR_RETURN(portal_backend,
                           StorePortalBackend::open(school.store_path(), school.config.data_dir, on_event,
                                                    lms ? school.config.lms.poll_interval.count() : 0));
    CERTD_ASSIGN_OR_RETURN(auto verifier, make_webhook_verifier(school.config));
    portal::PortalOptions portal_options{school.config.issuer.name, school.config.portal.public_url,
                                         school.signer->public_key().pem(), school.config.webhooks.max_body_bytes};
    portal = std::make_unique<portal::Portal>(portal_options, *portal_backend, clock, std::move(verifier));
    int port = options.portal_port >= 0 ? options.portal_port : school.config.portal.listen.port;
    const config::PortalConfig& limits = school.config.portal;
    portal::HttpServerOptions http_options;
    http_options.host = limits.listen.host;
    http_options.port = port;
    http_options.issuer_name = school.config.issuer.name;  // on the server's own error pages
    http_options.max_body = static_cast<std::size_t>(school.config.webhooks.max_body_bytes);
    // Console uploads (CSV batches) may be larger, under /console/ only.
    http_options.max_upload_body = static_cast<std::size_t>(school.config.portal.max_upload_bytes);
    http_options.read_timeout = limits.read_timeout;
    http_options.idle_timeout = limits.idle_timeout;
    http_options.shutdown_timeout = limits.shutdown_timeout;
    http_options.max_connections = static_cast<std::size_t>(limits.max_connections);
    http_options.max_connections_per_client = static_cast<std::size_t>(limits.max_connections_per_client);
    CERTD_ASSIGN_OR_RETURN(console, SchoolConsole::open(school, clock));
    portal::Portal* handler = portal.get();
    const console::Console* teacher_console = &console->console();
    http = std::make_unique<portal::HttpServer>(http_options, [handler, teacher_console](const portal::Request& r) {
      return console::Console::owns(r.path) ? teacher_console->handle(r) : handler->handle(r);
    });
    CERTD_TRY(http->start());
    CERTD_LOG_INFO("portal listening on {}:{}", http_options.host, http->port());
    return ok();
  }

  Result<int> poll_lms() {
    if (!poller) return 0;
    return poll_into_events(*poller, *lms, *store, clock);
  }
};

Daemon::Daemon(const School& school, connector::Lms* lms, notify::Notifier& notifier, const Clock& clock,
               DaemonOptions options)
    : m_impl(new Impl{school, lms, notifier, clock, std::move(options), {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}}) {}

Daemon::~Daemon() {
  if (m_impl && m_impl->http) m_impl->http->stop();
}

Status Daemon::start() {
  m_impl->on_event = [this] { wake(); };
  CERTD_TRY(m_impl->open_pipeline());
  if (m_impl->options.serve_portal) CERTD_TRY(m_impl->open_portal());
  return ok();
}

void Daemon::request_stop() {
  m_stop.store(true);
  wake();
}

void Daemon::wake() {
  {
    std::lock_guard<std::mutex> lock(m_wake_mutex);
    m_woken = true;
  }
  m_wake_signal.notify_all();
}

int Daemon::portal_port() const { return m_impl->http ? m_impl->http->port() : 0; }

Result<CycleStats> Daemon::cycle(bool poll, bool drain_outbox) {
  CycleStats stats;
  if (poll) {
    // An LMS that is down must not hold up batches, webhooks or mail.
    auto changes = m_impl->poll_lms();
    if (changes) stats.changes = *changes;
    else stats.poll_error = changes.error().message();
    if (!changes) CERTD_LOG_WARN("poll failed, will retry next cycle: {}", changes.error().message());
  }
  // Events, then batch groups, until both are empty or a stop is asked.
  while (!m_stop.load()) {
    m_impl->watchdog.kick();
    CERTD_ASSIGN_OR_RETURN(ProcessStats processed, m_impl->processor->process_new(k_events_per_round));
    stats.events += processed.events;
    stats.issued += processed.issued;
    stats.queued += processed.queued;
    stats.events_failed += processed.failed;
    stats.events_retried += processed.retried;
    if (processed.events + processed.deferred > 0) {
      ++stats.rounds;
      stats.fetch_ms += processed.fetch_ms;
      stats.decide_ms += processed.decide_ms;
      stats.issue_ms += processed.issue_ms;
      stats.mark_ms += processed.mark_ms;
    }
    CERTD_ASSIGN_OR_RETURN(int rows, m_impl->batches->run_group(k_batch_group));
    stats.batch_rows += rows;
    if (processed.events == 0 && rows == 0) break;
  }
  if (drain_outbox) {
    CERTD_ASSIGN_OR_RETURN(DrainStats drained, m_impl->outbox->drain());
    stats.delivered = drained.delivered;
    stats.retrying = drained.retrying;
    stats.failed = drained.failed;
  } else if (stats.issued > 0 || stats.batch_rows > 0) {
    wake_outbox();
  }
  CERTD_ASSIGN_OR_RETURN(stats.failed_events, m_impl->store->count_events(store::EventStatus::failed));
  if (stats.changes || stats.events || stats.batch_rows || stats.delivered || stats.failed)
    CERTD_LOG_INFO("cycle: {} changes, {} events ({} failed, {} retried), {} issued, {} queued, {} batch rows, "
                   "{} delivered, {} retrying, {} failed deliveries; {} failed events kept",
                   stats.changes, stats.events, stats.events_failed, stats.events_retried, stats.issued, stats.queued,
                   stats.batch_rows, stats.delivered, stats.retrying, stats.failed, stats.failed_events);
  if (stats.rounds > 0)
    CERTD_LOG_DEBUG("cycle: {} event rounds: LMS reads {:.1f} ms, deciding {:.1f} ms, issuing {:.1f} ms, "
                    "recording {:.1f} ms",
                    stats.rounds, stats.fetch_ms, stats.decide_ms, stats.issue_ms, stats.mark_ms);
  return stats;
}

Result<CycleStats> Daemon::run_once() { return cycle(/*poll=*/true, /*drain_outbox=*/true); }

// The outbox has a thread and a store connection of its own, so slow
// deliveries (an SMTP server, a busy LMS) never hold up issuing.
void Daemon::outbox_loop() {
  auto store = store::open_sqlite_store(m_impl->school.store_path());
  if (!store) {
    CERTD_LOG_ERROR("outbox: cannot open the store: {}", store.error().message());
    return;
  }
  OutboxWorker worker(**store, m_impl->clock, RetryPolicy(), m_impl->options.worker_id,
                      make_outbox_handlers(m_impl->school, **store, *m_impl->archive, m_impl->notifier, m_impl->lms,
                                           m_impl->clock));
  while (!m_stop.load()) {
    auto drained = worker.drain();
    if (!drained) CERTD_LOG_WARN("outbox: {}", drained.error().message());
    else if (drained->delivered || drained->failed)
      CERTD_LOG_INFO("outbox: {} delivered, {} retrying, {} failed", drained->delivered, drained->retrying,
                     drained->failed);
    std::unique_lock<std::mutex> lock(m_wake_mutex);
    m_wake_signal.wait_for(lock, std::chrono::seconds(1), [this] { return m_outbox_woken || m_stop.load(); });
    m_outbox_woken = false;
  }
}

// Polls on a thread of its own: a slow LMS sweep never delays webhook
// events, approvals or batches. Changes wake the processing thread.
void Daemon::poll_loop() {
  if (!m_impl->lms) return;
  auto store = store::open_sqlite_store(m_impl->school.store_path());
  if (!store) {
    CERTD_LOG_ERROR("poll: cannot open the store: {}", store.error().message());
    return;
  }
  StoreCursorStore cursors(**store);
  connector::Poller poller(*m_impl->lms, cursors);
  const auto interval = std::chrono::seconds(m_impl->school.config.lms.poll_interval.count());
  while (!m_stop.load()) {
    auto changes = poll_into_events(poller, *m_impl->lms, **store, m_impl->clock);
    if (!changes) CERTD_LOG_WARN("poll failed, will retry next interval: {}", changes.error().message());
    else if (*changes > 0) wake();
    std::unique_lock<std::mutex> lock(m_wake_mutex);
    m_wake_signal.wait_for(lock, interval, [this] { return m_stop.load(); });
  }
}

void Daemon::wake_outbox() {
  {
    std::lock_guard<std::mutex> lock(m_wake_mutex);
    m_outbox_woken = true;
  }
  m_wake_signal.notify_all();
}

Status Daemon::run() {
  std::thread outbox([this] { outbox_loop(); });
  std::thread poll([this] { poll_loop(); });
  // The store is open (start()) and every thread is under way.
  notify_ready("running: polling the LMS every " + std::to_string(m_impl->school.config.lms.poll_interval.count()) +
               " s" + (portal_port() ? ", portal on port " + std::to_string(portal_port()) : std::string()));
  while (!m_stop.load()) {
    m_impl->watchdog.kick();
    auto stats = cycle(/*poll=*/false, /*drain_outbox=*/false);
    if (!stats) {
      // Transient trouble (LMS down, disk busy) must not end the daemon.
      CERTD_LOG_WARN("cycle failed, will retry: {}", stats.error().message());
      if (stats.error().code() != ErrorCode::unavailable) CERTD_LOG_ERROR("{}", stats.error().message());
    }
    // Nap until the next second (batches cancelled elsewhere, events of
    // other processes) or until an event is committed here: events are
    // handled at once.
    std::unique_lock<std::mutex> lock(m_wake_mutex);
    m_wake_signal.wait_for(lock, std::chrono::seconds(1), [this] { return m_woken || m_stop.load(); });
    m_woken = false;
  }
  CERTD_LOG_INFO("stopping");
  notify_stopping();
  wake_outbox();
  outbox.join();
  poll.join();
  return ok();
}

}  // namespace certd::app
