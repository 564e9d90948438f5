#include "temp_dir.hpp"

#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>

namespace tew::e2e {

TempDir::TempDir() {
  std::string templ = (std::filesystem::temp_directory_path() / "tew-e2e-XXXXXX").string();
  if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + templ);
  path_ = templ;
}

TempDir::~TempDir() {
  if (std::getenv("TEW_E2E_KEEP") != nullptr) {
    std::cerr << "e2e: kept " << path_ << "\n";
    return;
  }
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path TempDir::sub(const std::string& name) const {
  auto p = path_ / name;
  std::filesystem::create_directories(p);
  return p;
}

}  // namespace tew::e2e
