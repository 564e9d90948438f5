// Sample inputs checked into tests/fixtures/, read by name in tests.
#pragma once

#include <string>
#include <string_view>

namespace tew::testing {

// The content of tests/fixtures/<relative_path>; throws if it cannot be read.
std::string read_fixture(std::string_view relative_path);

}  // namespace tew::testing
