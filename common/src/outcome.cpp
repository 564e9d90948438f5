#include "tew/outcome.hpp"

namespace tew {

std::string_view to_string(Status s) {
  switch (s) {
    case Status::success:
      return "SUCCESS";
    case Status::retry:
      return "RETRY";
    case Status::drop:
      return "DROP";
  }
  return "RETRY";
}

}  // namespace tew
