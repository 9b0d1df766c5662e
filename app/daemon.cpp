#include "app/daemon.hpp"

#include <chrono>
#include <optional>
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
#include "app/school_setup.hpp"
#include "app/service_notify.hpp"
#include "app/store_adapters.hpp"
#include "app/store_factory.hpp"
#include "connector/lms.hpp"
#include "connector/poller.hpp"
#include "console/console.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "portal/http_server.hpp"
#include "portal/portal.hpp"
#include "render/signing.hpp"
#include "store/store.hpp"

namespace certd::app {
namespace {

constexpr int k_events_per_round = 200;
constexpr int k_batch_group = 50;

constexpr const char* k_issuer_key_state = "issuer.key_id";

// Workers on one PostgreSQL store each read the issuer key from their own
// data_dir. One that made a key of its own would sign certificates that
// verify against another key than the others': the first worker records
// its key's id in the store, and a worker with another key does not start.
// (A SQLite store shares its data_dir with its key, so it is not checked.)
Status check_shared_issuer_key(const School& school, store::Store& store) {
  if (is_sqlite_store(school.config) || !school.signer) return ok();
  const std::string key = school.signer->public_key().key_id();
  CERTD_ASSIGN_OR_RETURN(std::optional<std::string> recorded, store.get_state(k_issuer_key_state));
  if (!recorded) return store.set_state(k_issuer_key_state, key);
  if (*recorded == key) return ok();
  return Error(ErrorCode::invalid_argument,
               "this worker's issuer key " + school.config.issuer.key_file + " (key " + key +
                   ") is not the key the other workers of " + describe_store(school.config) + " sign with (key " +
                   *recorded + "): copy issuer.key and issuer.key.pub from one of them into this data_dir");
}

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
  metrics::Registry& figures = metrics::process();
  figures.observe("certd_poll_duration_seconds", "Time of one poll cycle of the LMS", metrics::seconds_buckets(), {},
                  std::chrono::duration<double>(stats.elapsed).count());
  for (const connector::CoursePoll& course : stats.courses)
    figures.add("certd_poll_requests_total", "LMS requests made by polls, by course", {{"course", course.shortname}},
                course.requests);
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

// One reading of the school and what is made from it. `keep` owns a
// reloaded one; the first reading is the caller's and outlives the daemon.
struct Reading {
  std::shared_ptr<SchoolSetup> keep;
  const School* school;
  connector::Lms* lms;
  notify::Notifier* notifier;
  std::uint64_t generation;
};

// What the processing thread runs on one reading: its store connection,
// the issuer, the event processor, the batch runner; and, for run_once(),
// which does every step on one thread, an outbox worker and a poller.
struct Daemon::Pipeline {
  const School& school;
  connector::Lms* lms;
  const Clock& clock;
  const DaemonOptions& options;
  PdfArchive& archive;

  std::unique_ptr<store::Store> store;
  std::unique_ptr<Issuer> issuer;
  std::unique_ptr<EventProcessor> processor;
  std::unique_ptr<BatchRunner> batches;
  std::unique_ptr<OutboxWorker> outbox;
  std::unique_ptr<StoreCursorStore> cursors;
  std::unique_ptr<connector::Poller> poller;

  Status open(notify::Notifier& notifier) {
    CERTD_ASSIGN_OR_RETURN(store, open_store(school.config));
    IssuerOptions issuer_options{school.config.issuer.name, school.config.portal.public_url, lms != nullptr,
                                 school.config.lms.certificate_profile_field, school.config.lms.issued_activity,
                                 options.render_threads};
    issuer = std::make_unique<Issuer>(issuer_options, school.templates, *school.signer, *store, archive, clock);
    processor = std::make_unique<EventProcessor>(school, *store, *issuer, lms, clock);
    batches = std::make_unique<BatchRunner>(school, *store, *issuer, clock);
    outbox = std::make_unique<OutboxWorker>(*store, clock, RetryPolicy(), worker_name(school.config),
                                            make_outbox_handlers(school, *store, archive, notifier, lms, clock));
    cursors = std::make_unique<StoreCursorStore>(*store);
    if (lms) poller = std::make_unique<connector::Poller>(*lms, *cursors);
    // A changed rule, template or config may be what failed events
    // waited for: they are tried again in the next cycle.
    CERTD_ASSIGN_OR_RETURN(std::int64_t due, note_school_fingerprint(*store, school_fingerprint(school),
                                                                    to_unix(clock.now())));
    if (due > 0) CERTD_LOG_INFO("rules, templates or config changed: {} failed events are tried again now", due);
    return ok();
  }

