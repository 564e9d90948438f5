// Where the real parts are: the source tree (for dapr/ and scripts/), daprd and Kafka. daprd
// and Kafka come from TEW_DAPRD / TEW_KAFKA_HOME when set (scripts/test sets them), else from
// scripts/install-daprd / scripts/install-kafka, which only print the cached path when the
// pinned version is installed.
#pragma once

#include <filesystem>

namespace tew::e2e {

std::filesystem::path source_dir();
std::filesystem::path daprd_binary();
std::filesystem::path kafka_home();  // holds libs/*.jar and log4j.properties

}  // namespace tew::e2e
