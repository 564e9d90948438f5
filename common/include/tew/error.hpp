// Errors as values at the library's boundaries: rejection of input and failures of the
// sidecar are normal control flow, carried in Result<T> with a reason that names its subject.
#pragma once

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>
#include <string>

namespace tew {

enum class ErrorKind {
  invalid_input,  // the input itself is wrong: retrying cannot help (DROP, 4xx)
  unavailable,    // transient: connection refused, timeout, 5xx (RETRY)
  conflict,       // a concurrency guard failed: ETag mismatch, first-write rejected
  rejected,       // the peer refused the request as malformed (4xx other than 409)
};

struct Error {
  ErrorKind kind = ErrorKind::invalid_input;
  std::string subject;  // what the error is about: an attribute, a field, a variable, a URL
  std::string message;  // why, in words fit for a log line
  int http_status = 0;  // for errors reported by an HTTP peer
  std::string code;     // the peer's error code, e.g. Dapr's "ERR_STATE_SAVE"

  static Error invalid(std::string subject, std::string message);
  static Error unavailable(std::string subject, std::string message);

  // "<subject>: <message>", the form used in logs and DROP reasons.
  std::string describe() const;
  bool transient() const { return kind == ErrorKind::unavailable || kind == ErrorKind::conflict; }
};

template <class T>
using Result = boost::system::result<T, Error>;

// Called by Result<T>::value() on an error; turns the Error into an exception (a bug path).
[[noreturn]] void throw_exception_from_error(const Error& e, const boost::source_location& loc);

}  // namespace tew