  Result<int> poll_lms() {
    if (!poller) return 0;
    // Several workers on one store: the one holding the lock polls.
    CERTD_ASSIGN_OR_RETURN(bool polling, store->hold_poller_lock());
    if (!polling) {
      CERTD_LOG_INFO("poll: another certd run on this store polls the LMS; this one does not");
      return 0;
    }
    Result<int> changes = poll_into_events(*poller, *lms, *store, clock);
    // One poll at a time: a poll thread started later (run() after
    // run_once()) or another process may take the lock now.
    if (Status released = store->release_poller_lock(); !released)
      CERTD_LOG_WARN("poll: cannot give the poller's lock back: {}", released.error().message());
    return changes;
  }
};

// The portal's and the console's handlers on one reading. Requests hold a
// reference while they run, so a reload never pulls one from under them.
struct Daemon::Front {
  std::shared_ptr<SchoolSetup> keep;  // the reading they were made from, if reloaded
  std::unique_ptr<StorePortalBackend> backend;
  std::unique_ptr<portal::Portal> portal;
  std::unique_ptr<SchoolConsole> console;

  portal::Response handle(const portal::Request& request) const {
    return console::Console::owns(request.path) ? console->console().handle(request) : portal->handle(request);
  }
};

struct Daemon::Impl {
  const Clock& clock;
  DaemonOptions options;
  PdfArchive archive;  // data_dir never changes while certd runs
  std::function<void()> on_event;

  std::mutex reading_mutex;
  std::shared_ptr<const Reading> reading;  // Guarded by reading_mutex.
  std::unique_ptr<Pipeline> pipeline;      // the processing thread's own
  std::unique_ptr<store::Store> name_keeper;  // holds this worker's name while certd runs

  std::mutex front_mutex;
  std::shared_ptr<const Front> front;  // Guarded by front_mutex.
  portal::HttpServerOptions http_options;
  std::unique_ptr<portal::HttpServer> http;

  // A reload's hand-over from reload() to run().
  SchoolLoader loader;
  std::mutex reload_mutex;  // one reload() at a time
  std::mutex handover_mutex;
  std::condition_variable handover_done;
  bool running = false;                  // Guarded by handover_mutex: run() takes hand-overs.
  std::shared_ptr<SchoolSetup> pending;  // Guarded by handover_mutex.
  std::optional<Status> handover_result; // Guarded by handover_mutex.

  // Kicked between rounds: a long batch or a busy day keeps it fed, a
  // round that never ends does not (service_notify.hpp).
  Watchdog watchdog;

  Impl(const Clock& clock_in, DaemonOptions options_in, const std::string& data_dir)
      : clock(clock_in), options(std::move(options_in)), archive(data_dir) {}

  std::shared_ptr<const Reading> current_reading() {
    std::lock_guard<std::mutex> lock(reading_mutex);
    return reading;
  }

  std::unique_ptr<Pipeline> make_pipeline(const Reading& at) {
    return std::unique_ptr<Pipeline>(new Pipeline{*at.school, at.lms, clock, options, archive, {}, {}, {}, {}, {}, {}, {}});
  }

  Result<std::shared_ptr<const Front>> open_front(const Reading& at) {
    const School& school = *at.school;
    auto made = std::make_shared<Front>();
    made->keep = at.keep;
    CERTD_ASSIGN_OR_RETURN(auto store, open_store(school.config));
    made->backend = StorePortalBackend::over(std::move(store), school.config.data_dir, on_event,
                                             at.lms ? school.config.lms.poll_interval.count() : 0);
    CERTD_ASSIGN_OR_RETURN(auto verifier, make_webhook_verifier(school.config));
    portal::PortalOptions portal_options{school.config.issuer.name, school.config.portal.public_url,
                                         school.signer->public_key().pem(), school.config.webhooks.max_body_bytes};
    made->portal = std::make_unique<portal::Portal>(portal_options, *made->backend, clock, std::move(verifier));
    CERTD_ASSIGN_OR_RETURN(made->console, SchoolConsole::open(school, clock));
    return std::shared_ptr<const Front>(std::move(made));
  }

  portal::HttpServerOptions http_options_for(const config::Config& config) const {
    const config::PortalConfig& limits = config.portal;
    portal::HttpServerOptions server;
    server.host = limits.listen.host;
    server.port = options.portal_port >= 0 ? options.portal_port : limits.listen.port;
    server.issuer_name = config.issuer.name;  // on the server's own error pages
    server.max_body = static_cast<std::size_t>(config.webhooks.max_body_bytes);
    // Console uploads (CSV batches) may be larger, under /console/ only.
    server.max_upload_body = static_cast<std::size_t>(limits.max_upload_bytes);
    server.read_timeout = limits.read_timeout;
    server.idle_timeout = limits.idle_timeout;
    server.shutdown_timeout = limits.shutdown_timeout;
    server.max_connections = static_cast<std::size_t>(limits.max_connections);
    server.max_connections_per_client = static_cast<std::size_t>(limits.max_connections_per_client);
    return server;
  }

