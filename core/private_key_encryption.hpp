#pragma once
// A private key under a passphrase, for backups (app/backup.hpp): OpenSSL's
// PKCS#8 "ENCRYPTED PRIVATE KEY" PEM (PKCS#5 v2 PBES2), not our own crypto.
// The key is derived with scrypt (N = 2^14, r = 8, p = 1, a 16-byte random
// salt) and encrypts with AES-256-CBC, as `openssl pkcs8 -topk8 -scrypt`
// writes, so `openssl pkey -in FILE` can read it back too. scrypt rather
// than PEM_write_bio_PKCS8PrivateKey's default (PBKDF2 with 2,048
// iterations): a stolen backup is attacked offline, and scrypt makes each
// guess cost memory as well as time.
//
// Thread-safe: no state.

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace certd {

// Encrypts `pem`, any private key OpenSSL reads (PKCS#8 or traditional,
// Ed25519 or RSA). invalid_argument for an empty passphrase or text that
// is not an unencrypted private key.
Result<std::string> encrypt_private_key_pem(std::string_view pem, std::string_view passphrase);

// The key again, as unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY").
// permission_denied when the passphrase is wrong (or the text was changed:
// PBES2 cannot tell those apart); parse_error for text that is not an
// encrypted private key at all.
Result<std::string> decrypt_private_key_pem(std::string_view encrypted_pem, std::string_view passphrase);

}  // namespace certd
