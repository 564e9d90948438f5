#include "tew/name_uuid.hpp"

#include <openssl/evp.h>

#include <boost/uuid/name_generator_sha1.hpp>
#include <cstring>

namespace tew {

namespace {

// One per thread: an EVP_MD_CTX is not to be shared, and fetching the algorithm once keeps
// OpenSSL's provider lookup out of every digest.
struct Sha1 {
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  Sha1() = default;
  Sha1(const Sha1&) = delete;
  Sha1& operator=(const Sha1&) = delete;
  ~Sha1() {
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
  }
};

}  // namespace

boost::uuids::uuid name_uuid(const boost::uuids::uuid& name_space, std::string_view name) {
  thread_local Sha1 sha1;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (sha1.md == nullptr || sha1.ctx == nullptr ||
      EVP_DigestInit_ex2(sha1.ctx, sha1.md, nullptr) != 1 ||
      EVP_DigestUpdate(sha1.ctx, name_space.data, sizeof name_space.data) != 1 ||
      EVP_DigestUpdate(sha1.ctx, name.data(), name.size()) != 1 ||
      EVP_DigestFinal_ex(sha1.ctx, digest, &size) != 1 || size < sizeof name_space.data) {
    return boost::uuids::name_generator_sha1{name_space}(name.data(), name.size());
  }
  boost::uuids::uuid out;
  std::memcpy(out.data, digest, sizeof out.data);
  out.data[6] = static_cast<std::uint8_t>((out.data[6] & 0x0F) | 0x50);  // version 5
  out.data[8] = static_cast<std::uint8_t>((out.data[8] & 0x3F) | 0x80);  // RFC 4122 variant
  return out;
}

}  // namespace tew
