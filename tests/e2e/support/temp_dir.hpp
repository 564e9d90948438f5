// A private directory for one e2e run (resources, data, logs), removed when the run ends
// unless TEW_E2E_KEEP is set, so a failed run can be inspected.
#pragma once

#include <filesystem>
#include <string>

namespace tew::e2e {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // A subdirectory, created if missing.
  std::filesystem::path sub(const std::string& name) const;

 private:
  std::filesystem::path path_;
};

}  // namespace tew::e2e
