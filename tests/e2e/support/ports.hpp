// Ports for the processes of one e2e run: free on 127.0.0.1 a moment ago, and never the same
// twice in this process (daprd alone needs three; two equal picks would fail its start).
#pragma once

#include <cstdint>

namespace tew::e2e {

std::uint16_t unique_port();

}  // namespace tew::e2e
