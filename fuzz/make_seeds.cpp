// Builds the seed corpora of the fuzz targets from tests/fixtures/events, so that no fixture
// is copied into fuzz/:   fuzz-make-seeds <fixtures dir> <output dir>
// writes <output>/<target>/<name>, one input per file, in each target's input format.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "http_app.hpp"
#include "message.hpp"
#include "tew/base64.hpp"
#include "tew/cloud_event.hpp"
#include "tew/json.hpp"
#include "tew/rfc3339.hpp"

namespace {

namespace fs = std::filesystem;
using namespace tew;
using nlohmann::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class SeedDir {
 public:
  SeedDir(const fs::path& root, const std::string& target) : dir_(root / target) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void add(const std::string& name, std::string_view bytes) {
    std::ofstream(dir_ / name, std::ios::binary).write(bytes.data(), std::ssize(bytes));
  }

 private:
  fs::path dir_;
};

// The event in binary mode: context attributes and string extensions as ce- headers.
Headers binary_headers(const CloudEvent& event) {
  Headers headers{{"ce-specversion", event.specversion},
                  {"ce-id", event.id},
                  {"ce-source", event.source},
                  {"ce-type", event.type}};
  if (event.time) headers.emplace_back("ce-time", format_rfc3339(*event.time));
  if (event.subject) headers.emplace_back("ce-subject", *event.subject);
  for (const auto& [name, value] : event.extensions.items())
    if (value.is_string()) headers.emplace_back("ce-" + name, value.get<std::string>());
  headers.emplace_back("content-type", event.datacontenttype.value_or("application/json"));
  return headers;
}

std::string binary_body(const CloudEvent& event) {
  if (event.data_bytes) return *event.data_bytes;
  return event.data ? event.data->dump() : std::string{};
}

std::string http_request(std::string_view method, std::string_view target, Headers headers,
                         std::string_view body, bool with_token = true) {
  std::string out = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: app\r\n";
  if (with_token) headers.emplace_back("dapr-api-token", std::string(fuzz::kToken));
  for (const auto& [name, value] : headers)
    out += name + ": " + value + "\r\n";
  if (!body.empty() || method == "POST")
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += "\r\n";
  out += body;
  return out;
}

// The route of the app (http_app.hpp) that takes this fixture's event.
std::string_view route_of(const std::string& name) {
  if (name.starts_with("reminder_due")) return fuzz::kReminderRoute;
  return fuzz::kTaskRoute;
}

void add_fixed_http_seeds(SeedDir& http) {
  const std::string binding = "/" + std::string(fuzz::kBinding);
  http.add("get_subscribe", http_request("GET", "/dapr/subscribe", {}, ""));
  http.add("get_healthz", http_request("GET", "/healthz", {}, "", false));
  http.add("get_readyz", http_request("GET", "/readyz?probe=1", {}, "", false));
  http.add("get_metrics", http_request("GET", "/metrics", {}, ""));
  http.add("options_binding", http_request("OPTIONS", binding, {}, ""));
  http.add("wrong_token",
           http_request("GET", "/metrics", {{"dapr-api-token", "wrong"}}, "", false));
  http.add("unknown_route", http_request("DELETE", "/nowhere", {}, ""));
  http.add("order_bytes", http_request("POST", fuzz::kOrderRoute,
                                       {{"ce-specversion", "1.0"},
                                        {"ce-id", "o-1"},
                                        {"ce-source", "shop"},
                                        {"ce-type", "order"},
                                        {"content-type", "application/octet-stream"}},
                                       "\x01\x02order\xff"));
  http.add("order_fail",
           http_request("POST", fuzz::kOrderRoute, {{"content-type", "application/json"}},
                        R"({"specversion":"1.0","id":"o-2","source":"shop","type":"order",)"
                        R"("data":{"fail":"throw"}})"));
  http.add("chunked", "POST " + std::string(fuzz::kOrderRoute) +
                          " HTTP/1.1\r\nHost: app\r\ndapr-api-token: " + std::string(fuzz::kToken) +
                          "\r\nContent-Type: application/cloudevents+json\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n"
                          "10\r\n{\"specversion\":\"\r\n"
                          "2c\r\n1.0\",\"id\":\"c\",\"source\":\"s\",\"type\":\"t\",\"data\":1}\r\n"
                          "0\r\n\r\n");
  http.add("expect_continue", "POST " + binding + " HTTP/1.1\r\nHost: app\r\ndapr-api-token: " +
                                  std::string(fuzz::kToken) +
                                  "\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\nfail");
  http.add("http10_close", "GET /healthz HTTP/1.0\r\nConnection: close\r\n\r\n");
  http.add("pipelined",
           http_request("GET", "/healthz", {}, "", false) +
               http_request("POST", binding, {{"content-type", "application/json"}}, "") +
               http_request("GET", "/dapr/subscribe", {}, ""));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: fuzz-make-seeds <fixtures dir> <output dir>\n";
    return 2;
  }
  const fs::path fixtures = argv[1], out = argv[2];
  SeedDir cloud(out, "cloud_event"), task(out, "task_event"), http(out, "http_request");
  const Headers structured{{"content-type", "application/cloudevents+json"}};
  int count = 0;
  for (const auto& file : fs::directory_iterator(fixtures)) {
    if (file.path().extension() != ".json") continue;
    const auto name = file.path().stem().string();
    const auto body = read_file(file.path());
    ++count;

    if (name == "cron_binding_request") {
      const auto call = json::parse(body);
      Headers headers;
      for (const auto& [header, value] : call["headers"].items())
        headers.emplace_back(header, value.get<std::string>());
      http.add(name, http_request("POST", "/" + std::string(fuzz::kBinding), headers,
                                  call["body"].get<std::string>()));
      continue;
    }
    if (name.starts_with("bulk")) {
      cloud.add(name, fuzz::join_message({{"content-type", "application/json"}}, body));
      http.add(name, http_request("POST", fuzz::kTaskRoute, {{"content-type", "application/json"}},
                                  body));
      const auto bulk = json::parse(body);
      for (const auto& entry : bulk["entries"]) {
        if (auto event = parse_structured_event(entry["event"]))
          if (auto payload = event->payload_json())
            task.add(name + "_" + entry["entryId"].get<std::string>(), payload->dump());
      }
      continue;
    }

    cloud.add(name, fuzz::join_message(structured, body));
    http.add(name, http_request("POST", route_of(name), structured, body));
    const auto event = parse_structured_event(body);
    if (!event) continue;
    const auto headers = binary_headers(*event);
    cloud.add(name + "_binary", fuzz::join_message(headers, binary_body(*event)));
    http.add(name + "_binary", http_request("POST", route_of(name), headers, binary_body(*event)));
    if (auto payload = event->payload_json()) {
      task.add(name, payload->dump());
      if (payload->is_object() && payload->contains("task_data"))
        task.add(name + "_task_data", (*payload)["task_data"].dump());
    }
  }
  add_fixed_http_seeds(http);
  if (count == 0) {
    std::cerr << "fuzz-make-seeds: no fixtures in " << fixtures << "\n";
    return 1;
  }
  return 0;
}
