#include "fixtures.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace tew::testing {

std::string read_fixture(std::string_view relative_path) {
  const std::string path = std::string(TEW_FIXTURES_DIR) + "/" + std::string(relative_path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read fixture " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace tew::testing
