#pragma once
// The issuer's Ed25519 signing key, kept in config.issuer.key_file
// (PKCS#8 PEM, mode 0600, never in the database or the YAML).
//
// Where the public key comes from: it is derived from this private key
// file; the first use also writes it beside it as <key_file>.pub (SPKI
// PEM, mode 0644) to hand to anyone who verifies offline
// (`certd verify FILE.pdf --public-key issuer.key.pub`). The portal serves
// the same key at /keys.

#include <string>

#include "core/result.hpp"
#include "render/signing.hpp"

namespace certd::app {

// Loads the key, generating it (and the .pub file) if the file does not
// exist yet. Refuses, with permission_denied, a key file that group or
// others may read or write; invalid_argument for a file that is not an
// Ed25519 private key.
Result<render::Signer> load_or_create_issuer_key(const std::string& key_file);

// Loads an existing key only (verification must never create one).
Result<render::Signer> load_issuer_key(const std::string& key_file);

// What load_or_create_issuer_key would refuse, without creating anything
// (`certd check-config`): an existing file gives load_issuer_key's errors.
// True: the key is there and usable; false: there is none yet, which is
// fine (the first run creates it).
Result<bool> check_issuer_key(const std::string& key_file);

// Reads an SPKI PEM public key file (a <key_file>.pub).
Result<render::PublicKey> load_public_key_file(const std::string& path);

}  // namespace certd::app
