#include "render/signing.hpp"

#include <gtest/gtest.h>

#include "render_test_util.hpp"

namespace certd::render {
namespace {

using testing::test_signer;

TEST(Signing, SignsDeterministicallyAndVerifies) {
  Signer signer = test_signer();
  auto first = signer.sign("{\"number\":\"SWIM-V9BK-2C7V\"}");
  ASSERT_TRUE(first) << first.error().to_string();
  EXPECT_EQ(first->size(), 64u);
  EXPECT_EQ(*signer.sign("{\"number\":\"SWIM-V9BK-2C7V\"}"), *first);
  EXPECT_TRUE(signer.public_key().verify("{\"number\":\"SWIM-V9BK-2C7V\"}", *first));
}

TEST(Signing, RefusesAChangedMessageOrAnotherKey) {
  Signer signer = test_signer(1);
  std::string signature = *signer.sign("payload");
  EXPECT_FALSE(signer.public_key().verify("paylOad", signature));
  EXPECT_FALSE(test_signer(2).public_key().verify("payload", signature));
  std::string damaged = signature;
  damaged[10] = static_cast<char>(damaged[10] ^ 1);
  EXPECT_FALSE(signer.public_key().verify("payload", damaged));
}

TEST(Signing, KeysRoundTripThroughPem) {
  auto pem = generate_private_key_pem();
  ASSERT_TRUE(pem) << pem.error().to_string();
  EXPECT_NE(pem->find("BEGIN PRIVATE KEY"), std::string::npos);
  auto signer = Signer::from_private_key_pem(*pem);
  ASSERT_TRUE(signer) << signer.error().to_string();
  EXPECT_EQ(signer->private_key_pem(), *pem);
  auto public_key = PublicKey::from_pem(signer->public_key().pem());
  ASSERT_TRUE(public_key);
  EXPECT_EQ(public_key->key_id(), signer->public_key().key_id());
  EXPECT_EQ(public_key->key_id().size(), 16u);
  EXPECT_TRUE(public_key->verify("x", *signer->sign("x")));
  EXPECT_FALSE(Signer::from_private_key_pem("-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n"));
  EXPECT_FALSE(PublicKey::from_pem(*pem)) << "a private key is not a public key file";
}

}  // namespace
}  // namespace certd::render
