#include "tew/error.hpp"

#include <stdexcept>

namespace tew {

Error Error::invalid(std::string subject, std::string message) {
  return Error{ErrorKind::invalid_input, std::move(subject), std::move(message), 0, {}};
}

Error Error::unavailable(std::string subject, std::string message) {
  return Error{ErrorKind::unavailable, std::move(subject), std::move(message), 0, {}};
}

std::string Error::describe() const {
  if (subject.empty()) return message;
  return subject + ": " + message;
}

void throw_exception_from_error(const Error& e, const boost::source_location&) {
  throw std::runtime_error(e.describe());
}

}  // namespace tew
