// certd token create NAME --label TEXT | list [NAME] | revoke ID: bearer
// tokens for the console's JSON API (/api/v1/), each acting as a local
// account (certd user). A token is shown once, when it is made; the store
// keeps only its SHA-256, like a session's.
#include <CLI/CLI.hpp>

#include <iostream>

#include "app/commands/commands.hpp"
#include "app/display_text.hpp"
#include "app/runtime.hpp"
#include "app/terminal_text.hpp"
#include "app/text_table.hpp"
#include "console/api.hpp"
#include "console/sessions.hpp"
#include "core/random_token.hpp"
#include "core/time_format.hpp"
#include "store/store.hpp"

namespace certd::app {

namespace {

struct TokenOptions {
  std::string name;
  std::string label;
  long long id = 0;
};

int create(Runtime& runtime, const TokenOptions& o) {
  if (Status typed = check_display_text(o.label, TextKind::name, "--label"); !typed)
    return fail("token create", typed.error());
  auto user = runtime.store->local_user(o.name);
  if (!user) return fail("token create", user.error());
  if (!*user)
    return fail("token create", Error(ErrorCode::not_found, "no account named " + terminal_safe(o.name) +
                                                                " (certd user add makes one)"));
  auto token = console::new_api_token();
  if (!token) return fail("token create", token.error());
  store::NewApiToken row;
  row.user_name = o.name;
  row.token_hash = console::token_hash(*token);
  row.label = o.label;
  row.created_at = to_unix(runtime.clock.now());
  auto id = runtime.store->add_api_token(row);
  if (!id) return fail("token create", id.error());
  std::cout << *token << "\n";
  std::cerr << "token " << *id << " for " << o.name
            << ": copy it now, it is not shown again. Send it as 'Authorization: Bearer <token>'.\n";
  return k_exit_ok;
}

int list(Runtime& runtime, const TokenOptions& o) {
  auto tokens = runtime.store->api_tokens(o.name);
  if (!tokens) return fail("token list", tokens.error());
  if (tokens->empty()) {
    std::cout << "No API tokens. Make one with: certd token create NAME --label TEXT\n";
    return k_exit_ok;
  }
  TextTable table({"ID", "USER", "LABEL", "CREATED", "LAST USED", "STATE"});
  for (const store::ApiTokenRow& t : *tokens)
    table.add({std::to_string(t.id), t.token.user_name, t.token.label, format_date(from_unix(t.token.created_at)),
               t.last_used_at ? format_date(from_unix(*t.last_used_at)) : "never",
               t.revoked_at ? "revoked " + format_date(from_unix(*t.revoked_at)) : "active"});
  std::cout << table.render();
  return k_exit_ok;
}

int revoke(Runtime& runtime, const TokenOptions& o) {
  if (Status done = runtime.store->revoke_api_token(o.id, to_unix(runtime.clock.now())); !done) {
    if (done.error().code() == ErrorCode::not_found)
      return fail("token revoke", Error(ErrorCode::not_found, "no token " + std::to_string(o.id)));
    if (done.error().code() == ErrorCode::conflict)
      return fail("token revoke", Error(ErrorCode::conflict, "token " + std::to_string(o.id) + " is revoked already"));
    return fail("token revoke", done.error());
  }
  std::cout << "revoked token " << o.id << "\n";
  return k_exit_ok;
}

}  // namespace

void define_token(CLI::App& command, const GlobalOptions& globals, Handler& handler) {
  auto options = std::make_shared<TokenOptions>();
  command.require_subcommand(1);
  CLI::App* create_command = command.add_subcommand("create", "make a token for an account and print it once");
  create_command->add_option("name", options->name, "the local account it acts as")->required();
  create_command->add_option("--label", options->label, "what it is for (\"nightly export\")")->required();
  CLI::App* list_command = command.add_subcommand("list", "the tokens (of one account), never their values");
  list_command->add_option("name", options->name, "only this account's tokens");
  CLI::App* revoke_command = command.add_subcommand("revoke", "refuse a token from now on");
  revoke_command->add_option("id", options->id, "the token's id (certd token list)")->required();
  handler = [&globals, options, create_command, list_command]() {
    auto runtime = open_store_runtime(globals);
    if (!runtime) return fail("token", runtime.error());
    if (create_command->parsed()) return create(**runtime, *options);
    if (list_command->parsed()) return list(**runtime, *options);
    return revoke(**runtime, *options);
  };
}

}  // namespace certd::app