  Status open_portal(const Reading& at) {
    CERTD_ASSIGN_OR_RETURN(front, open_front(at));
    http_options = http_options_for(at.school->config);
    Impl* self = this;
    http = std::make_unique<portal::HttpServer>(http_options, [self](const portal::Request& request) {
      std::shared_ptr<const Front> serving;
      {
        std::lock_guard<std::mutex> lock(self->front_mutex);
        serving = self->front;
      }
      return serving->handle(request);
    });
    CERTD_TRY(http->start());
    CERTD_LOG_INFO("portal listening on {}:{}", http_options.host, http->port());
    return ok();
  }
};

namespace {

// What a reload cannot change under a running HTTP server: its socket and
// its limits are set when it starts.
bool same_server(const portal::HttpServerOptions& a, const portal::HttpServerOptions& b) {
  return a.host == b.host && a.port == b.port && a.max_body == b.max_body && a.max_upload_body == b.max_upload_body &&
         a.read_timeout == b.read_timeout && a.idle_timeout == b.idle_timeout &&
         a.shutdown_timeout == b.shutdown_timeout && a.max_connections == b.max_connections &&
         a.max_connections_per_client == b.max_connections_per_client && a.issuer_name == b.issuer_name;
}

}  // namespace

Daemon::Daemon(const School& school, connector::Lms* lms, notify::Notifier& notifier, const Clock& clock,
               DaemonOptions options)
    : m_impl(std::make_unique<Impl>(clock, std::move(options), school.config.data_dir)) {
  m_impl->reading = std::make_shared<const Reading>(Reading{nullptr, &school, lms, &notifier, 0});
}

Daemon::~Daemon() {
  if (m_impl && m_impl->http) m_impl->http->stop();
}

Status Daemon::start() {
  m_impl->on_event = [this] { wake(); };
  std::shared_ptr<const Reading> reading = m_impl->current_reading();
  auto pipeline = m_impl->make_pipeline(*reading);
  CERTD_TRY(pipeline->open(*reading->notifier));
  m_impl->pipeline = std::move(pipeline);
  store::Store& store = *m_impl->pipeline->store;
  // Claims left under this worker's name are a crashed run's of this
  // worker: ours to take back now, not when their leases run out; other
  // workers' claims are theirs. Since claims go back by name, a second
  // process under this name would take back the first one's work: it
  // does not start.
  const std::string worker = worker_name(reading->school->config);
  CERTD_ASSIGN_OR_RETURN(m_impl->name_keeper, open_store(reading->school->config));
  CERTD_ASSIGN_OR_RETURN(bool only_one, m_impl->name_keeper->hold_worker_lock(worker));
  if (!only_one)
    return Error(ErrorCode::conflict, "another certd is running as worker " + worker + " on " +
                                          describe_store(reading->school->config) +
                                          "; give each its own name (certd run --worker NAME, or store.worker)");
  CERTD_TRY(check_shared_issuer_key(*reading->school, store));
  CERTD_ASSIGN_OR_RETURN(std::int64_t released, store.release_claims(to_unix(m_impl->clock.now()), worker));
  if (released > 0)
    CERTD_LOG_INFO("took back {} claims (outbox, events, batch rows) of an interrupted run of worker {}", released,
                   worker);
  CERTD_ASSIGN_OR_RETURN(int leftovers, m_impl->archive.remove_leftovers());
  if (leftovers > 0) CERTD_LOG_INFO("removed {} half-written PDF files of an interrupted run", leftovers);
  if (m_impl->options.serve_portal) CERTD_TRY(m_impl->open_portal(*reading));
  return ok();
}

void Daemon::request_stop() {
  m_stop.store(true);
  // A poll under way ends at its next read (connector::Lms::stop_reading).
  if (std::shared_ptr<const Reading> reading = m_impl->current_reading(); reading && reading->lms)
    reading->lms->stop_reading();
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

void Daemon::set_loader(SchoolLoader loader) { m_impl->loader = std::move(loader); }

Status Daemon::reload() {
  Impl& impl = *m_impl;
  if (!impl.loader) return Error(ErrorCode::internal, "this daemon cannot reload: no loader");
  std::lock_guard<std::mutex> one_at_a_time(impl.reload_mutex);
  {
    std::lock_guard<std::mutex> lock(impl.handover_mutex);
    if (!impl.running) return Error(ErrorCode::unavailable, "certd is not running");
  }
  // Loading cuts fonts and reads every file: the daemon goes on meanwhile.
  CERTD_ASSIGN_OR_RETURN(std::unique_ptr<SchoolSetup> loaded, impl.loader());
  {
    std::lock_guard<std::mutex> lock(impl.handover_mutex);
    if (!impl.running) return Error(ErrorCode::unavailable, "certd is stopping");
    impl.pending = std::move(loaded);
    impl.handover_result.reset();
  }
  m_reload_waiting.store(true);
  wake();
  std::unique_lock<std::mutex> lock(impl.handover_mutex);
  impl.handover_done.wait(lock, [&impl] { return impl.handover_result.has_value(); });
  Status result = *impl.handover_result;
  impl.handover_result.reset();
  return result;
}

// On the processing thread, between two rounds.
void Daemon::swap_in_pending() {
  if (!m_reload_waiting.exchange(false)) return;
  std::shared_ptr<SchoolSetup> setup;
  {
    std::lock_guard<std::mutex> lock(m_impl->handover_mutex);
    setup = std::move(m_impl->pending);
  }
  if (!setup) return;
  Status swapped = swap_in(std::move(setup));
  {
    std::lock_guard<std::mutex> lock(m_impl->handover_mutex);
    m_impl->handover_result = swapped;
  }
  m_impl->handover_done.notify_all();
}

Status Daemon::swap_in(std::shared_ptr<SchoolSetup> setup) {
  Impl& impl = *m_impl;
  const School& running = impl.pipeline->school;
  const School& next = setup->school;
  if (next.config.data_dir != running.config.data_dir)
    return Error(ErrorCode::invalid_argument, "data_dir changed from " + running.config.data_dir + " to " +
                                                  next.config.data_dir +
                                                  ": a reload keeps the data folder; restart certd to move it");
  auto reading = std::make_shared<const Reading>(
      Reading{setup, &next, setup->lms.get(), setup->notifier.get(), m_generation.load() + 1});
  // Everything is built before anything is swapped: a failure here leaves
  // the running reading as it was.
  auto pipeline = impl.make_pipeline(*reading);
  CERTD_TRY(pipeline->open(*reading->notifier));
  std::shared_ptr<const Front> front;
  if (impl.http) {
    CERTD_ASSIGN_OR_RETURN(front, impl.open_front(*reading));
    if (!same_server(impl.http_options, impl.http_options_for(next.config)))
      CERTD_LOG_WARN("reload: portal.listen, the portal's limits or the issuer's name on the server's own pages "
                     "changed; the HTTP server takes them at the next restart");
    std::lock_guard<std::mutex> lock(impl.front_mutex);
    impl.front = std::move(front);
  }
  impl.pipeline = std::move(pipeline);
  {
    std::lock_guard<std::mutex> lock(impl.reading_mutex);
    impl.reading = std::move(reading);
  }
  {
    // The poll and outbox threads move to the new reading at their next step.
    std::lock_guard<std::mutex> lock(m_wake_mutex);
    m_generation.fetch_add(1);
    m_outbox_woken = true;
  }
  m_wake_signal.notify_all();
  return ok();
}

Result<CycleStats> Daemon::cycle(bool poll, bool drain_outbox) {
  CycleStats stats;
  if (poll) {
    // An LMS that is down must not hold up batches, webhooks or mail.
    auto changes = m_impl->pipeline->poll_lms();
    if (changes) stats.changes = *changes;
    else stats.poll_error = changes.error().message();
    if (!changes) CERTD_LOG_WARN("poll failed, will retry next cycle: {}", changes.error().message());
  }
  // Events, then batch groups, until both are empty or a stop or a reload
  // is asked.
  while (!m_stop.load() && !m_reload_waiting.load()) {
    m_impl->watchdog.kick();
    CERTD_ASSIGN_OR_RETURN(ProcessStats processed, m_impl->pipeline->processor->process_new(k_events_per_round));
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
    CERTD_ASSIGN_OR_RETURN(int rows, m_impl->pipeline->batches->run_group(k_batch_group));
    stats.batch_rows += rows;
    if (processed.events == 0 && rows == 0) break;
  }
  if (drain_outbox) {
    CERTD_ASSIGN_OR_RETURN(DrainStats drained, m_impl->pipeline->outbox->drain());
    stats.delivered = drained.delivered;
    stats.retrying = drained.retrying;
    stats.failed = drained.failed;
  } else if (stats.issued > 0 || stats.batch_rows > 0) {
    wake_outbox();
  }
  CERTD_ASSIGN_OR_RETURN(stats.failed_events, m_impl->pipeline->store->count_events(store::EventStatus::failed));
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
// deliveries (an SMTP server, a busy LMS) never hold up issuing. After a
// reload it takes the new reading's handlers before its next drain.
void Daemon::outbox_loop() {
  std::shared_ptr<const Reading> first = m_impl->current_reading();
  auto store = open_store(first->school->config);
  if (!store) {
    CERTD_LOG_ERROR("outbox: cannot open the store: {}", store.error().message());
    return;
  }
  std::shared_ptr<const Reading> reading;
  std::unique_ptr<OutboxWorker> worker;
  while (!m_stop.load()) {
    if (std::shared_ptr<const Reading> now = m_impl->current_reading(); now != reading) {
      worker.reset();  // before its reading may go
      reading = std::move(now);
      worker = std::make_unique<OutboxWorker>(
          **store, m_impl->clock, RetryPolicy(), worker_name(reading->school->config),
          make_outbox_handlers(*reading->school, **store, m_impl->archive, *reading->notifier, reading->lms,
                               m_impl->clock));
    }
    auto drained = worker->drain();
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
// events, approvals or batches. Changes wake the processing thread. After
// a reload it polls with the new reading's LMS adapter and interval.
void Daemon::poll_loop() {
  std::shared_ptr<const Reading> first = m_impl->current_reading();
  auto store = open_store(first->school->config);
  if (!store) {
    CERTD_LOG_ERROR("poll: cannot open the store: {}", store.error().message());
    return;
  }
  StoreCursorStore cursors(**store);
  std::shared_ptr<const Reading> reading;
  std::unique_ptr<connector::Poller> poller;
  std::optional<bool> polling;  // this worker holds the poller's lock (not known yet)
  while (!m_stop.load()) {
    if (std::shared_ptr<const Reading> now = m_impl->current_reading(); now != reading) {
      poller.reset();  // before its reading may go
      reading = std::move(now);
      poller = reading->lms ? std::make_unique<connector::Poller>(*reading->lms, cursors) : nullptr;
    }
    // Several workers on one store: one polls; when it stops, the next
    // to ask takes over.
    if (auto mine = (*store)->hold_poller_lock(); !mine) {
      CERTD_LOG_WARN("poll: cannot tell whether this worker polls: {}", mine.error().message());
    } else if (*mine != polling) {
      const std::string worker = worker_name(reading->school->config);
      if (*mine) CERTD_LOG_INFO("worker {} polls the LMS", worker);
      else CERTD_LOG_INFO("another worker polls the LMS; worker {} issues and delivers", worker);
      polling = *mine;
    }
    if (poller && polling.value_or(false)) {
      auto changes = poll_into_events(*poller, *reading->lms, **store, m_impl->clock);
      if (!changes) CERTD_LOG_WARN("poll failed, will retry next interval: {}", changes.error().message());
      else if (*changes > 0) wake();
    }
    // Without an LMS there is nothing to poll until a reload brings one.
    const auto interval = reading->lms ? std::chrono::seconds(reading->school->config.lms.poll_interval.count())
                                       : std::chrono::seconds(24 * 3600);
    const std::uint64_t generation = reading->generation;
    std::unique_lock<std::mutex> lock(m_wake_mutex);
    m_wake_signal.wait_for(lock, interval,
                           [this, generation] { return m_stop.load() || m_generation.load() != generation; });
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
  {
    std::lock_guard<std::mutex> lock(m_impl->handover_mutex);
    m_impl->running = true;
  }
  std::thread outbox([this] { outbox_loop(); });
  std::thread poll([this] { poll_loop(); });
  // The store is open (start()) and every thread is under way.
  std::shared_ptr<const Reading> first = m_impl->current_reading();
  notify_ready("running: polling the LMS every " + std::to_string(first->school->config.lms.poll_interval.count()) +
               " s" + (portal_port() ? ", portal on port " + std::to_string(portal_port()) : std::string()));
  first.reset();
  while (!m_stop.load()) {
    m_impl->watchdog.kick();
    swap_in_pending();
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
  {
    std::lock_guard<std::mutex> lock(m_impl->handover_mutex);
    m_impl->running = false;
    if (m_impl->pending) {
      m_impl->pending.reset();
      m_impl->handover_result = Status(Error(ErrorCode::unavailable, "certd is stopping"));
    }
  }
  m_impl->handover_done.notify_all();
  wake_outbox();
  outbox.join();
  poll.join();
  return ok();
}

}  // namespace certd::app
