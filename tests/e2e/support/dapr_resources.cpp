#include "dapr_resources.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "installed_parts.hpp"

namespace tew::e2e {

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> yaml_files(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".yaml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  if (files.empty()) throw std::runtime_error("no YAML files in " + dir.string());
  return files;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::size_t replace_all(std::string& text, std::string_view from, const std::string& to) {
  std::size_t count = 0;
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
    ++count;
  }
  return count;
}

// resiliency.yaml with the maxRetries of its deliveryRetry policy set to `retries`.
std::string with_delivery_retries(std::string text, int retries) {
  const auto policy = text.find("deliveryRetry:");
  const auto line = policy == std::string::npos ? policy : text.find("maxRetries: ", policy);
  if (line == std::string::npos)
    throw std::runtime_error("resiliency.yaml has no deliveryRetry policy with maxRetries");
  const auto value = line + std::string_view("maxRetries: ").size();
  text.replace(value, text.find('\n', value) - value, std::to_string(retries));
  return text;
}

}  // namespace

std::string_view to_string(Broker broker) {
  return broker == Broker::redis ? "redis" : "kafka";
}

fs::path dapr_config() {
  return source_dir() / "dapr" / "config.yaml";
}

fs::path render_resources(const ResourceOptions& options, const Endpoints& endpoints,
                          const fs::path& dir) {
  const auto dapr = source_dir() / "dapr";
  std::vector<fs::path> sources = yaml_files(dapr / "components");
  for (const auto& f : yaml_files(dapr / "components" / std::string(to_string(options.broker))))
    sources.push_back(f);
  if (options.resiliency) sources.push_back(dapr / "resiliency.yaml");
  if (options.declarative_subscriptions)
    for (const auto& f : yaml_files(dapr / "subscriptions"))
      sources.push_back(f);

  // The local defaults of the checked-in files, and what they become in this run.
  const std::vector<std::pair<std::string_view, std::string>> rewrites{
      {"localhost:6379", endpoints.redis},
      {"localhost:9092", endpoints.kafka},
      {"localhost:8090", endpoints.webhook},
      {"dapr/secrets/local.json", (dapr / "secrets" / "local.json").string()},
  };
  fs::create_directories(dir);
  std::vector<std::pair<std::string, std::string>> files;  // (name, text)
  for (const auto& src : sources) {
    auto text = read_file(src);
    if (options.delivery_retries && src.filename() == "resiliency.yaml")
      text = with_delivery_retries(std::move(text), *options.delivery_retries);
    files.emplace_back(src.filename().string(), std::move(text));
  }
  files.insert(files.end(), options.extra.begin(), options.extra.end());
  std::size_t redis_uses = 0, kafka_uses = 0;
  for (auto& [name, text] : files) {
    for (const auto& [from, to] : rewrites) {
      const auto n = replace_all(text, from, to);
      if (from == "localhost:6379") redis_uses += n;
      if (from == "localhost:9092") kafka_uses += n;
    }
    if (text.find("localhost") != std::string::npos)
      throw std::runtime_error(name +
                               " names a localhost endpoint the e2e renderer does not "
                               "know; add it to render_resources()");
    const auto target = dir / name;
    if (fs::exists(target)) throw std::runtime_error("two resources named " + target.string());
    std::ofstream(target) << text;
  }
  if (redis_uses == 0) throw std::runtime_error("no checked-in component uses Redis");
  if (options.broker == Broker::kafka && kafka_uses == 0)
    throw std::runtime_error("the Kafka pub/sub component does not name localhost:9092");
  return dir;
}

}  // namespace tew::e2e
