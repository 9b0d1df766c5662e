#pragma once
// RSA keys shared by the lti tests: generating one takes tens of
// milliseconds, so each is made once per test binary.

#include <gtest/gtest.h>

#include "lti/rsa_key.hpp"

namespace certd::lti::testing {

inline const RsaKey& platform_key() {
  static const RsaKey key = *RsaKey::generate();
  return key;
}

inline const RsaKey& other_key() {
  static const RsaKey key = *RsaKey::generate();
  return key;
}

}  // namespace certd::lti::testing
